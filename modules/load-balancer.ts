/**
 * Load balancing for container services.
 *
 * - `ApplicationLoadBalancer`: an ALB that drops invalid header fields, with an HTTPS listener
 *   (TLS policy + ACM certificate; unmatched paths answer 404) and an HTTP listener that redirects
 *   to it; without a certificate the HTTP listener serves the routes itself (HTTP-only, for
 *   environments that protect nothing). Optional access logs, deletion protection and WAF.
 * - `AlbTarget` (`alb.addTarget(scope, id, ...)`): an `ip` target group with a health check, and
 *   the listener rule that forwards the service's path patterns to it at a fixed priority.
 * - `NetworkLoadBalancerFront`: an internal NLB whose only target is the ALB (target type `alb`),
 *   the target of a REST API VPC link. REST VPC link traffic arrives through PrivateLink, so the
 *   NLB does not evaluate its security group for it (`enforce_security_group_inbound_rules_on_private_link_traffic = off`);
 *   the group still governs what the NLB may send to the ALB.
 *
 * Addresses: each construct's main resource takes its id (`aws_lb.<id>`); listeners are
 * `<id>_https` / `<id>_http` (and the blue/green test listener `<id>_test`), the WAF association
 * `<id>_waf`; a target's group takes the target's id and its rule `<id>_rule` (blue/green: the second
 * group `<id>_green`, the test listener's rule `<id>_test_rule`); the NLB's listener `<id>_listener`, its target group `<id>_alb` and the attachment `<id>_alb_attachment`.
 */
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { Metric } from "./alarm-set";

/** The TLS policy the kit uses unless told otherwise: TLS 1.3 and 1.2 with forward secrecy. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * Elastic Load Balancing's log-delivery account per region, for access log bucket policies in the
 * regions that opened before August 2022 (AWS: "Enable access logs for your Application Load
 * Balancer"). Newer regions use the `logdelivery.elasticloadbalancing.amazonaws.com` principal only.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-southeast-3": "589379963580",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
};

/** What a listener answers where no rule matches. */
const NOT_FOUND = {
  type: "fixed-response",
  fixedResponse: { contentType: "application/json", statusCode: "404", messageBody: '{"message":"no route"}' },
};

