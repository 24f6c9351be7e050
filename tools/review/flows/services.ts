/**
 * Flows of the ECS services: load balancer -> service, service -> database, cache, parameters and
 * secrets its container definitions name. The database and cache flows also prove the credentials:
 * how the task obtains them and whether they survive rotation (FACTS.ECS_SECRETS_AT_START), and for
 * IAM-authenticated cache users the elasticache:Connect permission and client settings
 * (FACTS.ELASTICACHE_IAM_AUTH).
 */
import type { Resource } from "../model";
import { block, blocks, isObj, num, parseJson, str } from "../tf";
import type { FlowContext } from "./context";
import { FACTS } from "./service-context";
import { hop, makeFlow, type Flow, type Hop } from "./types";

interface Injected {
  readonly name: string;
  /** Rendered valueFrom. */
  readonly from: string;
  readonly raw: string;
  readonly kind: "ssm" | "secretsmanager" | "other";
}

interface Task {
  readonly service: Resource;
  readonly def: Resource | undefined;
  readonly name: string;
  readonly groups: Resource[];
  readonly subnets: Resource[];
  readonly taskRole?: Resource;
  readonly execRole?: Resource;
  readonly secrets: Injected[];
  readonly env: Record<string, string>;
  /** Rendered image of each container, and its awslogs group. */
  readonly containers: { readonly name: string; readonly image: string; readonly logGroup?: string }[];
}

export function tasksOf(c: FlowContext): Task[] {
  return c.model.resources("aws_ecs_service").map((service) => {
    const def = c.model.resolve(service.stack, service.config.task_definition).find((r) => r.type === "aws_ecs_task_definition");
    const net = block(service.config.network_configuration);
    const containers = def ? ((parseJson(def.attrs.container_definitions) as unknown[] | undefined) ?? []) : [];
    const secrets: Injected[] = [];
    const env: Record<string, string> = {};
    const images: { name: string; image: string; logGroup?: string }[] = [];
    for (const ct of containers) {
      if (!isObj(ct)) continue;
      const log =
        isObj(ct.logConfiguration) && ct.logConfiguration.logDriver === "awslogs" && isObj(ct.logConfiguration.options)
          ? ct.logConfiguration.options["awslogs-group"]
          : undefined;
      images.push({
        name: String(ct.name),
        image: c.sym.render(def!.stack, String(ct.image ?? "")),
        logGroup: typeof log === "string" ? c.sym.render(def!.stack, log) : undefined,
      });
      for (const s of blocks(ct.secrets)) {
        const raw = String(s.valueFrom ?? "");
        const from = c.sym.render(def!.stack, raw);
        secrets.push({
          name: String(s.name),
          from,
          raw,
          kind: from.includes(":ssm:") ? "ssm" : from.includes(":secretsmanager:") ? "secretsmanager" : "other",
        });
      }
      for (const e of blocks(ct.environment)) env[String(e.name)] = c.sym.render(def!.stack, String(e.value ?? ""));
    }
    return {
      service,
      def,
      name: str(service.attrs.name) ?? service.name,
      groups: net ? c.network.groups(service.stack, net.security_groups) : [],
      subnets: net ? c.model.resolve(service.stack, net.subnets).filter((r) => r.type === "aws_subnet") : [],
      taskRole: def ? c.policies.roleOf(def.stack, def.config.task_role_arn) : undefined,
      execRole: def ? c.policies.roleOf(def.stack, def.config.execution_role_arn) : undefined,
      secrets,
      env,
      containers: images,
    };
  });
}

