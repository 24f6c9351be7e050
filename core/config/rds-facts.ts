/**
 * What RDS and Aurora accept, as far as the kit depends on it: one reviewed table, each row with
 * the AWS documentation page it comes from. The config rules (layers/03-database/config.ts) and the
 * database constructs (modules/rds-instance.ts, modules/aurora-cluster.ts) read these rows; none
 * of them keeps its own copy. When AWS changes a page, change the row and its test
 * (__tests__/rds-facts.test.ts) together.
 *
 * Static on purpose (DESIGN rule 6: no AWS call at synth); AWS keeps the last word on what is
 * orderable in a region (`aws rds describe-orderable-db-instance-options`).
 */

/** The engines the kit offers (the same names as database.engine). */
export type RdsFactsEngine = "aurora-mysql" | "aurora-postgresql" | "mysql" | "postgres";

export interface PerformanceInsightsRow {
  readonly engine: RdsFactsEngine;
  /**
   * Instance classes on which RDS refuses Performance Insights: an exact class (`db.t4g.micro`) or
   * a whole family (`db.t3`). Empty: every class the engine offers (db.serverless included).
   */
  readonly unsupported: readonly string[];
  readonly source: string;
}

const PI_RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html";
const PI_AURORA = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html";

/**
 * Performance Insights (now the Standard mode of CloudWatch Database Insights; the
 * PerformanceInsightsEnabled API is unchanged) by engine and instance class.
 */
export const PERFORMANCE_INSIGHTS: readonly PerformanceInsightsRow[] = [
  {
    engine: "mysql",
    unsupported: ["db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"],
    source: PI_RDS,
  },
  { engine: "postgres", unsupported: [], source: PI_RDS },
  { engine: "aurora-mysql", unsupported: ["db.t2", "db.t3", "db.t4g.micro", "db.t4g.small"], source: PI_AURORA },
  { engine: "aurora-postgresql", unsupported: [], source: PI_AURORA },
];

/** Whether RDS accepts Performance Insights on `instanceClass` with `engine`. */
export function performanceInsightsSupported(engine: RdsFactsEngine, instanceClass: string): boolean {
  const row = PERFORMANCE_INSIGHTS.find((r) => r.engine === engine);
  if (!row) return false;
  const family = instanceClass.split(".").slice(0, 2).join(".");
  return !row.unsupported.some((u) => u === instanceClass || u === family);
}

/** The row behind `performanceInsightsSupported`, for error messages and the docs. */
export function performanceInsightsRow(engine: RdsFactsEngine): PerformanceInsightsRow {
  const row = PERFORMANCE_INSIGHTS.find((r) => r.engine === engine);
  if (!row) throw new Error(`no Performance Insights row for engine ${engine}`);
  return row;
}

/** A feature pair RDS refuses, or a feature limited to some engines. */
export interface RdsFeatureFact {
  readonly fact: string;
  readonly source: string;
}

export const RDS_FACTS = {
  /**
   * RDS does not create a read replica of a DB instance or cluster whose master password it
   * manages in Secrets Manager (every engine but SQL Server); an RDS instance with
   * database.readReplicas therefore keeps its master secret in the kit (write-only initial
   * password, rotation through the RDS API: modules/rotated-master-secret.ts).
   */
  readReplicaWithManagedPassword: {
    fact: "no read replicas of a source whose master password RDS manages in Secrets Manager (all engines except SQL Server)",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations",
  },
  /** IAM database authentication: MariaDB, MySQL, PostgreSQL, Aurora MySQL and PostgreSQL (not Db2, Oracle, SQL Server). */
  iamAuthentication: {
    fact: "IAM database authentication on mysql, postgres, aurora-mysql and aurora-postgresql",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.RDS_Fea_Regions_DB-eng.Feature.IamDatabaseAuthentication.html",
  },
  iamAuthenticationAurora: {
    fact: "IAM database authentication on every Aurora MySQL 3 and Aurora PostgreSQL 15-17 version",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.IAMdbauth.html",
  },
  /** Aurora Serverless v2 capacity: 0 (auto-pause, newer versions) or 0.5 up to 256 ACUs in steps of 0.5. */
  serverlessV2Capacity: {
    fact: "Aurora Serverless v2 capacity from 0 to 256 ACUs in steps of 0.5 (the kit uses 0.5 at least: no auto-pause)",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.requirements.html",
  },
  /** ModifyDBInstance MasterUserPassword is applied asynchronously but as soon as possible, whatever ApplyImmediately says. */
  masterPasswordChangeApplied: {
    fact: "a master password change (ModifyDBInstance MasterUserPassword) is applied as soon as possible, independently of ApplyImmediately",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html",
  },
  /** MySQL and PostgreSQL DB instances take up to 15 read replicas. */
  readReplicaCount: {
    fact: "up to 15 read replicas of an RDS for MySQL or RDS for PostgreSQL DB instance",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html",
  },
} as const satisfies Record<string, RdsFeatureFact>;

/** Engines with IAM database authentication (RDS_FACTS.iamAuthentication). */
export const IAM_AUTH_ENGINES: readonly RdsFactsEngine[] = ["mysql", "postgres", "aurora-mysql", "aurora-postgresql"];

/** Aurora Serverless v2 capacity bounds the kit accepts (RDS_FACTS.serverlessV2Capacity). */
export const SERVERLESS_V2_ACU = { min: 0.5, max: 256, step: 0.5 } as const;
