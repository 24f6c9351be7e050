import { checkJsonObject, isObject, type JsonInputWords, parseJsonText } from "../../functions/shared/json-object";
import { required, SettingsError } from "../../functions/shared/settings";

const WORDS: JsonInputWords = { empty: "empty", notJson: "no JSON", notObject: "no object", unknownField: "Unknown key" };
const fail = (message: string) => new RangeError(message);

describe("parseJsonText (functions/shared/json-object.ts)", () => {
  it("returns the JSON value of the text", () => {
    expect(parseJsonText(' {"a": [1]} ', WORDS, fail)).toEqual({ a: [1] });
  });

  it.each([
    [undefined, "empty"],
    ["  \n", "empty"],
    ["{a:", "no JSON"],
  ])("refuses %j with the caller's error and words", (text, message) => {
    expect(() => parseJsonText(text, WORDS, fail)).toThrow(new RangeError(message));
  });
});

describe("checkJsonObject (functions/shared/json-object.ts)", () => {
  it("returns an object with accepted keys only", () => {
    expect(checkJsonObject({ a: 1 }, ["a", "b"], WORDS, fail)).toEqual({ a: 1 });
  });

  it.each([null, [], "text", 3])("refuses %j as no object", (body) => {
    expect(() => checkJsonObject(body, ["a"], WORDS, fail)).toThrow(new RangeError("no object"));
  });

  it("names one unknown key, and several with a plural, with the accepted ones", () => {
    expect(() => checkJsonObject({ a: 1, x: 2 }, ["a", "b"], WORDS, fail)).toThrow(new RangeError('Unknown key "x" (accepted: a, b)'));
    expect(() => checkJsonObject({ x: 1, y: 2 }, ["a"], WORDS, fail)).toThrow(new RangeError('Unknown keys "x", "y" (accepted: a)'));
  });
});

describe("isObject (functions/shared/json-object.ts)", () => {
  it("accepts objects only", () => {
    expect(isObject({})).toBe(true);
    expect([null, undefined, [], "x", 1, true].map(isObject)).toEqual([false, false, false, false, false, false]);
  });
});

describe("required (functions/shared/settings.ts)", () => {
  it("returns the trimmed value", () => {
    expect(required({ A: " x " }, "A")).toBe("x");
  });

  it("refuses a missing or blank variable with a SettingsError, or with the caller's error", () => {
    expect(() => required({ A: "  " }, "A")).toThrow(new SettingsError("A is not set"));
    expect(() => required({}, "A")).toThrow(SettingsError);
    expect(() => required({}, "A", fail)).toThrow(new RangeError("A is not set"));
    expect(() => required({}, "A", fail)).not.toThrow(SettingsError);
  });
});
