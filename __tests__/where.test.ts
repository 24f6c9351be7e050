/**
 * `platform where <address>` (tools/lib/where.ts): every resource of an environment leads to the
 * kit's lines that make it, each line really holds the `new ...` it shows, a kit module and the
 * provider class it wraps under one name (LambdaFunction) are told apart, and a resource made
 * outside the kit's folders is reported as untraced.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { loadConfigFile } from "../core/config/loader";
import { locate, locateAll, lookUp, tracedToKit, type Located } from "../tools/lib/where";
import { env } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const lineOf = (file: string, line: number) => fs.readFileSync(path.join(ROOT, file), "utf8").split("\n")[line - 1].trim();

describe("where: the dev environment", () => {
  const all = locateAll(env("dev"));
  const one = (query: string): Located => {
    const { found } = lookUp(all, query);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it("traces every resource and data source to a line of the kit, and each line holds the text shown", () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all.filter((l) => !tracedToKit(l)).map((l) => `${l.stack} ${l.address}`)).toEqual([]);
    for (const l of all)
      for (const f of l.chain) expect(`${f.file}:${f.line} ${lineOf(f.file, f.line)}`).toBe(`${f.file}:${f.line} ${f.text}`);
  });

  it("leads from an address to the layer's line that creates the module, then the module's line that creates the resource", () => {
    const vpc = one("aws_vpc.vpc");
    expect(vpc.stack).toBe("network");
    expect(vpc.chain.map((f) => [f.file, f.kind])).toEqual([
      ["layers/01-network/stack.ts", "Vpc"],
      ["modules/vpc.ts", "Vpc"],
    ]);
    expect(vpc.chain[0].text).toContain('new Vpc(this, "vpc"');
    expect(vpc.chain[1].text).toContain('new AwsVpc(this, "Resource"');
  });

  it("tells a kit module from the provider class it wraps under the same name (LambdaFunction)", () => {
    const fn = all.find((l) => l.stack === "lambda-genai" && l.address.startsWith("aws_lambda_function."))!;
    expect(fn.chain.map((f) => f.file)).toEqual(["layers/06-lambda-genai/stack.ts", "modules/lambda-function.ts"]);
    expect(fn.chain[1].text).toContain("new AwsLambdaFunction(this,");
  });

  it("takes data sources and remote states, stack-qualified addresses, and answers an unknown one with the closest", () => {
    expect(one("network.aws_vpc.vpc").address).toBe("aws_vpc.vpc");
    expect(one("network/aws_vpc.vpc").stack).toBe("network");
    expect(lookUp(all, "security.aws_vpc.vpc").found).toEqual([]);
    const data = all.find((l) => l.address.startsWith("data."));
    if (data) expect(lookUp(all, `${data.stack}.${data.address}`).found).toContain(data);
    // A layer's reading of another's outputs: the remote state made by LayerStack.read (core/layer-stack.ts).
    const remote = one("security.data.terraform_remote_state.network");
    expect(remote.chain.map((f) => [f.file, f.kind])).toEqual([["core/layer-stack.ts", "DataTerraformRemoteStateS3"]]);
    const miss = lookUp(all, "aws_vpc.vcp");
    expect(miss.found).toEqual([]);
    expect(miss.closest[0]).toBe("network.aws_vpc.vpc");
  });
});

describe("where: a resource made outside the kit's folders", () => {
  it("has no line of the kit in its chain (what --check reports)", () => {
    const found = locate((app) => {
      const stack = new TerraformStack(app, "probe");
      new S3Bucket(stack, "loose", { bucket: "probe" });
    });
    expect(found).toEqual([{ stack: "probe", address: "aws_s3_bucket.loose", path: "loose", chain: [] }]);
  });
});

describe("where: the README's example", () => {
  it("shows the files and lines the tool prints for its address", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const block = /\$ npx platform where (\S+) --env (\S+)\n([\s\S]*?)```/.exec(readme)!;
    const [, address, file] = block;
    const shown = block[3]
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.trim().split(/\s{2,}/));
    const [l] = lookUp(locateAll(loadConfigFile(file, ROOT).config), address).found;
    expect(shown).toEqual(l.chain.map((f) => [`${f.file}:${f.line}`, f.text]));
  });
});