/** What a task needs to start: its image pulled from ECR and its log stream, by the execution role through the subnets' routes. */
function startFlows(c: FlowContext, t: Task): Flow[] {
  const out: Flow[] = [];
  for (const ct of t.containers) {
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/.exec(ct.image);
    if (m) {
      const repo = c.model.resources("aws_ecr_repository").find((r) => c.sym.nameOf(r) === m[3]);
      const hops: Hop[] = [
        hop(
          "credentials",
          "repository exists",
          !!repo,
          repo ? repo.id : `no stack creates repository ${m[3]}`,
          "create the repository or fix the image",
        ),
      ];
      if (!t.execRole)
        hops.push(hop("identity", "execution role", false, "the task definition names no execution role", "set execution_role_arn"));
      else {
        hops.push(c.roleToArn(t.execRole, "ecr:GetAuthorizationToken", "*", "registry"));
        const arn = repo ? c.sym.arn(repo) : c.sym.arnOf("ecr", `repository/${m[3]}`);
        for (const a of ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
          hops.push(c.roleToArn(t.execRole, a, arn, `repository ${m[3]}`));
      }
      for (const svc of ["ecr.api", "ecr.dkr", "s3"]) hops.push(...c.network.toAwsService(svc, t.groups, t.subnets));
      out.push(makeFlow(`service:${t.name}->image:${ct.name}`, "service-start", `service ${t.name}`, `image ${m[3]}`, hops));
    }
    if (ct.logGroup && t.execRole) {
      const group = c.model.resources("aws_cloudwatch_log_group").find((g) => c.sym.nameOf(g) === ct.logGroup);
      const stream = `${c.sym.arnOf("logs", `log-group:${ct.logGroup}`)}:log-stream:${ct.name}/${ct.name}/task`;
      const hops: Hop[] = [
        hop(
          "credentials",
          "log group exists",
          !!group,
          group ? group.id : `no stack creates log group ${ct.logGroup}`,
          "create the log group",
        ),
        ...["logs:CreateLogStream", "logs:PutLogEvents"].map((a) => c.roleToArn(t.execRole!, a, stream, `log group ${ct.logGroup}`)),
        ...c.network.toAwsService("logs", t.groups, t.subnets),
      ];
      out.push(makeFlow(`service:${t.name}->logs:${ct.name}`, "service-start", `service ${t.name}`, `log group ${ct.logGroup}`, hops));
    }
  }
  return out;
}

/** The SSM parameter a rendered ARN names, if the environment creates it. */
function parameterOf(c: FlowContext, arn: string): Resource | undefined {
  return c.model.resources("aws_ssm_parameter").find((p) => c.sym.arn(p) === arn);
}

/** Does an injected value lead to `target` (directly, or through a parameter whose value names it)? */
function leadsTo(c: FlowContext, t: Task, s: Injected, target: Resource): boolean {
  if (s.from.includes(`⟦${target.id}.`)) return true;
  if (t.def && c.model.resolve(t.def.stack, s.raw).some((r) => r.id === target.id)) return true;
  const p = s.kind === "ssm" ? parameterOf(c, s.from) : undefined;
  return !!p && c.model.resolve(p.stack, p.config.value).some((r) => r.id === target.id || c.model.refersTo(r, target));
}

export function serviceFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const dbs = c.model.resources(["aws_db_instance", "aws_rds_cluster"]);
  const caches = c.model.resources("aws_elasticache_replication_group");
  for (const t of tasksOf(c)) {
    const who = `service ${t.name}`;
    out.push(...loadBalancerFlows(c, t));
    out.push(...startFlows(c, t));
    for (const db of dbs) {
      const via = t.secrets.filter((s) => leadsTo(c, t, s, db));
      const envVia = Object.values(t.env).some((v) => v.includes(`⟦${db.id}.`));
      if (via.length || envVia) out.push(databaseFlow(c, t, db, via));
    }
    for (const cache of caches) {
      const via = t.secrets.filter((s) => leadsTo(c, t, s, cache));
      const envVia = Object.values(t.env).some((v) => v.includes(`⟦${cache.id}.`));
      if (via.length || envVia) out.push(cacheFlow(c, t, cache));
    }
    for (const s of t.secrets) {
      const id = `service:${t.name}->${s.kind}:${s.name}`;
      if (s.kind === "other") {
        out.push(
          makeFlow(id, "service-secret", who, s.from, [
            hop(
              "credentials",
              "valueFrom",
              false,
              `valueFrom ${s.from} is neither an SSM parameter nor a Secrets Manager ARN`,
              "use a full parameter or secret ARN",
            ),
          ]),
        );
        continue;
      }
      const hops: Hop[] = [];
      if (!t.execRole)
        hops.push(
          hop(
            "identity",
            "execution role",
            false,
            "the task definition names no execution role of the environment",
            "set execution_role_arn",
          ),
        );
      if (s.kind === "ssm") {
        const p = parameterOf(c, s.from);
        hops.push(
          hop(
            "credentials",
            "parameter exists",
            !!p,
            p ? `${p.id}` : `no stack creates parameter ${s.from}`,
            "create the parameter in the parameters layer or fix the name",
          ),
        );
        if (t.execRole && p) hops.push(c.roleToResource(t.execRole, "ssm:GetParameters", p), ...c.roleToKey(t.execRole, p, "ssm"));
        hops.push(...c.network.toAwsService("ssm", t.groups, t.subnets));
      } else {
        // valueFrom is <secret arn>[:<json key>:<version stage>:<version id>]; the ARN has 7 parts.
        const arn = s.from.split(":").slice(0, 7).join(":");
        const owner = c.model
          .resources(["aws_db_instance", "aws_rds_cluster", "aws_secretsmanager_secret"])
          .find(
            (r) =>
              arn === (r.type === "aws_secretsmanager_secret" ? c.sym.arn(r) : c.sym.attr(r, ["master_user_secret", "0", "secret_arn"])),
          );
        hops.push(
          hop(
            "credentials",
            "secret exists",
            !!owner,
            owner ? `${owner.id}` : `no stack creates secret ${arn}`,
            "reference a secret the environment creates",
          ),
        );
        if (t.execRole && owner) {
          hops.push(c.roleToArn(t.execRole, "secretsmanager:GetSecretValue", arn, `secret of ${c.label(owner)}`));
          const keyHolder = owner;
          hops.push(...c.roleToKey(t.execRole, keyHolder, "secretsmanager"));
        }
        hops.push(...c.network.toAwsService("secretsmanager", t.groups, t.subnets));
      }
      out.push(makeFlow(id, "service-secret", who, s.from, hops));
    }
  }
  return out;
}