/** Load balancer and target group names: 1-32 of letters, digits, hyphens, no hyphen at either end. */
const LB_NAME_RE = /^(?=.{1,32}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

function checkName(owner: Construct, what: string, name: string): void {
  if (!LB_NAME_RE.test(name) || name.startsWith("internal-")) {
    throw new Error(
      `${owner.node.path}: ${what} name ${JSON.stringify(name)} must be 1-32 of A-Z a-z 0-9 - (no hyphen at either end, not internal-...)`,
    );
  }
}

export interface AccessLogsProps {
  /** Bucket in the load balancer's region with SSE-S3 and the ELB log-delivery policy. */
  readonly bucket: string;
  /** Key prefix. @default none */
  readonly prefix?: string;
}

export interface ApplicationLoadBalancerProps {
  /** Load balancer name (1-32 characters). */
  readonly name: string;
  /** Internal (private addresses only) rather than internet-facing. @default false */
  readonly internal?: boolean;
  /** Subnets, one per AZ (public subnets for internet-facing, private for internal). */
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** ACM certificate of the HTTPS listener. @default none: HTTP only, the HTTP listener serves the routes */
  readonly certificateArn?: string;
  /** TLS policy of the HTTPS listener. @default DEFAULT_SSL_POLICY */
  readonly sslPolicy?: string;
  /** Connection idle timeout in seconds. @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** @default false */
  readonly deletionProtection?: boolean;
  /** Access logs to S3. @default none */
  readonly accessLogs?: AccessLogsProps;
  /** Regional WAF web ACL to associate. @default none */
  readonly webAclArn?: string;
  /** Resources the load balancer waits for (the access log bucket's policy). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export interface TargetHealthCheck {
  /** @default "/" */
  readonly path?: string;
  /** @default "200" */
  readonly matcher?: string;
  /** @default 30 */
  readonly intervalSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly healthyThreshold?: number;
  /** @default 3 */
  readonly unhealthyThreshold?: number;
}

export interface AlbTargetProps {
  /** Target group name (1-32 characters). */
  readonly name: string;
  /** Port the targets (task ENIs) listen on. */
  readonly port: number;
  readonly vpcId: string;
  /** ALB path patterns forwarded to the group (1-5). */
  readonly pathPatterns: readonly string[];
  /** Listener rule priority, 1-50000, unique on the listener; lower is evaluated first. */
  readonly priority: number;
  /** @default the TargetHealthCheck defaults */
  readonly healthCheck?: TargetHealthCheck;
  /** Seconds draining targets keep their connections. @default 30 */
  readonly deregistrationDelaySeconds?: number;
  /**
   * Blue/green: the name of a second, identical target group (`<id>_green`). CodeDeploy moves the
   * service between the two and rewrites the listener rules' forward actions as it shifts traffic,
   * so the rules then ignore changes to `action`. @default none (one target group, rules owned by Terraform)
   */
  readonly greenName?: string;
  /**
   * Blue/green: a test listener that gets the same path rule (`<id>_test_rule`), forwarding to the
   * first group until CodeDeploy points it at the new tasks. Needs `greenName`. @default none
   */
  readonly testListener?: LbListener;
}

/** An `ip` target group and the listener rule that routes to it (blue/green: two groups, and a rule on the test listener). */
export class AlbTarget extends Construct {
  readonly targetGroup: LbTargetGroup;
  readonly rule: LbListenerRule;
  readonly arn: string;
  /** The CloudWatch `TargetGroup` dimension (`targetgroup/<name>/<id>`). */
  readonly arnSuffix: string;
  /** Blue/green: the second target group. */
  readonly greenTargetGroup?: LbTargetGroup;
  /** Blue/green: the rule on the test listener. */
  readonly testRule?: LbListenerRule;

  constructor(scope: Construct, id: string, listener: LbListener, props: AlbTargetProps) {
    super(scope, id);
    checkName(this, "target group", props.name);
    if (!Number.isInteger(props.priority) || props.priority < 1 || props.priority > 50000) {
      throw new Error(`${this.node.path}: priority must be 1-50000, got ${props.priority}`);
    }
    if (props.pathPatterns.length < 1 || props.pathPatterns.length > 5) {
      throw new Error(`${this.node.path}: a listener rule takes 1-5 path patterns, got ${props.pathPatterns.length}`);
    }
    if (props.testListener && !props.greenName)
      throw new Error(`${this.node.path}: a test listener rule needs the second (green) target group`);
    if (props.greenName !== undefined) checkName(this, "target group", props.greenName);
    const hc = props.healthCheck ?? {};
    const group = (id: string, name: string) =>
      new LbTargetGroup(this, id, {
        name,
        targetType: "ip",
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        port: props.port,
        vpcId: props.vpcId,
        deregistrationDelay: String(props.deregistrationDelaySeconds ?? 30),
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: hc.path ?? "/",
          matcher: hc.matcher ?? "200",
          interval: hc.intervalSeconds ?? 30,
          timeout: hc.timeoutSeconds ?? 5,
          healthyThreshold: hc.healthyThreshold ?? 3,
          unhealthyThreshold: hc.unhealthyThreshold ?? 3,
        },
      });
    this.targetGroup = group("Resource", props.name);
    this.arn = this.targetGroup.arn;
    this.arnSuffix = this.targetGroup.arnSuffix;
    if (props.greenName !== undefined) this.greenTargetGroup = group("green", props.greenName);

    // With a green group CodeDeploy owns the forward actions (it rewrites them as weighted
    // forwards while shifting traffic and leaves them on whichever group is live).
    const rule = (id: string, on: LbListener) =>
      new LbListenerRule(this, id, {
        listenerArn: on.arn,
        priority: props.priority,
        action: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
        condition: [{ pathPattern: { values: [...props.pathPatterns] } }],
        lifecycle: this.greenTargetGroup ? { ignoreChanges: ["action"] } : undefined,
      });
    this.rule = rule("rule", listener);
    if (props.testListener) this.testRule = rule("test_rule", props.testListener);
  }
}

export class ApplicationLoadBalancer extends Construct {
  readonly lb: Lb;
  readonly arn: string;
  readonly arnSuffix: string;
  readonly dnsName: string;
  readonly zoneId: string;
  /** The HTTPS listener; undefined when HTTP-only. */
  readonly httpsListener?: LbListener;
  /** The HTTP listener: redirects to HTTPS, or serves the routes when HTTP-only. */
  readonly httpListener: LbListener;
  /** The listener routes are added to (HTTPS, else HTTP). */
  readonly routingListener: LbListener;
  /** The port of routingListener: 443 or 80. */
  readonly routingPort: number;

  constructor(scope: Construct, id: string, props: ApplicationLoadBalancerProps) {
    super(scope, id);
    checkName(this, "load balancer", props.name);
    if (props.subnetIds.length < 1) throw new Error(`${this.node.path}: a load balancer needs subnets`);

    this.lb = new Lb(this, "Resource", {
      name: props.name,
      loadBalancerType: "application",
      internal: props.internal ?? false,
      subnets: props.subnetIds,
      securityGroups: props.securityGroupIds,
      ipAddressType: "ipv4",
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableHttp2: true,
      idleTimeout: props.idleTimeoutSeconds ?? 60,
      enableDeletionProtection: props.deletionProtection ?? false,
      accessLogs: props.accessLogs ? { enabled: true, bucket: props.accessLogs.bucket, prefix: props.accessLogs.prefix } : undefined,
      dependsOn: props.dependsOn,
    });
    this.arn = this.lb.arn;
    this.arnSuffix = this.lb.arnSuffix;
    this.dnsName = this.lb.dnsName;
    this.zoneId = this.lb.zoneId;

    const notFound = NOT_FOUND;
    if (props.certificateArn) {
      this.httpsListener = new LbListener(this, "https", {
        loadBalancerArn: this.lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: props.sslPolicy ?? DEFAULT_SSL_POLICY,
        certificateArn: props.certificateArn,
        defaultAction: [notFound],
      });
      this.httpListener = new LbListener(this, "http", {
        loadBalancerArn: this.lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      });
    } else {
      this.httpListener = new LbListener(this, "http", {
        loadBalancerArn: this.lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [notFound],
      });
    }
    this.routingListener = this.httpsListener ?? this.httpListener;
    this.routingPort = this.httpsListener ? 443 : 80;

    if (props.webAclArn) {
      new Wafv2WebAclAssociation(this, "waf", { resourceArn: this.lb.arn, webAclArn: props.webAclArn });
    }
  }

