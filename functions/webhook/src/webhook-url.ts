/**
 * The webhook URL, read at run time from its SecureString parameter (GetParameter with
 * decryption: ssm:GetParameter on that parameter, kms:Decrypt through SSM) and kept for
 * `urlCacheSeconds`, so a busy alarm storm reads it once and a new URL takes effect within that time.
 *
 * The URL is a secret: no error raised here contains it, or any part of it.
 */
import { GetParameterCommand, type GetParameterCommandOutput } from "@aws-sdk/client-ssm";
import { WEBHOOK_URL_PLACEHOLDER } from "./settings";

/** The part of SSMClient the function uses; tests pass a fake. */
export interface ParameterClient {
  send(command: GetParameterCommand, options?: { abortSignal?: AbortSignal }): Promise<GetParameterCommandOutput>;
}

/** The parameter is missing, still holds its placeholder, or holds no https URL: an operator must set it. */
export class WebhookUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookUrlError";
  }
}

/** How to set the parameter, for error messages. */
export const setItHint = (name: string) =>
  `set it with: aws ssm put-parameter --overwrite --type SecureString --key-id <the data key> --name ${name} --value "$URL" (docs/layers/notification.md)`;

/** Checks a parameter value without ever putting it into an error message. */
export function checkUrl(name: string, value: string | undefined): string {
  const url = (value ?? "").trim();
  if (url === "" || url === WEBHOOK_URL_PLACEHOLDER || url.startsWith("UNSET")) {
    throw new WebhookUrlError(`the webhook URL is not set yet: parameter ${name} still holds its placeholder; ${setItHint(name)}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookUrlError(`parameter ${name} does not hold a URL (the value is not shown); ${setItHint(name)}`);
  }
  if (parsed.protocol !== "https:")
    throw new WebhookUrlError(`parameter ${name} holds a URL that is not https (the value is not shown); ${setItHint(name)}`);
  return url;
}

export class WebhookUrlSource {
  private cached?: { readonly url: string; readonly until: number };

  constructor(
    private readonly client: () => ParameterClient,
    private readonly name: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The URL, from the cache while it is fresh, else from Parameter Store. */
  async get(abortSignal?: AbortSignal): Promise<{ url: string; cached: boolean }> {
    if (this.cached && this.now() < this.cached.until) return { url: this.cached.url, cached: true };
    let output: GetParameterCommandOutput;
    try {
      output = await this.client().send(
        new GetParameterCommand({ Name: this.name, WithDecryption: true }),
        abortSignal ? { abortSignal } : undefined,
      );
    } catch (error) {
      if (error instanceof Error && error.name === "ParameterNotFound") {
        throw new WebhookUrlError(
          `parameter ${this.name} does not exist (deploy the notification layer, which creates it); ${setItHint(this.name)}`,
        );
      }
      throw error;
    }
    const url = checkUrl(this.name, output.Parameter?.Value);
    if (this.ttlSeconds > 0) this.cached = { url, until: this.now() + this.ttlSeconds * 1000 };
    return { url, cached: false };
  }

  /** Forgets the URL (the webhook refused it: it may have been replaced). */
  invalidate(): void {
    this.cached = undefined;
  }
}