function loadBalancerFlows(c: FlowContext, t: Task): Flow[] {
  const out: Flow[] = [];
  for (const lb of blocks(t.service.config.load_balancer)) {
    const tg = c.model.resolve(t.service.stack, lb.target_group_arn).find((r) => r.type === "aws_lb_target_group");
    const port = num(lb.container_port) ?? 0;
    if (!tg) continue;
    const hops: Hop[] = [];
    const rules = c.model.resources(["aws_lb_listener_rule", "aws_lb_listener"]).filter((r) => c.model.refersTo(r, tg));
    hops.push(
      hop(
        "route",
        "listener forwards to the target group",
        rules.length > 0,
        rules.length ? rules.map((r) => r.name).join(", ") : `no listener or rule forwards to ${c.label(tg)}`,
        "add a listener rule for the service's paths",
      ),
    );
    const listeners = rules.flatMap((r) =>
      r.type === "aws_lb_listener" ? [r] : c.model.resolve(r.stack, r.config.listener_arn).filter((x) => x.type === "aws_lb_listener"),
    );
    const lbs = [
      ...new Map(
        listeners
          .flatMap((l) => c.model.resolve(l.stack, l.config.load_balancer_arn).filter((x) => x.type === "aws_lb"))
          .map((x) => [x.id, x]),
      ).values(),
    ];
    for (const alb of lbs) {
      hops.push(
        ...c.network.sgPath(
          `${alb.name} -> ${t.name}`,
          c.network.groups(alb.stack, alb.config.security_groups),
          t.groups,
          port,
          c.network.subnetsOf(alb),
          t.subnets,
        ),
      );
      // IP targets in an AZ the load balancer is not enabled in receive no traffic.
      const azOf = (subnets: Resource[]) =>
        new Set(subnets.map((s) => c.sym.literal(s, "availability_zone")).filter((z): z is string => !!z && !z.startsWith("⟦")));
      const lbAzs = azOf(c.model.resolve(alb.stack, alb.config.subnets).filter((r) => r.type === "aws_subnet"));
      const taskAzs = azOf(t.subnets);
      const missing = [...taskAzs].filter((z) => !lbAzs.has(z));
      if (lbAzs.size && taskAzs.size)
        hops.push(
          hop(
            "network",
            `${alb.name} enabled in the tasks' AZs`,
            !missing.length,
            missing.length
              ? `tasks run in ${missing.join(", ")} where ${alb.name} has no subnet: targets there get no traffic`
              : `${[...taskAzs].join(", ")}`,
            "give the load balancer a subnet in every AZ the service runs in",
          ),
        );
    }
    const tgPort = num(tg.attrs.port);
    hops.push(
      hop(
        "route",
        "target group port",
        tgPort === undefined || tgPort === port || tg.attrs.target_type === "ip",
        `target group port ${tgPort ?? "unset"}, container port ${port}`,
        "align the target group and container ports",
      ),
    );
    out.push(
      makeFlow(
        `lb->service:${t.name}`,
        "lb-service",
        lbs.map((l) => `lb ${l.name}`).join(", ") || "load balancer",
        `service ${t.name}:${port}`,
        hops,
      ),
    );
  }
  return out;
}

