import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { NetworkStack } from "../layers/01-network/stack";
import { addresses, env, ENVIRONMENTS, envWith, expectS3Backend, policy, prodWithThirdAz, resource, resources, synth } from "./helpers";

describe.each(ENVIRONMENTS)("network layer (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synth(NetworkStack, cfg);

  it("creates the VPC with DNS support and the seed's CIDR", () => {
    expect(raw).toHaveResourceWithProperties(Vpc, { cidr_block: "10.0.0.0/16", enable_dns_support: true, enable_dns_hostnames: true });
  });

  it("creates a public, app and data subnet per AZ with the seed's CIDRs and no public IPs", () => {
    const expected: Record<string, string> = {
      vpc_public_us_west_2a: "10.0.1.0/24",
      vpc_public_us_west_2b: "10.0.2.0/24",
      vpc_app_us_west_2a: "10.0.3.0/24",
      vpc_app_us_west_2b: "10.0.4.0/24",
      vpc_data_us_west_2a: "10.0.5.0/24",
      vpc_data_us_west_2b: "10.0.6.0/24",
    };
    const subnets = resources(tf, "aws_subnet");
    expect(Object.keys(subnets).sort()).toEqual(Object.keys(expected).sort());
    for (const [addr, cidr] of Object.entries(expected)) {
      expect(subnets[addr].cidr_block).toBe(cidr);
      expect(subnets[addr].availability_zone).toBe(addr.endsWith("2a") ? "us-west-2a" : "us-west-2b");
      expect(subnets[addr].map_public_ip_on_launch).toBe(false);
    }
    expect(raw).toHaveResourceWithProperties(Subnet, { tags: expect.objectContaining({ Tier: "data" }) });
  });

  it("routes the public tier to the internet gateway, the app tier to NAT, and gives the data tier no default route", () => {
    const routes = resources(tf, "aws_route");
    expect(routes.vpc_public_internet).toMatchObject({
      destination_cidr_block: "0.0.0.0/0",
      gateway_id: "${aws_internet_gateway.vpc_igw.id}",
    });
    for (const az of cfg.aws.azs) {
      const suffix = az.replace(/-/g, "_");
      expect(routes[`vpc_app_${suffix}_nat`].destination_cidr_block).toBe("0.0.0.0/0");
      expect(routes[`vpc_app_${suffix}_nat`].nat_gateway_id).toMatch(/^\$\{aws_nat_gateway\.vpc_nat_us_west_2[ab]\.id\}$/);
    }
    const dataRoutes = Object.entries(routes).filter(([k]) => k.startsWith("vpc_data_"));
    expect(dataRoutes).toEqual([]);
    const associations = resources(tf, "aws_route_table_association");
    expect(associations.vpc_data_us_west_2a_association.route_table_id).toBe("${aws_route_table.vpc_data_us_west_2a_routes.id}");
  });

  it(`has NAT gateways per the tier (${cfg.network.nat})`, () => {
    const nats = Object.keys(resources(tf, "aws_nat_gateway")).sort();
    if (cfg.network.nat === "per-az") expect(nats).toEqual(["vpc_nat_us_west_2a", "vpc_nat_us_west_2b"]);
    else expect(nats).toEqual(["vpc_nat_us_west_2a"]);
    for (const n of nats) expect(resource(tf, "aws_nat_gateway", n).subnet_id).toBe(`\${aws_subnet.${n.replace("nat", "public")}.id}`);
    // A single NAT serves every AZ's app route table.
    const routes = resources(tf, "aws_route");
    if (cfg.network.nat === "single") expect(routes.vpc_app_us_west_2b_nat.nat_gateway_id).toBe("${aws_nat_gateway.vpc_nat_us_west_2a.id}");
    else expect(routes.vpc_app_us_west_2b_nat.nat_gateway_id).toBe("${aws_nat_gateway.vpc_nat_us_west_2b.id}");
  });

  it("empties the default security group and main route table", () => {
    expect(resource(tf, "aws_default_security_group", "vpc_default_security_group")).toMatchObject({ ingress: [], egress: [] });
    expect(resource(tf, "aws_default_route_table", "vpc_default_route_table")).toMatchObject({ route: [] });
  });

  it("creates gateway endpoints on the private route tables and the seed's interface endpoints with private DNS", () => {
    const eps = resources(tf, "aws_vpc_endpoint");
    expect(eps.endpoints_s3).toMatchObject({ vpc_endpoint_type: "Gateway", service_name: "com.amazonaws.us-west-2.s3" });
    expect(eps.endpoints_s3.route_table_ids).toHaveLength(4);
    expect(eps.endpoints_dynamodb.vpc_endpoint_type).toBe("Gateway");
    const interfaces = Object.values(eps)
      .filter((e) => e.vpc_endpoint_type === "Interface")
      .map((e) => String(e.service_name).replace("com.amazonaws.us-west-2.", ""))
      .sort();
    expect(interfaces).toEqual(["ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "ssm", "xray"]);
    expect(raw).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: "com.amazonaws.us-west-2.ecr.api",
      private_dns_enabled: true,
      security_group_ids: ["${aws_security_group.endpoints_security_group.id}"],
    });
    // The endpoint security group is created with no inline rules; the security layer adds them.
    const sg = resource(tf, "aws_security_group", "endpoints_security_group");
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  it("sends flow logs to an encrypted log group with retention through a scoped role", () => {
    expect(raw).toHaveResourceWithProperties(FlowLog, {
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      vpc_id: "${aws_vpc.vpc.id}",
    });
    const group = resource(tf, "aws_cloudwatch_log_group", "flow_logs_log_group");
    expect(group).toMatchObject({ name: `/petclinic/${name}/network/flow-logs`, retention_in_days: cfg.logging.retentionDays });
    expect(group.kms_key_id).toBe("${aws_kms_key.flow_logs_kms.arn}");
    expect(resource(tf, "aws_kms_key", "flow_logs_kms").enable_key_rotation).toBe(true);
    const trust = policy(resource(tf, "aws_iam_role", "flow_logs_role").assume_role_policy);
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: "vpc-flow-logs.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": cfg.aws.accountId } },
    });
    const perms = policy(resource(tf, "aws_iam_role_policy", "flow_logs_role_deliver").policy);
    // Writes are scoped to the group; only DescribeLogGroups, which takes no resource type, stands on "*".
    for (const st of perms.Statement) {
      if (st.Resource === "*") expect(st.Action).toEqual(["logs:DescribeLogGroups"]);
    }
    const [groupArn, streams] = perms.Statement.find((st) => st.Sid === "WriteFlowLogs")!.Resource as string[];
    expect(groupArn).toBe(`arn:aws:logs:us-west-2:${cfg.aws.accountId}:log-group:/petclinic/${name}/network/flow-logs`);
    expect(streams).toBe(`${groupArn}:*`);
  });

  it("stores state under its own key with encryption and the configured lock", () => {
    const s3 = expectS3Backend(tf, cfg, `platform/petclinic/${name}/01-network.tfstate`);
    if (cfg.backend.lockMode === "s3") expect(s3.dynamodb_table).toBeUndefined();
    else expect(s3.dynamodb_table).toBe(`petclinic-${name}-tflock`);
  });

  it("publishes exactly the network contract", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(
      [
        "app_route_table_ids",
        "app_subnet_cidrs",
        "app_subnet_ids",
        "azs",
        "data_route_table_ids",
        "data_subnet_cidrs",
        "data_subnet_ids",
        "endpoint_security_group_id",
        "flow_log_group_name",
        "gateway_endpoint_prefix_list_ids",
        "interface_endpoint_services",
        "nat_public_ips",
        "public_subnet_ids",
        "vpc_cidr",
        "vpc_id",
      ].sort(),
    );
    expect(tf.output!.vpc_id.value).toBe("${aws_vpc.vpc.id}");
    expect(tf.output!.gateway_endpoint_prefix_list_ids.value).toEqual({
      s3: "${aws_vpc_endpoint.endpoints_s3.prefix_list_id}",
      dynamodb: "${aws_vpc_endpoint.endpoints_dynamodb.prefix_list_id}",
    });
  });

  it("reads no other layer and calls no AWS data source", () => {
    expect(tf.data).toBeUndefined();
  });
});

