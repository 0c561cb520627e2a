import { Annotations, Arn, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { EncryptionKeyBase, IEncryptionKey } from '../../keys/encryption-key-base';
import { encryptionContext } from '../../policy/conditions';
import { KeyCapability } from '../../policy/key-capability';
import { KeyService } from '../../policy/key-service';
import { WarningIds } from '../../private/ids';
import { fail, invalid, validateDays } from '../../private/validation';

/**
 * Defaults and checks shared by the database constructs (RDS instances, Aurora clusters, Redshift
 * clusters). Pure functions returning fresh objects; never exported from the package.
 */

/** How an engine requires TLS through its parameter group. */
export interface TlsParameter {
  /** The parameter name. */
  readonly name: string;
  /** The value that requires TLS. */
  readonly value: string;
}

/** The parameter that requires TLS, per engine type (`rds.IEngine.engineType`). */
const TLS_PARAMETERS: Record<string, TlsParameter> = {
  'postgres': { name: 'rds.force_ssl', value: '1' },
  'aurora-postgresql': { name: 'rds.force_ssl', value: '1' },
  'mysql': { name: 'require_secure_transport', value: 'ON' },
  'mariadb': { name: 'require_secure_transport', value: 'ON' },
  'aurora-mysql': { name: 'require_secure_transport', value: 'ON' },
};

/**
 * The log types each engine exports to CloudWatch Logs: all of them, as the compliance packs ask
 * (MySQL and MariaDB write the `audit` log only with the MARIADB_AUDIT_PLUGIN option).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
 */
const LOG_TYPES: Record<string, string[]> = {
  'postgres': ['postgresql', 'upgrade'],
  'mysql': ['audit', 'error', 'general', 'slowquery'],
  'mariadb': ['audit', 'error', 'general', 'slowquery'],
  'aurora-mysql': ['audit', 'error', 'general', 'slowquery'],
  'aurora-postgresql': ['postgresql'],
};

/** The engine types an `EncryptedDatabaseInstance` accepts. */
export const INSTANCE_ENGINES = ['postgres', 'mysql', 'mariadb'];
/** The engine types an `EncryptedDatabaseCluster` accepts. */
export const CLUSTER_ENGINES = ['aurora-mysql', 'aurora-postgresql'];

/** Instance class families that RDS cannot encrypt (previous generation). */
const UNENCRYPTABLE_CLASSES = /^(db\.)?(m1|m2|t1)\./;

/** What an engine is, as far as these checks need. */
export interface EngineFacts {
  readonly engineType: string;
  readonly fullVersion?: string;
}

/**
 * Checks an engine before anything is created: a supported family, and a version whose parameter
 * group can require TLS (MySQL 5.7+, MariaDB 10.5+; every PostgreSQL and Aurora version the
 * accepted families have).
 *
 * @param allowed the engine types this construct supports
 */
export function checkEngine(prop: string, engine: EngineFacts, allowed: string[]): TlsParameter {
  if (!allowed.includes(engine.engineType)) {
    const hint = engine.engineType === 'aurora'
      ? ' (Aurora MySQL version 1, MySQL 5.6 compatible, cannot require TLS through its parameter group; use AuroraMysqlEngineVersion.VER_3_*)'
      : '';
    invalid(prop, `must be one of ${allowed.join(', ')}${hint}`, engine.engineType);
  }
  const version = engine.fullVersion;
  if (version && !Token.isUnresolved(version)) {
    const [major, minor] = version.split('.').map(n => Number(n));
    if (engine.engineType === 'mysql' && (major < 5 || (major === 5 && minor < 7))) {
      invalid(prop, 'must be MySQL 5.7 or later: require_secure_transport, which makes the database require TLS, exists from 5.7', `mysql ${version}`);
    }
    if (engine.engineType === 'mariadb' && (major < 10 || (major === 10 && minor < 5))) {
      invalid(prop, 'must be MariaDB 10.5 or later: require_secure_transport, which makes the database require TLS, exists from 10.5', `mariadb ${version}`);
    }
  }
  return TLS_PARAMETERS[engine.engineType];
}

/**
 * Instance classes without Performance Insights (Database Insights), per engine type: RDS for MySQL
 * and MariaDB not on db.t2, db.t3 and db.t4g micro and small; Aurora MySQL not on any db.t2 or db.t3,
 * nor db.t4g micro and small. PostgreSQL and Aurora PostgreSQL: no restriction.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html
 */
const NO_PERFORMANCE_INSIGHTS: Record<string, { readonly pattern: RegExp; readonly classes: string }> = {
  'mysql': { pattern: /^(db\.)?t(2|3|4g)\.(micro|small)$/, classes: 'db.t2, db.t3 and db.t4g micro and small' },
  'mariadb': { pattern: /^(db\.)?t(2|3|4g)\.(micro|small)$/, classes: 'db.t2, db.t3 and db.t4g micro and small' },
  'aurora-mysql': { pattern: /^(db\.)?(t2|t3)\.|^(db\.)?t4g\.(micro|small)$/, classes: 'db.t2, db.t3, db.t4g.micro and db.t4g.small' },
};

/**
 * Refuses Performance Insights (on unless the user turned it off) on an instance class the engine
 * has no Performance Insights for: RDS would reject the instance at deployment.
 */
export function checkPerformanceInsightsClass(prop: string, engineType: string, instanceClass: string | undefined,
  performanceInsights: boolean): void {
  const rule = NO_PERFORMANCE_INSIGHTS[engineType];
  if (!performanceInsights || !rule || !instanceClass || Token.isUnresolved(instanceClass) || !rule.pattern.test(instanceClass)) return;
  invalid(prop, `must be an instance class with Performance Insights: ${engineType} has none on ${rule.classes}; `
    + 'pick a larger class or set enablePerformanceInsights: false', instanceClass);
}

/**
 * The parameters that make a MySQL-family engine write the logs it exports (RDS exports only what
 * the database writes, to files): `general_log`, `slow_query_log`, `log_output=FILE`; on Aurora
 * MySQL, Advanced Auditing (`server_audit_logging`, `server_audit_events`) for the audit log.
 * RDS for MySQL and MariaDB write the audit log through the MARIADB_AUDIT_PLUGIN option instead.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
 */
export function logParameters(engineType: string, logTypes: string[]): { [name: string]: string } {
  if (!['mysql', 'mariadb', 'aurora-mysql'].includes(engineType)) return {};
  const parameters: { [name: string]: string } = {};
  if (logTypes.includes('general')) parameters.general_log = '1';
  if (logTypes.includes('slowquery')) parameters.slow_query_log = '1';
  if (logTypes.includes('general') || logTypes.includes('slowquery')) parameters.log_output = 'FILE';
  if (engineType === 'aurora-mysql' && logTypes.includes('audit')) {
    parameters.server_audit_logging = '1';
    parameters.server_audit_events = 'CONNECT,QUERY_DCL,QUERY_DDL';
  }
  return parameters;
}

/** Refuses an instance class RDS cannot encrypt. */
export function checkInstanceClass(prop: string, instanceClass: string | undefined): void {
  if (instanceClass && !Token.isUnresolved(instanceClass) && UNENCRYPTABLE_CLASSES.test(instanceClass)) {
    invalid(prop, 'must be a current-generation instance class: RDS cannot encrypt db.m1, db.m2 and db.t1 instances', instanceClass);
  }
}

/**
 * The parameters of the construct's parameter group: the user's, with the TLS parameter. A user
 * parameter that contradicts the TLS setting is refused (set `requireTls: false` instead).
 */
export function parametersWithTls(parameters: { [name: string]: string } | undefined, tls: TlsParameter,
  requireTls: boolean): { [name: string]: string } {
  const given = parameters ?? {};
  const own = given[tls.name];
  if (own !== undefined && !Token.isUnresolved(own) && own.toLowerCase() !== tls.value.toLowerCase()
    && !(tls.value === 'ON' && own === '1') && requireTls) {
    invalid(`parameters['${tls.name}']`, `must be ${tls.value} (TLS required); set requireTls: false to allow connections without TLS`, own);
  }
  return requireTls ? { ...given, [tls.name]: tls.value } : { ...given };
}

/** Every log type an engine can export. */
export function logTypesOf(engineType: string): string[] {
  return [...(LOG_TYPES[engineType] ?? [])];
}

/** Checks the log types to export against the engine's (before anything is created). */
export function validateLogExports(prop: string, engineType: string, exports: string[] | undefined): string[] {
  const all = logTypesOf(engineType);
  const chosen = exports ?? all;
  for (const log of chosen) {
    if (!all.includes(log)) {
      invalid(prop, `must list log types of ${engineType} (${all.join(', ')})`, log);
    }
  }
  if (new Set(chosen).size !== chosen.length) {
    invalid(prop, 'must not repeat a log type', chosen);
  }
  return chosen;
}

/** Warns when fewer log types than the engine has are exported. */
export function warnLogExports(scope: IConstruct, prop: string, engineType: string, chosen: string[]): void {
  const missing = logTypesOf(engineType).filter(l => !chosen.includes(l));
  if (missing.length > 0) {
    Annotations.of(scope).addWarningV2(WarningIds.DATABASE_LOG_EXPORTS_REDUCED,
      `${prop} leaves out ${missing.join(', ')}: those logs stay on the database host and are not retained under the key`);
  }
}

/** Checks a given identifier (before anything is created); see {@link identifierOf}. */
export function validateIdentifier(prop: string, given: string | undefined): void {
  if (given === undefined) return;
  if (Token.isUnresolved(given)) {
    invalid(prop, 'must be known at synth (the log groups are named after it)', 'a token');
  }
  if (!/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}$/.test(given) || given.endsWith('-')) {
    invalid(prop, 'must be 1 to 63 letters, digits or hyphens, start with a letter, and have no trailing or consecutive hyphens', given);
  }
}