function databaseFlow(c: FlowContext, t: Task, db: Resource, via: Injected[]): Flow {
  const port = num(db.attrs.port) ?? (String(db.attrs.engine ?? "").includes("postgres") ? 5432 : 3306);
  const dbGroups = c.network.groups(db.stack, db.config.vpc_security_group_ids);
  const hops: Hop[] = [...c.network.sgPath(`${t.name} -> ${db.name}`, t.groups, dbGroups, port, t.subnets, c.network.subnetsOf(db))];
  const masterSecret = c.sym.attr(db, ["master_user_secret", "0", "secret_arn"]);
  const injectedMaster = via.filter((s) => s.kind === "secretsmanager" && s.from.split(":").slice(0, 7).join(":") === masterSecret);
  const managed = db.attrs.manage_master_user_password === true || db.attrs.manage_master_user_password === "true";
  const iamAuth = db.attrs.iam_database_authentication_enabled === true || db.attrs.iam_database_authentication_enabled === "true";
  const user = toldUser(t);
  const userArn = (name: string) =>
    c.sym.arnOf("rds-db", `dbuser:${c.sym.attr(db, db.type === "aws_db_instance" ? ["resource_id"] : ["cluster_resource_id"])}/${name}`);
  const usesIamAuth = t.taskRole && user ? c.roleToArn(t.taskRole, "rds-db:connect", userArn(user.value), "database user").ok : false;
  if (injectedMaster.length && managed) {
    const rotation = c.model
      .resources("aws_secretsmanager_secret_rotation")
      .find((r) => c.sym.render(r.stack, String(r.attrs.secret_id ?? "")) === masterSecret);
    const schedule = rotation
      ? c.sym.render(
          rotation.stack,
          String(
            block(rotation.attrs.rotation_rules)?.schedule_expression ??
              block(rotation.attrs.rotation_rules)?.automatically_after_days ??
              "on",
          ),
        )
      : "RDS default (7 days)";
    const restart = restartMechanism(c, t);
    hops.push(
      hop(
        "credentials",
        "credentials survive rotation",
        !!restart,
        restart
          ? `master secret injected at start (${injectedMaster.map((s) => s.name).join(", ")}); ${restart}`
          : `the master user's password is injected once at task start (${injectedMaster.map((s) => s.name).join(", ")}) and its secret rotates (${schedule}); nothing restarts the tasks, so new connections fail after rotation${iamAuth && !usesIamAuth ? "; IAM database authentication is on but no task role has rds-db:connect" : ""}`,
        `read the secret at connection time (task role secretsmanager:GetSecretValue, or rds-db:connect with IAM auth) or restart the service on rotation; connect as an application user, not the master (${FACTS.ECS_SECRETS_AT_START.source})`,
      ),
    );
  } else if (user && !via.some((s) => s.kind === "secretsmanager")) {
    // IAM database authentication: a token per connection, signed with the task role; nothing to rotate.
    hops.push(...iamUserHops(c, t, db, user, userArn(user.value), iamAuth));
  } else if (masterSecret && Object.values(t.env).some((v) => v === masterSecret)) {
    // The secret's ARN, read at connection time: a rotated password is read again.
    hops.push(
      t.taskRole
        ? c.roleToArn(t.taskRole, "secretsmanager:GetSecretValue", masterSecret, "database secret (read at run time)")
        : hop("identity", "task role", false, "the task definition names no task role to read the secret with", "set task_role_arn"),
    );
  } else {
    hops.push(hop("credentials", "credentials", true, `credentials from ${via.map((s) => s.name).join(", ") || "the environment"}`));
  }
  return makeFlow(`service:${t.name}->database:${db.name}`, "service-database", `service ${t.name}`, `${c.label(db)}:${port}`, hops);
}

