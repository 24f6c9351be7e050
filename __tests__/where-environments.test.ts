/**
 * `platform where --check` over every environment and example: each resource and data source leads
 * to a line of the kit (layers/, modules/, core/). A resource some helper creates outside those
 * folders, or a construct the tracer loses, fails here with its stack and address.
 */
import * as path from "node:path";
import { loadEnvironment } from "../core/config/loader";
import { locateAll, tracedToKit } from "../tools/lib/where";
import { ALL_ENVIRONMENTS } from "./fixtures/all-environments";

const ROOT = path.resolve(__dirname, "..");

describe.each(ALL_ENVIRONMENTS)("%s", (name) => {
  it("every resource and data source leads to a line of the kit", () => {
    const all = locateAll(loadEnvironment(name, ROOT).config);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((l) => !tracedToKit(l)).map((l) => `${l.stack} ${l.address}`)).toEqual([]);
  });
});