  /** Routes `pathPatterns` on the routing listener to a new `ip` target group. */
  addTarget(scope: Construct, id: string, props: AlbTargetProps): AlbTarget {
    return new AlbTarget(scope, id, this.routingListener, props);
  }

  /**
   * The test listener of blue/green deployments (`<id>_test`): the routing listener's protocol,
   * TLS policy and certificate on another port, answering 404 where no rule matches. CodeDeploy
   * points its rules at the new tasks before production traffic moves. Who may reach the port is
   * the security group's decision (the port is not opened here).
   */
  addTestListener(port: number): LbListener {
    const routing = this.routingListener;
    if (port === 80 || port === this.routingPort)
      throw new Error(`${this.node.path}: the test listener needs a port other than 80 and ${this.routingPort}, got ${port}`);
    const https = routing === this.httpsListener;
    return new LbListener(this, "test", {
      loadBalancerArn: this.lb.arn,
      port,
      protocol: https ? "HTTPS" : "HTTP",
      sslPolicy: https ? routing.sslPolicyInput : undefined,
      certificateArn: https ? routing.certificateArnInput : undefined,
      defaultAction: [NOT_FOUND],
    });
  }
}

export interface NetworkLoadBalancerFrontProps {
  /** NLB name (1-32 characters). */
  readonly name: string;
  /** Name of the target group that holds the ALB (1-32 characters). */
  readonly targetGroupName: string;
  /** The ALB to forward to; its routing listener must exist before the attachment. */
  readonly alb: ApplicationLoadBalancer;
  /** Private subnets, one per AZ. */
  readonly subnetIds: string[];
  /** Security groups of the NLB (what it may send to the ALB). */
  readonly securityGroupIds: string[];
  readonly vpcId: string;
  /** @default false */
  readonly deletionProtection?: boolean;
}

/**
 * An internal NLB in front of an ALB: TCP on the ALB's routing port (443, or 80 when HTTP-only),
 * forwarded to a target group of type `alb`. Health checks ask the ALB over its own protocol; any
 * answer below 500 (including the default 404) means the ALB is up.
 */
export class NetworkLoadBalancerFront extends Construct {
  readonly lb: Lb;
  readonly arn: string;
  readonly dnsName: string;
  readonly listener: LbListener;
  readonly targetGroup: LbTargetGroup;

  constructor(scope: Construct, id: string, props: NetworkLoadBalancerFrontProps) {
    super(scope, id);
    checkName(this, "load balancer", props.name);
    checkName(this, "target group", props.targetGroupName);
    const port = props.alb.routingPort;

    this.lb = new Lb(this, "Resource", {
      name: props.name,
      loadBalancerType: "network",
      internal: true,
      subnets: props.subnetIds,
      securityGroups: props.securityGroupIds,
      ipAddressType: "ipv4",
      enableCrossZoneLoadBalancing: true,
      enableDeletionProtection: props.deletionProtection ?? false,
      // REST API VPC link traffic arrives through PrivateLink and carries no client security group.
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off",
    });
    this.arn = this.lb.arn;
    this.dnsName = this.lb.dnsName;

    this.targetGroup = new LbTargetGroup(this, "alb", {
      name: props.targetGroupName,
      targetType: "alb",
      protocol: "TCP",
      port,
      vpcId: props.vpcId,
      healthCheck: {
        enabled: true,
        protocol: port === 443 ? "HTTPS" : "HTTP",
        port: "traffic-port",
        path: "/",
        matcher: "200-499",
        interval: 30,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
    });
    new LbTargetGroupAttachment(this, "alb_attachment", {
      targetGroupArn: this.targetGroup.arn,
      targetId: props.alb.arn,
      port,
      // An ALB can be registered only once it has a listener on the port.
      dependsOn: [props.alb.routingListener],
    });
    this.listener = new LbListener(this, "listener", {
      loadBalancerArn: this.lb.arn,
      port,
      protocol: "TCP",
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on and draws; dimensions from the application layer's outputs)

/** An AWS/ApplicationELB metric of the load balancer (`LoadBalancer`: its ARN suffix), or of one target group of it. */
export function loadBalancerMetric(
  metricName: string,
  stat: string,
  dims: { readonly loadBalancer: string; readonly targetGroup?: string },
): Metric {
  const dimensions: Record<string, string> =
    dims.targetGroup === undefined
      ? { LoadBalancer: dims.loadBalancer }
      : { LoadBalancer: dims.loadBalancer, TargetGroup: dims.targetGroup };
  return { namespace: "AWS/ApplicationELB", metricName, dimensions, stat };
}