/** The database user name a task is told (`DB_USER`, `SPRING_DATASOURCE_USERNAME`, ...), when it is a literal. */
function toldUser(t: Task): { name: string; value: string } | undefined {
  const hit = Object.entries(t.env).find(([k, v]) => /(^|_)(USER|USERNAME)$/.test(k) && v !== "" && !v.includes("⟦"));
  return hit ? { name: hit[0], value: hit[1] } : undefined;
}

/** TLS asked for by the task: an SSL or TLS setting that does not turn it off, or a URL parameter. */
function tlsSetting(c: FlowContext, t: Task): string | undefined {
  const off = /^(disable|disabled|false|off|none|0)$/i;
  const env = Object.entries(t.env).find(([k, v]) => /SSL|TLS/i.test(k) && v !== "" && !off.test(v));
  if (env) return `${env[0]}=${env[1]}`;
  for (const s of t.secrets.filter((x) => x.kind === "ssm")) {
    const p = parameterOf(c, s.from);
    const value = p ? c.sym.render(p.stack, String(p.attrs.value ?? "")) : "";
    const m = /[?&](ssl[-_]?mode|sslMode|useSSL|ssl)=([^&]+)/i.exec(value);
    if (m && !off.test(m[2])) return `${s.name} (${m[1]}=${m[2]})`;
  }
  return undefined;
}

/** The database accepts IAM authentication tokens. */
function iamAuthHop(c: FlowContext, db: Resource, on: boolean): Hop {
  return hop(
    "credentials",
    "IAM database authentication on",
    on,
    on ? "iam_database_authentication_enabled" : `${c.label(db)} does not accept IAM tokens`,
    "set iam_database_authentication_enabled",
  );
}

/** True when a database-users invocation (functions/db-users) creates the user `name` in the database `resourceId`. */
function userProvisioned(c: FlowContext, resourceId: string, name: string): boolean {
  return c.model.resources("aws_lambda_invocation").some((inv) => {
    const input = parseJson(c.sym.render(inv.stack, String(inv.attrs.input ?? ""))) as
      { users?: { name?: string }[]; database?: string } | undefined;
    return !!input && input.database === resourceId && (input.users ?? []).some((u) => u.name === name);
  });
}

/**
 * IAM database authentication end to end: the database accepts IAM tokens, the task role may
 * connect as exactly the user the task is told, the user exists (a provisioner's invocation creates
 * it in this database), and the connection uses TLS (RDS requires it for IAM tokens).
 */
function iamUserHops(c: FlowContext, t: Task, db: Resource, user: { name: string; value: string }, arn: string, iamAuth: boolean): Hop[] {
  // A read replica has the users of its source (replication): the provisioner creates them there.
  const source =
    db.type === "aws_db_instance"
      ? c.model.resolve(db.stack, db.config.replicate_source_db).find((r) => r.type === "aws_db_instance")
      : undefined;
  const owner = source ?? db;
  const resourceId = c.sym.attr(owner, owner.type === "aws_db_instance" ? ["resource_id"] : ["cluster_resource_id"]);
  const provisioned = userProvisioned(c, resourceId, user.value);
  const tls = tlsSetting(c, t);
  return [
    iamAuthHop(c, db, iamAuth),
    t.taskRole
      ? c.roleToArn(t.taskRole, "rds-db:connect", arn, `database user ${user.value} (${user.name})`)
      : hop("identity", "task role", false, "the task definition names no task role to sign the token with", "set task_role_arn"),
    hop(
      "credentials",
      `database user ${user.value} exists`,
      provisioned,
      provisioned
        ? `created by the provisioner's invocation${source ? ` in ${c.label(source)}, replicated to ${c.label(db)}` : ""}`
        : `no provisioner invocation creates user ${user.value} in ${c.label(owner)}`,
      "list the user in the database user provisioner (layer 03)",
    ),
    hop(
      "credentials",
      "TLS",
      !!tls,
      tls ?? "the task asks for no TLS (RDS refuses IAM tokens without it)",
      "set the driver's SSL mode (VERIFY_IDENTITY / verify-full)",
    ),
  ];
}

