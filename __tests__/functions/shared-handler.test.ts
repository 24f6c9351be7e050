import { settingsAndLogger } from "../../functions/shared/handler";
import { SettingsError } from "../../functions/shared/settings";

/** Log lines written to a sink, parsed. */
function capture() {
  const lines: string[] = [];
  return { sink: (line: string) => void lines.push(line), logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("settingsAndLogger (functions/shared/handler.ts)", () => {
  it("returns the settings and a logger at their level, bound to the request id", () => {
    const { sink, logs } = capture();
    const { settings, log } = settingsAndLogger({ settings: () => ({ logLevel: "WARN" as const, name: "x" }), sink }, "req-1", () => {
      throw new Error("refused() must not be called for valid settings");
    });
    expect(settings).toEqual({ logLevel: "WARN", name: "x" });
    log.info("below the level");
    log.warn("at the level");
    expect(logs()).toEqual([expect.objectContaining({ level: "WARN", message: "at the level", requestId: "req-1" })]);
  });

  it("logs refused settings at ERROR and throws the caller's error instead of the settings' own", () => {
    const { sink, logs } = capture();
    const refused = new Error("misconfigured; see its logs");
    expect(() =>
      settingsAndLogger(
        {
          settings: () => {
            throw new SettingsError("FROM_ADDRESS is not set");
          },
          sink,
        },
        "req-2",
        () => refused,
      ),
    ).toThrow(refused);
    expect(logs()).toEqual([
      expect.objectContaining({ level: "ERROR", message: "settings refused", requestId: "req-2", errorMessage: "FROM_ADDRESS is not set" }),
    ]);
  });
});
