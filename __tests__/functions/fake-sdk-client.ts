/**
 * A fake AWS SDK v3 client for the function tests: it takes one command class, records every call
 * (the command's input and the abort signal it was sent with) and answers as the test says.
 */

/** One call the fake client received. */
export interface SentCall<Input> {
  readonly input: Input;
  readonly signal?: AbortSignal;
}

/** What the fake answers: an output, an error to throw, or a function of the call and its 1-based number. */
export type FakeReply<Input, Output> = Partial<Output> | Error | ((call: SentCall<Input>, n: number) => Promise<Partial<Output>>);

/**
 * A `send` that fails the test unless it is sent a `Command`, records the call and answers with
 * `reply` (outputs carry empty `$metadata`, as the SDK's do); `calls` are the calls so far.
 */
export function fakeSdkClient<Input extends object, Output extends object>(
  Command: abstract new (...args: never[]) => { input: Input },
  reply: FakeReply<Input, Output>,
) {
  const calls: SentCall<Input>[] = [];
  async function send(command: { input: Input }, options?: { abortSignal?: AbortSignal }): Promise<Output> {
    expect(command).toBeInstanceOf(Command);
    const call = { input: command.input, signal: options?.abortSignal };
    calls.push(call);
    if (reply instanceof Error) throw reply;
    const out = typeof reply === "function" ? await reply(call, calls.length) : reply;
    return { $metadata: {}, ...out } as unknown as Output;
  }
  return { send, calls };
}
