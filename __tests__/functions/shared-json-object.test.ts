import { checkJsonObject, type JsonInputWords, parseJsonText } from "../../functions/shared/json-object";

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