/**
 * Functions that administer a database (their environment names its endpoint): the network path to
 * its port, and the master secret they read at run time (so rotation does not matter).
 */
export function databaseAdminFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const dbs = c.model.resources(["aws_db_instance", "aws_rds_cluster"]);
  const rotationFunctions = new Set(
    c.model.resources("aws_secretsmanager_secret_rotation").flatMap((r) =>
      c.model
        .resolve(r.stack, r.config.rotation_lambda_arn)
        .filter((x) => x.type === "aws_lambda_function")
        .map((x) => x.id),
    ),
  );
  for (const fn of c.model.resources("aws_lambda_function")) {
    // A rotation function outside the VPC sets the password through the RDS API (rotationFlows).
    if (rotationFunctions.has(fn.id) && !block(fn.config.vpc_config)) continue;
    const vars = block(fn.attrs.environment)?.variables;
    const env = Object.fromEntries(Object.entries(isObj(vars) ? vars : {}).map(([k, v]) => [k, c.sym.render(fn.stack, String(v ?? ""))]));
    for (const db of dbs) {
      if (!Object.values(env).some((v) => v.includes(`⟦${db.id}.endpoint`) || v.includes(`⟦${db.id}.address`))) continue;
      const port = num(db.attrs.port) ?? (String(db.attrs.engine ?? "").includes("postgres") ? 5432 : 3306);
      const vpc = block(fn.config.vpc_config);
      const groups = vpc ? c.network.groups(fn.stack, vpc.security_group_ids) : [];
      const subnets = vpc ? c.model.resolve(fn.stack, vpc.subnet_ids).filter((r) => r.type === "aws_subnet") : [];
      const role = c.policies.roleOf(fn.stack, fn.config.role);
      const masterSecret = c.sym.attr(db, ["master_user_secret", "0", "secret_arn"]);
      const hops: Hop[] = [
        ...c.network.sgPath(
          `${fn.name} -> ${db.name}`,
          groups,
          c.network.groups(db.stack, db.config.vpc_security_group_ids),
          port,
          subnets,
          c.network.subnetsOf(db),
        ),
      ];
      if (masterSecret && Object.values(env).includes(masterSecret) && role) {
        hops.push(c.roleToArn(role, "secretsmanager:GetSecretValue", masterSecret, "master secret (read at run time)"));
        hops.push(...c.network.toAwsService("secretsmanager", groups, subnets));
      } else {
        // A function told a user of its own (genai.database): IAM database authentication end to end.
        const user = toldUser({ env } as Task);
        if (user) hops.push(...functionIamUserHops(c, fn, role, db, user, env));
      }
      out.push(makeFlow(`function:${fn.name}->database:${db.name}`, "function-database", c.label(fn), `${c.label(db)}:${port}`, hops));
    }
  }
  return out;
}

/**
 * Master secrets the kit rotates itself (RDS instances with read replicas): Secrets Manager may
 * invoke the rotation function for this secret, and the function's role may write the secret's
 * versions and set the instance's master password through the RDS API (it never connects).
 */
