/**
 * One question to a model through the Bedrock Converse API, which speaks the same request and
 * response shape for every chat model (Anthropic, Amazon, Meta, Mistral, ...). IAM: Converse is
 * authorized by `bedrock:InvokeModel` on the model (or inference profile) ARN.
 */
import { ConverseCommand, type ConverseCommandInput, type ConverseCommandOutput } from "@aws-sdk/client-bedrock-runtime";

/** The part of BedrockRuntimeClient the function uses; tests pass a fake. */
export interface ConverseClient {
  send(command: ConverseCommand, options?: { abortSignal?: AbortSignal }): Promise<ConverseCommandOutput>;
}

export interface Question {
  readonly modelId: string;
  readonly question: string;
  readonly context?: string;
  readonly systemPrompt: string;
  readonly maxTokens: number;
}

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
}

export interface Answer {
  readonly answer: string;
  readonly model: string;
  readonly usage: Usage;
  /** Why the model stopped: end_turn, max_tokens (the answer is cut), ... */
  readonly stopReason: string;
  /** Bedrock's own latency of the call, when reported. */
  readonly latencyMs?: number;
}

/** The model answered, but with nothing usable (no text, or only a refusal by a guardrail). */
export class EmptyAnswerError extends Error {
  constructor(readonly stopReason: string) {
    super(`the model returned no text (stop reason ${stopReason})`);
    this.name = "EmptyAnswerError";
  }
}

/** The Converse request for a question; the optional context goes first, clearly delimited. */
export function converseInput(q: Question): ConverseCommandInput {
  const content = q.context
    ? [{ text: `Use the following context to answer.\n<context>\n${q.context}\n</context>` }, { text: q.question }]
    : [{ text: q.question }];
  return {
    modelId: q.modelId,
    system: [{ text: q.systemPrompt }],
    messages: [{ role: "user", content }],
    inferenceConfig: { maxTokens: q.maxTokens },
  };
}

const count = (n: number | undefined): number => (typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : 0);

/** Token counts as the API reports them; a missing total is the sum of input and output. */
export function usageOf(output: Pick<ConverseCommandOutput, "usage">): Usage {
  const inputTokens = count(output.usage?.inputTokens);
  const outputTokens = count(output.usage?.outputTokens);
  const total = output.usage?.totalTokens;
  return { inputTokens, outputTokens, totalTokens: typeof total === "number" ? count(total) : inputTokens + outputTokens };
}

/** Asks the model; SDK errors propagate unchanged (see errors.ts for how they map to responses). */
export async function ask(client: ConverseClient, q: Question, abortSignal?: AbortSignal): Promise<Answer> {
  const output = await client.send(new ConverseCommand(converseInput(q)), abortSignal ? { abortSignal } : undefined);
  const stopReason = output.stopReason ?? "unknown";
  const text = (output.output?.message?.content ?? [])
    .map((block) => ("text" in block && typeof block.text === "string" ? block.text : ""))
    .join("")
    .trim();
  if (!text) throw new EmptyAnswerError(stopReason);
  const latency = output.metrics?.latencyMs;
  return {
    answer: text,
    model: q.modelId,
    usage: usageOf(output),
    stopReason,
    ...(typeof latency === "number" ? { latencyMs: latency } : {}),
  };
}
