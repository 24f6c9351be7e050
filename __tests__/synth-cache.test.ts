/**
 * The test caches (fixtures/synth-cache.ts) give what a fresh synthesis or load gives, and only
 * where that is sure: a stack class a test defines is never served from the cache, a suite's second
 * request for the same stack and configuration synthesizes afresh, and a different configuration is a
 * different entry.
 */
import * as path from "node:path";
import { Testing } from "cdktf";
import { loadConfigFile, ENVIRONMENTS_DIR } from "../core/config/loader";
import { BootstrapStack } from "../layers/bootstrap/stack";
import { cachedConfig, cachedStackSynthesis } from "./fixtures/synth-cache";
import { env, envWith } from "./helpers";

const fresh = (Stack: typeof BootstrapStack, cfg: ReturnType<typeof env>) => Testing.synth(new Stack(Testing.app(), cfg), true);

describe("cachedStackSynthesis", () => {
  it("gives a kit stack class's fresh synthesis, and a planted entry only on the first request", () => {
    const cfg = envWith("dev", { tags: { CacheProbe: "first" } });
    let computed = 0;
    const first = cachedStackSynthesis(BootstrapStack, cfg, () => (computed++, fresh(BootstrapStack, cfg)));
    expect(first).toBe(fresh(BootstrapStack, cfg));
    // The second request of this suite computes, whatever the cache holds.
    const again = cachedStackSynthesis(BootstrapStack, cfg, () => (computed++, fresh(BootstrapStack, cfg)));
    expect(again).toBe(first);
    expect(computed).toBeGreaterThanOrEqual(1);
    const before = computed;
    cachedStackSynthesis(BootstrapStack, cfg, () => (computed++, fresh(BootstrapStack, cfg)));
    expect(computed).toBe(before + 1);
  });

  it("never serves a class the test defines, even one named like a kit class", () => {
    const Impostor = { BootstrapStack: class extends BootstrapStack {} }.BootstrapStack;
    expect(Impostor.name).toBe("BootstrapStack");
    const cfg = env("staging");
    let computed = 0;
    for (let i = 0; i < 2; i++) cachedStackSynthesis(Impostor, cfg, () => (computed++, "computed"));
    expect(computed).toBe(2);
  });

  it("keeps configurations apart: another value, or an undefined key, is another entry", () => {
    const a = envWith("dev", { tags: { CacheProbe: "a" } });
    const b = envWith("dev", { tags: { CacheProbe: "b" } });
    const synthA = cachedStackSynthesis(BootstrapStack, a, () => fresh(BootstrapStack, a));
    const synthB = cachedStackSynthesis(BootstrapStack, b, () => fresh(BootstrapStack, b));
    expect(synthA).toBe(fresh(BootstrapStack, a));
    expect(synthB).toBe(fresh(BootstrapStack, b));
    expect(synthB).not.toBe(synthA);
    expect(cachedStackSynthesis(BootstrapStack, { ...a, probe: undefined } as never, () => "computed")).toBe("computed");
  });
});

describe("cachedConfig", () => {
  it("gives back the loader's value, undefined keys included, and leaves a failing load throwing", () => {
    const key = `probe ${process.pid} ${Date.now()}`;
    const value = { a: 1, b: undefined, c: [null, -0, Infinity], d: { e: "x" } };
    expect(cachedConfig(key, () => value)).toBe(value);
    const back = cachedConfig<typeof value>(key, () => {
      throw new Error("not read from the cache");
    });
    expect(back).not.toBe(value);
    expect(back).toStrictEqual(value);
    expect(Object.keys(back)).toEqual(["a", "b", "c", "d"]);
    expect(Object.is(back.c[1], -0)).toBe(true);
    expect(() => cachedConfig(`${key} failing`, () => loadConfigFile(path.join(ENVIRONMENTS_DIR, "no-such.yaml")).config)).toThrow();
  });

  it("env() is the loader's configuration", () => {
    expect(env("prod")).toStrictEqual(loadConfigFile(path.join(ENVIRONMENTS_DIR, "prod.yaml")).config);
  });
});
