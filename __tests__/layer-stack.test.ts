import { Testing, TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { PlatformConfig } from "../core/config/schema";
import { CONTRACTS, contractOf } from "../core/contracts";
import { LayerStack, snakeCase, stateKey } from "../core/layer-stack";
import { buildPlatform } from "../core/platform";
import { LAYERS, layer } from "../core/registry";
import { PLATFORM } from "../layers";
import { NetworkStack } from "../layers/01-network/stack";
import { env, envWith, synth, type TerraformJson } from "./helpers";

/** A database-layer stack that reads what a test tells it to and publishes its contract's mocks. */
function probe(name: "database" | "parameters", reads: (s: LayerStack<"database" | "parameters">) => void) {
  return class Probe extends LayerStack<"database" | "parameters"> {
    constructor(scope: Construct, config: PlatformConfig) {
      super(scope, name, config);
      reads(this);
      const contract = contractOf(name) ?? {};
      this.publish(Object.fromEntries(Object.entries(contract).map(([k, spec]) => [k, spec.mock(config)])) as never);
    }
  };
}

function synthProbe(cfg: PlatformConfig, reads: (s: LayerStack<"database" | "parameters">) => void): TerraformJson {
  return synth(probe("database", reads), cfg).tf;
}

describe("layer registry", () => {
  it("lists the twelve layers in the DESIGN order with two-digit numbers", () => {
    expect(LAYERS.map((l) => `${l.number}-${l.name}`)).toEqual([
      "01-network",
      "02-security",
      "03-database",
      "04-parameters",
      "05-cloud-map",
      "06-lambda-genai",
      "07-application",
      "08-api-gateway",
      "09-native",
      "10-monitoring",
      "11-frontend",
      "12-notification",
    ]);
  });

  it("refuses an unknown layer name", () => {
    expect(() => layer("netwrok" as never)).toThrow(/unknown layer "netwrok"/);
  });

  const implemented = LAYERS.map((l) => l.name).filter((n) => n in PLATFORM.layers);

  it("builds bootstrap first and the implemented, enabled layers in registry order", () => {
    const app = Testing.app();
    const stacks = buildPlatform(app, env("dev"), PLATFORM);
    expect(stacks.bootstrap.node.id).toBe("bootstrap");
    expect(stacks.layers.map((s) => s.layer.name)).toEqual(implemented);
    expect(implemented.slice(0, 2)).toEqual(["network", "security"]);
  });

  it("writes no stack for a disabled layer, and the layers after it handle its absence", () => {
    const app = Testing.app();
    const stacks = buildPlatform(app, envWith("dev", { layers: { "lambda-genai": { enabled: false } } }), PLATFORM);
    expect(stacks.layers.map((s) => s.layer.name)).toEqual(implemented.filter((n) => n !== "lambda-genai"));
  });
});

describe("state backend", () => {
  it("keys state by prefix, project, environment and layer number", () => {
    expect(stateKey(env("prod"), layer("security"))).toBe("platform/petclinic/prod/02-security.tfstate");
  });

  it("locks with DynamoDB only in dynamodb mode", () => {
    const s3 = synth(NetworkStack, env("dev")).tf.terraform!.backend!.s3;
    expect(s3.dynamodb_table).toBe("petclinic-dev-tflock");
    expect(s3).not.toHaveProperty("use_lockfile");
  });

  it("sets use_lockfile through an override in s3 mode and drops the table", () => {
    const s3 = synth(NetworkStack, envWith("dev", { backend: { lockMode: "s3" } })).tf.terraform!.backend!.s3;
    expect(s3.use_lockfile).toBe(true);
    expect(s3).not.toHaveProperty("dynamodb_table");
  });

  it("uses both lock mechanisms in both mode", () => {
    const s3 = synth(NetworkStack, env("staging")).tf.terraform!.backend!.s3;
    expect(s3).toMatchObject({ use_lockfile: true, dynamodb_table: "petclinic-staging-tflock", encrypt: true });
  });

  it("passes the state KMS key, region and role", () => {
    const cfg = envWith("dev", {
      backend: { kmsKeyId: "alias/tfstate", region: "us-east-1", roleArn: "arn:aws:iam::111111111111:role/tfstate" },
    });
    const s3 = synth(NetworkStack, cfg).tf.terraform!.backend!.s3;
    expect(s3).toMatchObject({
      kms_key_id: "alias/tfstate",
      region: "us-east-1",
      assume_role: { role_arn: "arn:aws:iam::111111111111:role/tfstate" },
    });
  });
});

describe("AWS provider", () => {
  it("pins region and account and tags everything", () => {
    const { tf } = synth(NetworkStack, env("prod"));
    const aws = tf.provider!.aws[0];
    expect(aws.region).toBe("us-west-2");
    expect(aws.allowed_account_ids).toEqual(["333333333333"]);
    expect(aws.assume_role).toBeUndefined();
    expect(aws.default_tags).toEqual([
      {
        tags: {
          Project: "petclinic",
          Environment: "prod",
          Layer: "network",
          ManagedBy: "cdktf-platform-kit",
          Application: "spring-petclinic",
          CostCenter: "platform",
        },
      },
    ]);
  });

  it("assumes the configured role", () => {
    const cfg = envWith("dev", {
      aws: { assumeRole: { roleArn: "arn:aws:iam::111111111111:role/deployer", sessionName: "platform", externalId: "ext-1" } },
    });
    const aws = synth(NetworkStack, cfg).tf.provider!.aws[0];
    expect(aws.assume_role).toEqual([
      { role_arn: "arn:aws:iam::111111111111:role/deployer", session_name: "platform", external_id: "ext-1" },
    ]);
  });

  it("pins provider-aws to hashicorp/aws 5.100.0", () => {
    expect(synth(NetworkStack, env("dev")).tf.terraform!.required_providers).toEqual({ aws: { source: "aws", version: "5.100.0" } });
  });
});

describe("layer contracts", () => {
  it("reads an earlier layer through terraform_remote_state on its key, without the lock table", () => {
    const tf = synthProbe(env("dev"), (s) => {
      new SsmParameter(s, "probe", { name: "/probe", type: "String", value: s.read("network", "vpc_id") });
    });
    expect(tf.data!.terraform_remote_state.network).toEqual({
      backend: "s3",
      config: { bucket: "petclinic-dev-tfstate-111111111111", key: "platform/petclinic/dev/01-network.tfstate", region: "us-west-2" },
    });
    expect(tf.resource!.aws_ssm_parameter.probe.value).toBe("${data.terraform_remote_state.network.outputs.vpc_id}");
  });

  it("reads list outputs as lists and map entries by key", () => {
    const tf = synthProbe(env("dev"), (s) => {
      new TerraformOutput(s, "subnets", { value: s.read("network", "app_subnet_ids") });
      new TerraformOutput(s, "role", { value: s.readEntry("security", "task_role_arns", "admin-server") });
    });
    expect(tf.output!.subnets.value).toBe("${data.terraform_remote_state.network.outputs.app_subnet_ids}");
    // An index expression: a missing key fails the plan instead of yielding a default.
    expect(tf.output!.role.value).toBe('${data.terraform_remote_state.security.outputs.task_role_arns["admin-server"]}');
  });

  it("refuses to read a later layer", () => {
    class Early extends LayerStack<"network"> {
      constructor(scope: Construct, config: PlatformConfig) {
        super(scope, "network", config);
        this.read("security" as never, "vpc_id" as never);
      }
    }
    expect(() => synth(Early, env("dev"))).toThrow("layer network (01) cannot read security (02): a layer reads only earlier layers");
  });

  it("refuses to read an output the producer does not declare", () => {
    expect(() => synthProbe(env("dev"), (s) => s.read("network", "vpc_arn" as never))).toThrow(
      /reads network\.vpc_arn, which network's contract does not declare \(declared: vpc_id, vpc_cidr/,
    );
  });

  it("refuses to read a disabled layer", () => {
    const cfg = envWith("dev", { layers: { security: { enabled: false } } });
    expect(() => synthProbe(cfg, (s) => s.read("security", "app_security_group_id"))).toThrow(/security is disabled in config\.layers/);
  });

  it("fails synth when a layer with a contract never publishes it", () => {
    class Silent extends LayerStack<"network"> {
      constructor(scope: Construct, config: PlatformConfig) {
        super(scope, "network", config);
      }
    }
    expect(() => synth(Silent, env("dev"))).toThrow("layer network declares a contract but never called publish()");
  });

  it("refuses a publish that does not match the contract", () => {
    class Partial extends LayerStack<"network"> {
      constructor(scope: Construct, config: PlatformConfig) {
        super(scope, "network", config);
        this.publish({ vpc_id: "x", extra: "y" } as never);
      }
    }
    expect(() => synth(Partial, env("dev"))).toThrow(/extra \[extra\], missing \[vpc_cidr, azs/);
  });

  it("declares a description and a mock of the declared kind for every output", () => {
    for (const cfgName of ["dev", "prod"]) {
      const cfg = env(cfgName);
      for (const [layerName, contract] of Object.entries(CONTRACTS)) {
        for (const [output, spec] of Object.entries(contract)) {
          expect(`${layerName}.${output}: ${spec.description.length > 10}`).toBe(`${layerName}.${output}: true`);
          const mock = spec.mock(cfg);
          const kind = Array.isArray(mock) ? "list" : typeof mock === "string" ? "string" : "map";
          expect(`${layerName}.${output}: ${kind}`).toBe(`${layerName}.${output}: ${spec.kind}`);
        }
      }
    }
  });
});

describe("resource addresses", () => {
  it("are snake_case construct paths", () => {
    expect(snakeCase("app_us-west-2a")).toBe("app_us_west_2a");
    expect(snakeCase("flowLogs_Role")).toBe("flow_logs_role");
    expect(snakeCase("10-thing")).toBe("_10_thing");
  });

  it("carry no hash suffix anywhere in the network layer", () => {
    const { tf } = synth(NetworkStack, env("prod"));
    for (const byName of Object.values(tf.resource!)) {
      for (const name of Object.keys(byName)) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      for (const name of Object.keys(byName)) expect(name).not.toMatch(/_[0-9A-F]{8}$/);
    }
  });

  it("refuse two resources with the same address", () => {
    const clash = probe("database", (s) => {
      new SsmParameter(s, "a_b", { name: "/one", type: "String", value: "1" });
      new SsmParameter(s, "a-b", { name: "/two", type: "String", value: "2" });
    });
    expect(() => synth(clash, env("dev"))).toThrow(
      /address resource aws_ssm_parameter\.a_b is claimed by both database\/a_b and database\/a-b/,
    );
  });
});
