/**
 * Cognito's post-confirmation event, and the message the function sends for it.
 *
 * Default (no MAILER_TEMPLATE), the event a consumer validates or welcomes the user from:
 *
 *   {"type": "user.confirmed", "userPoolId": "...", "userName": "...", "sub": "...",
 *    "email": "...", "emailVerified": true, "confirmedAt": "2026-01-01T00:00:00.000Z"}
 *
 * With MAILER_TEMPLATE (the target feeds the mailer), the mailer's own message:
 *
 *   {"template": "welcome", "to": ["..."], "data": {"email": "...", "name": "...", "userName": "..."}}
 *
 * Both carry the message attribute `type` = user.confirmed (for SNS filter policies).
 */

/** The fields of the Cognito trigger event the function reads. */
export interface PostConfirmationEvent {
  readonly version?: string;
  readonly triggerSource: string;
  readonly region?: string;
  readonly userPoolId: string;
  readonly userName: string;
  readonly callerContext?: { readonly clientId?: string };
  readonly request: { readonly userAttributes: Readonly<Record<string, string>> };
  readonly response?: Record<string, unknown>;
}

/** The trigger source of a sign-up confirmation (a confirmed password reset also triggers the function). */
export const CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp";

export const EVENT_TYPE = "user.confirmed";

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEvent";
  }
}

/** Checks the shape of the trigger event. */
export function checkEvent(event: unknown): PostConfirmationEvent {
  const e = event as Partial<PostConfirmationEvent> | null;
  if (!e || typeof e !== "object") throw new InvalidEventError("the event is not an object");
  if (typeof e.triggerSource !== "string") throw new InvalidEventError("the event has no triggerSource");
  if (typeof e.userPoolId !== "string" || typeof e.userName !== "string")
    throw new InvalidEventError("the event has no userPoolId or userName");
  if (!e.request || typeof e.request.userAttributes !== "object" || e.request.userAttributes === null)
    throw new InvalidEventError("the event has no request.userAttributes");
  return e as PostConfirmationEvent;
}

/** The message body for a confirmed user. */
export function messageFor(event: PostConfirmationEvent, template: string | undefined, now: Date): Record<string, unknown> {
  const a = event.request.userAttributes;
  if (template) {
    if (!a.email) throw new InvalidEventError("the user has no email attribute to send the template to");
    const name = a.name ?? ([a.given_name, a.family_name].filter(Boolean).join(" ") || undefined);
    return { template, to: [a.email], data: { email: a.email, userName: event.userName, ...(name ? { name } : {}) } };
  }
  return {
    type: EVENT_TYPE,
    userPoolId: event.userPoolId,
    userName: event.userName,
    ...(a.sub ? { sub: a.sub } : {}),
    ...(a.email ? { email: a.email, emailVerified: a.email_verified === "true" } : {}),
    ...(event.callerContext?.clientId ? { clientId: event.callerContext.clientId } : {}),
    confirmedAt: now.toISOString(),
  };
}