export function rotationFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  for (const rotation of c.model.resources("aws_secretsmanager_secret_rotation")) {
    const fn = c.model.resolve(rotation.stack, rotation.config.rotation_lambda_arn).find((x) => x.type === "aws_lambda_function");
    const secret = c.model.resolve(rotation.stack, rotation.config.secret_id).find((x) => x.type === "aws_secretsmanager_secret");
    if (!fn || !secret) continue;
    const vars = block(fn.attrs.environment)?.variables;
    const instance = isObj(vars) ? String(vars.DB_INSTANCE_IDENTIFIER ?? "") : "";
    const db = c.model.resources("aws_db_instance").find((d) => instance && c.sym.literal(d, "identifier") === instance);
    const role = c.policies.roleOf(fn.stack, fn.config.role);
    const secretArn = c.sym.arn(secret);
    const invoke = c.model
      .resources("aws_lambda_permission")
      .some(
        (p) =>
          c.model.refersTo(p, fn, "function_name") &&
          p.attrs.principal === "secretsmanager.amazonaws.com" &&
          c.model.refersTo(p, secret, "source_arn"),
      );
    const hops: Hop[] = [
      hop(
        "identity",
        "Secrets Manager may invoke the function for this secret",
        invoke,
        invoke
          ? "aws_lambda_permission (source_arn: the secret)"
          : `no permission lets secretsmanager.amazonaws.com invoke ${fn.name} for ${secret.name}`,
        "add an aws_lambda_permission with principal secretsmanager.amazonaws.com and source_arn the secret",
      ),
      hop(
        "credentials",
        "database instance",
        !!db,
        db ? db.id : `no stack creates DB instance ${instance || "(DB_INSTANCE_IDENTIFIER unset)"}`,
        "set DB_INSTANCE_IDENTIFIER to the instance the secret belongs to",
      ),
    ];
    if (role) {
      for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]) {
        hops.push(c.roleToArn(role, action, secretArn, `secret ${secret.name}`));
      }
      hops.push(...c.roleToKey(role, secret, "secretsmanager"));
      if (db) hops.push(c.roleToArn(role, "rds:ModifyDBInstance", c.sym.arnOf("rds", `db:${instance}`), `DB instance ${instance}`));
    } else {
      hops.push(hop("identity", "execution role", false, `${fn.name} has no role of the environment`, "set the function's role"));
    }
    out.push(
      makeFlow(
        `rotation:${secret.name}->database:${db?.name ?? instance}`,
        "function-database",
        c.label(fn),
        `${c.label(secret)} / ${db ? c.label(db) : instance}`,
        hops,
      ),
    );
  }
  return out;
}

/**
 * A function's IAM database authentication: the database accepts IAM tokens, the function's role
 * may connect as exactly the user it is told, a provisioner's invocation creates that user, and the
 * function asks for TLS (RDS refuses IAM tokens without it).
 */
function functionIamUserHops(
  c: FlowContext,
  fn: Resource,
  role: Resource | undefined,
  db: Resource,
  user: { name: string; value: string },
  env: Record<string, string>,
): Hop[] {
  const iamAuth = db.attrs.iam_database_authentication_enabled === true || db.attrs.iam_database_authentication_enabled === "true";
  const resourceId = c.sym.attr(db, db.type === "aws_db_instance" ? ["resource_id"] : ["cluster_resource_id"]);
  const arn = c.sym.arnOf("rds-db", `dbuser:${resourceId}/${user.value}`);
  const provisioned = userProvisioned(c, resourceId, user.value);
  const off = /^(disable|disabled|false|off|none|0)$/i;
  const tls = Object.entries(env).find(([k, v]) => /SSL|TLS/i.test(k) && v !== "" && !off.test(v));
  return [
    iamAuthHop(c, db, iamAuth),
    role
      ? c.roleToArn(role, "rds-db:connect", arn, `database user ${user.value} (${user.name})`)
      : hop(
          "identity",
          "function role",
          false,
          `${c.label(fn)} names no role of the environment to sign the token with`,
          "set the function's role",
        ),
    hop(
      "credentials",
      `database user ${user.value} exists`,
      provisioned,
      provisioned ? "created by the provisioner's invocation" : `no provisioner invocation creates user ${user.value} in ${c.label(db)}`,
      "list the user in the database user provisioner (layer 03)",
    ),
    hop(
      "credentials",
      "TLS",
      !!tls,
      tls ? `${tls[0]}=${tls[1]}` : "the function asks for no TLS (RDS refuses IAM tokens without it)",
      "set DB_SSL_MODE (VERIFY_IDENTITY / verify-full)",
    ),
  ];
}

/** An EventBridge rule on secret rotation whose target restarts ECS services, if any. */
function restartMechanism(c: FlowContext, t: Task): string | undefined {
  for (const rule of c.model.resources("aws_cloudwatch_event_rule")) {
    const pattern = String(rule.attrs.event_pattern ?? "");
    if (!pattern.includes("aws.secretsmanager") || !/Rotat/i.test(pattern)) continue;
    const targets = c.model.resources("aws_cloudwatch_event_target").filter((x) => c.model.refersTo(x, rule, "rule"));
    if (targets.length) return `rule ${rule.name} restarts on rotation (${targets.map((x) => x.name).join(", ")}) for ${t.name}`;
  }
  return undefined;
}

