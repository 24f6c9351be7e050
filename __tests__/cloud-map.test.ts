import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { Testing } from "cdktf";
import { cloudMapContract } from "../layers/05-cloud-map/contract";
import { CloudMapStack } from "../layers/05-cloud-map/stack";
import { ServiceDiscovery, type ServiceDiscoveryProps } from "../modules/service-discovery";
import { addedAddresses, env, envWith, ENVIRONMENTS, resource, resources, synth, type TerraformJson } from "./helpers";

const SERVICES = ["customers", "vets", "visits", "admin-server"];
const snake = (s: string) => s.replace(/-/g, "_");

describe.each(ENVIRONMENTS)("cloud-map layer (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synth(CloudMapStack, cfg);

  it("creates the private DNS namespace petclinic.local in the VPC of layer 01", () => {
    expect(resources(tf, "aws_service_discovery_private_dns_namespace")).toEqual({
      discovery: {
        name: "petclinic.local",
        vpc: "${data.terraform_remote_state.network.outputs.vpc_id}",
        description: `Service discovery of petclinic-${name} (replaces Eureka)`,
      },
    });
    expect(raw).toHaveResourceWithProperties(ServiceDiscoveryPrivateDnsNamespace, { name: "petclinic.local" });
  });

  it("creates one discovery service per application service: A and SRV records with the configured TTL, MULTIVALUE, ECS health", () => {
    const services = resources(tf, "aws_service_discovery_service");
    expect(Object.keys(services).sort()).toEqual(SERVICES.map((s) => `discovery_${snake(s)}`).sort());
    for (const s of SERVICES) {
      expect(services[`discovery_${snake(s)}`]).toEqual({
        name: s,
        description: `${s}.petclinic.local`,
        dns_config: {
          namespace_id: "${aws_service_discovery_private_dns_namespace.discovery.id}",
          routing_policy: "MULTIVALUE",
          dns_records: [
            { type: "A", ttl: 10 },
            { type: "SRV", ttl: 10 },
          ],
        },
        health_check_custom_config: { failure_threshold: 1 },
      });
    }
    expect(raw).toHaveResourceWithProperties(ServiceDiscoveryService, { name: "customers" });
  });

  it("stores state under its own key with encryption and the configured lock", () => {
    const s3 = tf.terraform!.backend!.s3;
    expect(s3).toMatchObject({
      bucket: cfg.backend.bucket,
      key: `platform/petclinic/${name}/05-cloud-map.tfstate`,
      encrypt: true,
      region: "us-west-2",
    });
    expect(s3.use_lockfile).toBe(cfg.backend.lockMode === "dynamodb" ? undefined : true);
  });

  it("reads only the network layer and calls no AWS data source", () => {
    expect(tf.data).toEqual({
      terraform_remote_state: {
        network: {
          backend: "s3",
          config: { bucket: cfg.backend.bucket, key: `platform/petclinic/${name}/01-network.tfstate`, region: "us-west-2" },
        },
      },
    });
  });

  it("publishes exactly the contract, and the mocks follow the config", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(cloudMapContract).sort());
    const ns = "aws_service_discovery_private_dns_namespace.discovery";
    expect(tf.output!.namespace_id.value).toBe(`\${${ns}.id}`);
    expect(tf.output!.namespace_name.value).toBe(`\${${ns}.name}`);
    expect(tf.output!.namespace_arn.value).toBe(`\${${ns}.arn}`);
    expect(tf.output!.service_ids.value).toEqual(
      Object.fromEntries(SERVICES.map((s) => [s, `\${aws_service_discovery_service.discovery_${snake(s)}.id}`])),
    );
    expect(tf.output!.service_arns.value).toEqual(
      Object.fromEntries(SERVICES.map((s) => [s, `\${aws_service_discovery_service.discovery_${snake(s)}.arn}`])),
    );
    expect(cloudMapContract.namespace_name.mock(cfg)).toBe("petclinic.local");
    expect(Object.keys(cloudMapContract.service_ids.mock(cfg)).sort()).toEqual([...SERVICES].sort());
    expect(Object.keys(cloudMapContract.service_arns.mock(cfg)).sort()).toEqual([...SERVICES].sort());
  });
});