/**
 * An identifier for an RDS instance or cluster or a Redshift cluster: the given one (checked), or
 * one derived from the construct path. Log groups are named after it, so it must be known at synth.
 *
 * RDS and Redshift: 1 to 63 letters, digits or hyphens; a letter first; no trailing hyphen and no
 * two consecutive hyphens. Stored in lowercase.
 */
export function identifierOf(scope: IConstruct, prop: string, given: string | undefined): string {
  if (given !== undefined) {
    validateIdentifier(prop, given);
    return given.toLowerCase();
  }
  const unique = Names.uniqueResourceName(scope, { maxLength: 63, separator: '-' }).toLowerCase()
    .replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^[^a-z]+/, '').replace(/-$/, '');
  return unique.length > 0 ? unique.slice(0, 63).replace(/-$/, '') : 'db';
}

/** Backup (automated snapshot) retention: 1 to 35 days; 0 would turn backups off and is refused. */
export function backupRetentionDays(prop: string, retention: Duration | undefined, defaultDays: number): number {
  return validateDays(prop, retention ?? Duration.days(defaultDays), 1, 35) ?? defaultDays;
}

/**
 * The removal policy of a database: SNAPSHOT by default (a final snapshot under the key), RETAIN
 * allowed, DESTROY warns.
 */