function cacheFlow(c: FlowContext, t: Task, cache: Resource): Flow {
  const port = num(cache.attrs.port) ?? 6379;
  const hops: Hop[] = [
    ...c.network.sgPath(
      `${t.name} -> ${cache.name}`,
      t.groups,
      c.network.groups(cache.stack, cache.config.security_group_ids),
      port,
      t.subnets,
      c.network.subnetsOf(cache),
    ),
  ];
  const groups = c.model.resolve(cache.stack, cache.config.user_group_ids).filter((r) => r.type === "aws_elasticache_user_group");
  const tls = cache.attrs.transit_encryption_enabled === true || cache.attrs.transit_encryption_enabled === "true";
  // What the task is told: its environment, and each injected value (an SSM parameter's own value when the environment creates it).
  const values = [
    ...Object.entries(t.env).map(([k, v]) => `${k}=${v}`),
    ...t.secrets.flatMap((s) => {
      const p = s.kind === "ssm" ? parameterOf(c, s.from) : undefined;
      return [
        `${s.name}=${s.from}`,
        ...(p && typeof p.attrs.value === "string" ? [`${s.name}=${c.sym.render(p.stack, p.attrs.value)}`] : []),
      ];
    }),
  ];
  if (groups.length) {
    const users = groups.flatMap((g) => c.model.resolve(g.stack, g.config.user_ids).filter((r) => r.type === "aws_elasticache_user"));
    const signIn = users.filter((u) => /^on\b/.test(String(u.attrs.access_string ?? "")));
    hops.push(
      hop(
        "credentials",
        "a user can sign in",
        signIn.length > 0,
        signIn.length ? signIn.map((u) => c.sym.nameOf(u)).join(", ") : "every user of the cache's user group is off",
        "enable an application user",
      ),
    );
    const iamUsers = signIn.filter((u) => block(u.attrs.authentication_mode)?.type === "iam");
    if (signIn.length && iamUsers.length === signIn.length) {
      const user = iamUsers[0];
      const userName = c.sym.literal(user, "user_name") ?? "";
      const extra = { "elasticache:userauthentication": ["iam"] };
      hops.push(
        t.taskRole
          ? c.roleToArn(t.taskRole, "elasticache:Connect", c.sym.arn(cache), `replication group ${c.sym.nameOf(cache)}`, extra)
          : hop(
              "identity",
              "task role",
              false,
              "the service has no task role: it cannot sign an IAM auth token",
              "give the service a task role",
            ),
      );
      if (t.taskRole) hops.push(c.roleToArn(t.taskRole, "elasticache:Connect", c.sym.arn(user), `user ${userName}`, extra));
      const named = values.some((v) => v.endsWith(`=${userName}`) || v.includes(`⟦${user.id}.`));
      hops.push(
        hop(
          "credentials",
          "client gets the IAM user name",
          named,
          named
            ? `user ${userName} passed to the task`
            : `the only users that sign in use IAM auth (${userName}) but the task receives no user name`,
          `pass the user name (${userName}) to the task and sign an IAM auth token with the task role (${FACTS.ELASTICACHE_IAM_AUTH.source})`,
        ),
      );
    }
  }
  if (tls) {
    const told = values.some((v) => /(TLS|SSL)[A-Z_]*=(true|1|yes|required)$/i.test(v) || v.includes("rediss://"));
    hops.push(
      hop(
        "credentials",
        "client uses TLS",
        told,
        told
          ? "TLS setting passed to the task"
          : "the cache requires TLS (transit encryption) but the task receives no TLS setting (no *TLS*/*SSL* variable, no rediss:// URL)",
        "pass a TLS setting (REDIS_TLS=true or a rediss:// URL) to the task",
      ),
    );
  }
  return makeFlow(`service:${t.name}->cache:${cache.name}`, "service-cache", `service ${t.name}`, `${c.label(cache)}:${port}`, hops);
}
