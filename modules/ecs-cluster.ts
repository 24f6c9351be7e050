/**
 * An ECS cluster for Fargate: Container Insights, and the FARGATE / FARGATE_SPOT capacity
 * providers associated so services can split their tasks between them.
 *
 * Addresses: the cluster takes the construct's id (`aws_ecs_cluster.<id>`), and so does its
 * capacity provider association (`aws_ecs_cluster_capacity_providers.<id>`).
 */
import { EcsCluster as AwsEcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { Construct } from "constructs";

export type ContainerInsights = "enabled" | "enhanced" | "disabled";

export interface EcsClusterProps {
  /** Cluster name (1-255 of letters, digits, hyphens, underscores). */
  readonly name: string;
  /** CloudWatch Container Insights. @default "enabled" */
  readonly containerInsights?: ContainerInsights;
  /**
   * Share of tasks on FARGATE_SPOT for services that do not set their own strategy (0-100).
   * @default 0 (every task on FARGATE)
   */
  readonly defaultSpotPercent?: number;
}

export class EcsCluster extends Construct {
  readonly cluster: AwsEcsCluster;
  readonly name: string;
  readonly arn: string;
  /**
   * The capacity provider association. A service that uses a capacity provider strategy must be
   * created after it (depend on this).
   */
  readonly capacityProviders: EcsClusterCapacityProviders;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(props.name))
      throw new Error(`${this.node.path}: cluster name ${JSON.stringify(props.name)} must be 1-255 of A-Z a-z 0-9 _ -`);
    const spot = props.defaultSpotPercent ?? 0;
    if (!Number.isInteger(spot) || spot < 0 || spot > 100)
      throw new Error(`${this.node.path}: defaultSpotPercent must be 0-100, got ${spot}`);

    this.cluster = new AwsEcsCluster(this, "Resource", {
      name: props.name,
      setting: [{ name: "containerInsights", value: props.containerInsights ?? "enabled" }],
    });
    this.name = this.cluster.name;
    this.arn = this.cluster.arn;

    this.capacityProviders = new EcsClusterCapacityProviders(this, "Default", {
      clusterName: this.cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategy: fargateStrategy(spot).map((s) => ({ ...s })),
    });
  }
}

/** A capacity provider strategy item. */
export interface CapacityProviderShare {
  readonly capacityProvider: "FARGATE" | "FARGATE_SPOT";
  readonly weight: number;
  readonly base?: number;
}

/**
 * The capacity provider strategy for a Spot share: weights FARGATE (100 - spot) and FARGATE_SPOT
 * (spot), zero weights left out, and `onDemandBase` tasks placed on FARGATE before the weights
 * apply (ECS satisfies the base first). Without an explicit base, a share below 100 keeps the
 * first task on-demand (base 1), so a Spot reclaim never takes the whole service away; a share of
 * 100 with a base writes FARGATE with weight 0 (it takes the base only).
 */
export function fargateStrategy(spotPercent: number, onDemandBase?: number): CapacityProviderShare[] {
  if (spotPercent <= 0) return [{ capacityProvider: "FARGATE", weight: 1 }];
  const base = onDemandBase ?? (spotPercent < 100 ? 1 : 0);
  if (!Number.isInteger(base) || base < 0) throw new Error(`fargateStrategy: onDemandBase must be a whole number >= 0, got ${base}`);
  if (spotPercent >= 100 && base === 0) return [{ capacityProvider: "FARGATE_SPOT", weight: 1 }];
  return [
    { capacityProvider: "FARGATE", weight: Math.max(0, 100 - spotPercent), ...(base > 0 ? { base } : {}) },
    { capacityProvider: "FARGATE_SPOT", weight: Math.min(100, spotPercent) },
  ];
}