export function databaseRemovalPolicy(scope: IConstruct, removalPolicy: RemovalPolicy | undefined): RemovalPolicy {
  const policy = removalPolicy ?? RemovalPolicy.SNAPSHOT;
  if (policy === RemovalPolicy.DESTROY) {
    Annotations.of(scope).addWarningV2(WarningIds.DATABASE_REMOVAL_POLICY,
      'removalPolicy is destroy: the database is deleted without a final snapshot when it leaves the stack; SNAPSHOT or RETAIN keep the data');
  }
  return policy;
}

/** Deletion protection, on by default; off warns. */
export function deletionProtectionOf(scope: IConstruct, deletionProtection: boolean | undefined): boolean {
  const on = deletionProtection ?? true;
  if (!on) {
    Annotations.of(scope).addWarningV2(WarningIds.DATABASE_DELETION_PROTECTION,
      'deletionProtection is false: anyone allowed to delete the database can do so in one call');
  }
  return on;
}

/** Warns when TLS is not required. */
export function warnTls(scope: IConstruct, requireTls: boolean, parameter: string): void {
  if (!requireTls) {
    Annotations.of(scope).addWarningV2(WarningIds.DATABASE_TLS_NOT_REQUIRED,
      `requireTls is false: the parameter group does not set ${parameter}, so clients may connect without TLS`);
  }
}

/** Warns that Performance Insights is off. */
export function warnPerformanceInsightsOff(scope: IConstruct): void {
  Annotations.of(scope).addWarningV2(WarningIds.DATABASE_PERFORMANCE_INSIGHTS_OFF,
    'enablePerformanceInsights is false: turning it on later keeps the key chosen then for good (the Performance Insights key can never change)');
}