describe("cloud-map layer options", () => {
  it("adding a service renames nothing (and adds only its discovery service)", () => {
    const after = synth(CloudMapStack, envWith("dev", { services: { billing: { port: 8085 } } })).tf;
    expect(addedAddresses(synth(CloudMapStack, env("dev")).tf, after)).toEqual(["aws_service_discovery_service.discovery_billing"]);
  });

  it("a configured namespace and TTL reach the resources, and the contract's mock name follows", () => {
    const cfg = envWith("dev", { cloudMap: { namespace: "clinic.internal", ttl: 60 } });
    const { tf } = synth(CloudMapStack, cfg);
    expect(resource(tf, "aws_service_discovery_private_dns_namespace", "discovery").name).toBe("clinic.internal");
    const vets = resource(tf, "aws_service_discovery_service", "discovery_vets") as {
      dns_config: { dns_records: unknown[] };
      description: string;
    };
    expect(vets.dns_config.dns_records).toEqual([
      { type: "A", ttl: 60 },
      { type: "SRV", ttl: 60 },
    ]);
    expect(vets.description).toBe("vets.clinic.internal");
    expect(cloudMapContract.namespace_name.mock(cfg)).toBe("clinic.internal");
  });
});

describe("ServiceDiscovery module", () => {
  const make = (props: Partial<ServiceDiscoveryProps>) => () =>
    JSON.parse(
      Testing.synthScope(
        (scope) => void new ServiceDiscovery(scope, "sd", { namespaceName: "a.local", vpcId: "vpc-1", services: ["x"], ...props }),
      ),
    ) as TerraformJson;

  it("defaults: TTL 10, A and SRV, MULTIVALUE; the namespace is the main resource", () => {
    // (Outside a PlatformStack, cdktf's default addresses apply: the values are what is checked.)
    const tf = make({})();
    expect(Object.values(resources(tf, "aws_service_discovery_private_dns_namespace"))).toEqual([
      { name: "a.local", vpc: "vpc-1", description: "Service discovery namespace a.local" },
    ]);
    expect(Object.values(resources(tf, "aws_service_discovery_service"))).toEqual([
      expect.objectContaining({
        name: "x",
        dns_config: expect.objectContaining({
          routing_policy: "MULTIVALUE",
          dns_records: [
            { type: "A", ttl: 10 },
            { type: "SRV", ttl: 10 },
          ],
        }),
        health_check_custom_config: { failure_threshold: 1 },
      }),
    ]);
    expect(Object.values(resources(make({ recordTypes: ["A"] })(), "aws_service_discovery_service"))).toEqual([
      expect.objectContaining({ dns_config: expect.objectContaining({ dns_records: [{ type: "A", ttl: 10 }] }) }),
    ]);
  });

  it("refuses names and TTLs Cloud Map would refuse, naming the value", () => {
    expect(make({ namespaceName: "Local" })).toThrow(/namespace "Local" is not a lower-case DNS name/);
    expect(make({ services: ["Bad_Name"] })).toThrow(/service "Bad_Name" is not a lower-case DNS label/);
    expect(make({ services: ["x", "x"] })).toThrow(/service "x" is listed twice/);
    expect(make({ ttl: -1 })).toThrow(/ttl -1 is not a whole number/);
    expect(make({ ttl: 1.5 })).toThrow(/ttl 1.5 is not a whole number/);
    expect(make({ recordTypes: [] })).toThrow(/recordTypes/);
  });
});

describe("cloud-map layer without the network layer", () => {
  it("refuses to synthesize, naming what it needs from layer 01", () => {
    const base = env("dev");
    expect(() => synth(CloudMapStack, { ...base, layers: { ...base.layers, network: { enabled: false } } })).toThrow(
      "layer cloud-map needs layer network (the namespace is created in its VPC); enable layers.network or disable layers.cloud-map",
    );
  });
});