describe("network layer options", () => {
  it("adding an AZ renames no existing address", () => {
    const two = synth(NetworkStack, env("prod")).tf;
    const three = synth(NetworkStack, prodWithThirdAz()).tf;
    const before = addresses(two);
    const after = addresses(three);
    expect(before.filter((a) => !after.includes(a))).toEqual([]);
    expect(after).toContain("aws_subnet.vpc_app_us_west_2c");
    expect(after).toContain("aws_nat_gateway.vpc_nat_us_west_2c");
    // Existing subnets keep their CIDRs.
    expect(resource(three, "aws_subnet", "vpc_app_us_west_2a").cidr_block).toBe("10.0.3.0/24");
  });

  it("switching NAT from single to per-az keeps the first NAT gateway's address", () => {
    const single = addresses(synth(NetworkStack, envWith("dev", { network: { nat: "single" } })).tf);
    const perAz = addresses(synth(NetworkStack, env("dev")).tf);
    expect(single.filter((a) => !perAz.includes(a))).toEqual([]);
  });

  it("routes every AZ through one NAT gateway with nat single", () => {
    const { tf } = synth(NetworkStack, envWith("dev", { network: { nat: "single" } }));
    expect(Object.keys(resources(tf, "aws_nat_gateway"))).toEqual(["vpc_nat_us_west_2a"]);
    expect(resource(tf, "aws_route", "vpc_app_us_west_2b_nat").nat_gateway_id).toBe("${aws_nat_gateway.vpc_nat_us_west_2a.id}");
  });

  it("builds no NAT and no default app route with nat none", () => {
    // With no NAT the GenAI function would have no path to Bedrock (a config rule); it is off here.
    // The collector's ECR Public image would need NAT too (a config rule): it is off here.
    const { tf } = synth(
      NetworkStack,
      envWith("dev", {
        network: { nat: "none" },
        layers: { "lambda-genai": { enabled: false } },
        application: { collector: { enabled: false } },
      }),
    );
    expect(resources(tf, "aws_nat_gateway")).toEqual({});
    expect(Object.keys(resources(tf, "aws_route"))).toEqual(["vpc_public_internet"]);
  });

  it("computes subnets from the layout when none are listed", () => {
    const { tf } = synth(NetworkStack, envWith("dev", { network: { subnets: null, cidr: "10.20.0.0/16" } }));
    expect(resource(tf, "aws_subnet", "vpc_public_us_west_2a").cidr_block).toBe("10.20.0.0/24");
    expect(resource(tf, "aws_subnet", "vpc_app_us_west_2b").cidr_block).toBe("10.20.17.0/24");
    expect(resource(tf, "aws_subnet", "vpc_data_us_west_2a").cidr_block).toBe("10.20.32.0/24");
  });

  it("turns flow logs and their key off from config", () => {
    const noKey = synth(NetworkStack, envWith("dev", { network: { flowLogs: { kmsEncrypted: false } } })).tf;
    expect(resources(noKey, "aws_kms_key")).toEqual({});
    expect(resource(noKey, "aws_cloudwatch_log_group", "flow_logs_log_group").kms_key_id).toBeUndefined();
    const off = synth(NetworkStack, envWith("dev", { network: { flowLogs: { enabled: false } } })).tf;
    expect(resources(off, "aws_flow_log")).toEqual({});
    expect(off.output!.flow_log_group_name.value).toBe("");
  });

  it("can auto-assign public IPs in the public tier only", () => {
    const { tf } = synth(NetworkStack, envWith("dev", { network: { publicSubnetsMapPublicIp: true } }));
    expect(resource(tf, "aws_subnet", "vpc_public_us_west_2a").map_public_ip_on_launch).toBe(true);
    expect(resource(tf, "aws_subnet", "vpc_app_us_west_2a").map_public_ip_on_launch).toBe(false);
  });
});