/** Warns that the master password is a generated secret, not managed (and rotated) by the service. */
export function warnUnmanagedPassword(scope: IConstruct): void {
  Annotations.of(scope).addWarningV2(WarningIds.DATABASE_MASTER_PASSWORD_NOT_MANAGED,
    'manageMasterUserPassword is false: the master password is a generated secret under the key that nothing rotates until you add a rotation schedule');
}

/** Options of {@link createLogGroups}. */
export interface DatabaseLogGroupsOptions {
  /** The log group name prefix, e.g. `/aws/rds/instance/orders`. */
  readonly prefix: string;
  /** The log types: one group each, `<prefix>/<log>`. */
  readonly logTypes: string[];
  readonly retention: logs.RetentionDays;
  readonly key: IEncryptionKey;
}

/**
 * Creates the log groups a database exports to, before the database (the service would otherwise
 * create them unencrypted and never expiring): encrypted with the key, retained. Each `logs.LogGroup`
 * asks the key (through the library's grant path, `addToResourcePolicy`) to let CloudWatch Logs of
 * the Region use it for exactly that log group (`kms:EncryptionContext:aws:logs:arn` equals its ARN).
 */
export function createLogGroups(scope: Construct, options: DatabaseLogGroupsOptions): logs.LogGroup[] {
  if (options.logTypes.length === 0) return [];
  return options.logTypes.map(log => new logs.LogGroup(scope, `Logs${log.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase())}`, {
    logGroupName: `${options.prefix}/${log}`,
    encryptionKey: options.key,
    retention: options.retention,
    removalPolicy: RemovalPolicy.RETAIN,
  }));
}

/** The Performance Insights API actions that read a database's metrics. */
export const PERFORMANCE_INSIGHTS_READ_API_ACTIONS = [
  'pi:DescribeDimensionKeys',
  'pi:GetDimensionKeyDetails',
  'pi:GetResourceMetadata',
  'pi:GetResourceMetrics',
  'pi:ListAvailableResourceDimensions',
  'pi:ListAvailableResourceMetrics',
];

/**
 * Lets a principal read Performance Insights: the `pi:` read actions on the metrics of one
 * instance (or every instance), and `kms:Decrypt` / `kms:GenerateDataKey` through RDS with the
 * Performance Insights encryption context (`aws:pi:service` rds, `service` pi). The key policy cannot
 * name the instance (`aws:rds:db-id`): its resource id exists only once the instance, which needs
 * the key, does (a dependency cycle); the IAM half names its metrics.
 *
 * @param resourceId the instance's DbiResourceId; undefined for every instance under the key (Aurora
 * clusters: aws-cdk-lib does not expose their instances' resource ids)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.access-control.cmk-policy.html
 */
export function grantPerformanceInsightsRead(scope: IConstruct, key: IEncryptionKey, grantee: iam.IGrantable,
  resourceId: string | undefined): iam.Grant {
  if (!(key instanceof EncryptionKeyBase)) {
    fail('grantPerformanceInsightsRead needs a key of this library (EncryptionKey, ReplicaKey or an import through EncryptionKey.from*)');
  }
  const stack = Stack.of(scope);
  const api = iam.Grant.addToPrincipal({
    grantee,
    actions: PERFORMANCE_INSIGHTS_READ_API_ACTIONS,
    resourceArns: [Arn.format({ service: 'pi', resource: 'metrics', resourceName: `rds/${resourceId ?? '*'}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack)],
  });
  const context = encryptionContext({ 'aws:pi:service': 'rds', 'service': 'pi' });
  const kmsGrant = key._grants.withService(KeyService.RDS, key).grantCapabilities(grantee, [KeyCapability.DECRYPT, KeyCapability.GENERATE_DATA_KEY],
    'grantPerformanceInsightsRead', { conditions: context, label: 'ReadPerformanceInsights' });
  return api.combine(kmsGrant);
}

/** What reading the master secret takes: Secrets Manager actions on the secret, the key through Secrets Manager. */
export function grantSecretRead(key: IEncryptionKey, grantee: iam.IGrantable, secretArn: string): iam.Grant {
  const api = iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
    resourceArns: [secretArn],
  });
  return api.combine(key.grantThroughService(grantee, KeyService.SECRETS_MANAGER, KeyCapability.DECRYPT));
}

/** The subnets a database goes in by default: private ones with egress, or isolated ones when the VPC has none. */
export function databaseSubnets(vpc: ec2.IVpc, given: ec2.SubnetSelection | undefined): ec2.SubnetSelection {
  if (given) return given;
  return { subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
}
