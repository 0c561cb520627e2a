import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EncryptedDatabaseOptions } from './encrypted-database-options';
import {
  backupRetentionDays, checkEngine, checkInstanceClass, checkPerformanceInsightsClass, createLogGroups, databaseRemovalPolicy, databaseSubnets,
  deletionProtectionOf, grantPerformanceInsightsRead, grantSecretRead, identifierOf, INSTANCE_ENGINES, logParameters, parametersWithTls,
  validateIdentifier, validateLogExports, warnLogExports, warnPerformanceInsightsOff, warnTls, warnUnmanagedPassword,
} from './private/database-defaults';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { KeyService } from '../policy/key-service';
import { checkEncryptionKey, encryptionKeyOrDefault } from '../private/encrypted-resource';
import { invalid } from '../private/validation';

/**
 * Properties of an `EncryptedDatabaseInstance`: the common `rds.DatabaseInstance` properties; the
 * encryption, credentials, TLS, logs, backups and deletion settings are the construct's.
 */
export interface EncryptedDatabaseInstanceProps extends EncryptedDatabaseOptions {
  /**
   * The engine: PostgreSQL, MySQL 5.7+ or MariaDB 10.5+ (`rds.DatabaseInstanceEngine.postgres({ version })`...).
   */
  readonly engine: rds.IInstanceEngine;

  /**
   * The instance type. RDS cannot encrypt db.m1, db.m2 and db.t1 instances; with Performance
   * Insights on, MySQL and MariaDB need a class larger than db.t2, db.t3 and db.t4g micro and small
   * (refused otherwise).
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html
   *
   * @default - as `rds.DatabaseInstance` (db.m5.large)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Allocated storage, in GiB.
   *
   * @default 100
   */
  readonly allocatedStorage?: number;

  /**
   * Storage autoscaling upper limit, in GiB.
   *
   * @default - no autoscaling
   */
  readonly maxAllocatedStorage?: number;

  /**
   * The storage type.
   *
   * @default rds.StorageType.GP3
   */
  readonly storageType?: rds.StorageType;

  /**
   * A standby in another Availability Zone.
   *
   * @default true
   */
  readonly multiAz?: boolean;

  /**
   * The port.
   *
   * @default - the engine's default port
   */
  readonly port?: number;

  /**
   * The name of a database created with the instance.
   *
   * @default - none
   */
  readonly databaseName?: string;

  /**
   * The instance identifier. The log groups are named after it (`/aws/rds/instance/<id>/<log>`), so
   * it is always set: given, or derived from the construct path.
   *
   * IMPORTANT: changing it replaces the instance.
   *
   * @default - derived from the construct path
   */
  readonly instanceIdentifier?: string;

  /**
   * Performance Insights, encrypted with the key.
   *
   * IMPORTANT: the Performance Insights key can never be changed once the instance exists.
   *
   * @default true
   */
  readonly enablePerformanceInsights?: boolean;

  /**
   * The log types exported to CloudWatch Logs, into log groups the construct creates first,
   * encrypted with the key. Fewer than all warns; an empty list exports none. MySQL and MariaDB
   * write what is exported: the parameter group sets `general_log=1`, `slow_query_log=1` and
   * `log_output=FILE`, and an option group with MARIADB_AUDIT_PLUGIN writes the audit log.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
   * @default - every log type of the engine (PostgreSQL: postgresql, upgrade; MySQL and MariaDB: audit, error, general, slowquery)
   */
  readonly cloudwatchLogsExports?: string[];

  /**
   * Require TLS through the parameter group (`rds.force_ssl=1` for PostgreSQL,
   * `require_secure_transport=ON` for MySQL and MariaDB). False warns.
   *
   * @default true
   */
  readonly requireTls?: boolean;

  /**
   * More parameters of the instance's parameter group.
   *
   * @default - none beyond the TLS parameter and, for the MySQL family, the log parameters (see `cloudwatchLogsExports`)
   */
  readonly parameters?: { [name: string]: string };

  /**
   * What happens when the instance leaves the stack: SNAPSHOT (a final snapshot under the key),
   * RETAIN, or DESTROY (warns). Automated backups are kept after deletion either way.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An RDS DB instance (PostgreSQL, MySQL, MariaDB) encrypted with a customer managed key in every
 * place RDS stores data: storage and snapshots, Performance Insights, the RDS-managed master
 * secret, and the CloudWatch Logs log groups it exports to (created first, retained, under the
 * key). TLS is required through its parameter group; backups are kept, deletion protection is on
 * and a final snapshot is taken on delete.
 *
 * The key policy lets the stack's deployment role use the key through AWS services (RDS creates
 * the instance and its grants on its behalf); `grantConnect`, `grantSecretRead` and
 * `grantPerformanceInsightsRead` give users what they need, through the right service only.
 */
export class EncryptedDatabaseInstance extends Construct {
  /** The instance. */
  public readonly instance: rds.DatabaseInstance;
  /** The key the instance is encrypted with. */
  public readonly encryptionKey: IEncryptionKey;
  /** The instance identifier (lowercase). */
  public readonly instanceIdentifier: string;
  /** The parameter group that requires TLS. */
  public readonly parameterGroup: rds.ParameterGroup;
  /** The log groups the instance exports to, encrypted with the key. */
  public readonly logGroups: logs.ILogGroup[];
  /** The option group with MARIADB_AUDIT_PLUGIN, when a MySQL or MariaDB instance exports its audit log. */
  public readonly optionGroup?: rds.IOptionGroup;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: EncryptedDatabaseInstanceProps) {
    const engine = { engineType: props.engine.engineType, fullVersion: props.engine.engineVersion?.fullVersion };
    const tls = checkEngine('engine', engine, INSTANCE_ENGINES);
    checkInstanceClass('instanceType', props.instanceType?.toString());
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'RDS');
    const requireTls = props.requireTls ?? true;
    const engineType = props.engine.engineType;
    const logTypes = validateLogExports('cloudwatchLogsExports', engineType, props.cloudwatchLogsExports);
    checkPerformanceInsightsClass('instanceType', engineType, props.instanceType?.toString(), props.enablePerformanceInsights ?? true);
    const parameters = parametersWithTls({ ...logParameters(engineType, logTypes), ...props.parameters }, tls, requireTls);
    const auditPlugin = logTypes.includes('audit') && ['mysql', 'mariadb'].includes(engineType);
    if (auditPlugin && !props.engine.engineVersion) {
      invalid('engine', 'must name a version when the audit log is exported: the MARIADB_AUDIT_PLUGIN option group needs the major version '
        + '(or leave audit out of cloudwatchLogsExports)', engineType);
    }
    // MARIADB_AUDIT_PLUGIN: MySQL 5.7, 8.0.28 and later 8.0, 8.4; MariaDB 10.3 and later.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.MySQL.Options.html
    const fullVersion = props.engine.engineVersion?.fullVersion;
    if (auditPlugin && engineType === 'mysql' && fullVersion && !Token.isUnresolved(fullVersion)
      && /^8\.0\.(\d+)$/.test(fullVersion) && Number(/^8\.0\.(\d+)$/.exec(fullVersion)![1]) < 28) {
      invalid('engine', 'must be MySQL 8.0.28 or later to export the audit log (the MARIADB_AUDIT_PLUGIN option exists from 8.0.28); '
        + 'or leave audit out of cloudwatchLogsExports', `mysql ${fullVersion}`);
    }
    const backupDays = backupRetentionDays('backupRetention', props.backupRetention, 7);
    const storage = props.allocatedStorage;
    if (storage !== undefined && !Token.isUnresolved(storage) && (!Number.isInteger(storage) || storage < 20 || storage > 65536)) {
      invalid('allocatedStorage', 'must be a whole number of GiB from 20 to 65536', props.allocatedStorage);
    }
    validateIdentifier('instanceIdentifier', props.instanceIdentifier);
    super(scope, id);
    warnLogExports(this, 'cloudwatchLogsExports', props.engine.engineType, logTypes);
    this.instanceIdentifier = identifierOf(this, 'instanceIdentifier', props.instanceIdentifier);
    warnTls(this, requireTls, `${tls.name}=${tls.value}`);
    const deletionProtection = deletionProtectionOf(this, props.deletionProtection);
    const removalPolicy = databaseRemovalPolicy(this, props.removalPolicy);
    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts the RDS instance ${this.node.path}`);
    this.encryptionKey = key;
    const performanceInsights = props.enablePerformanceInsights ?? true;
    if (!performanceInsights) {
      warnPerformanceInsightsOff(this);
    }
    const managed = props.manageMasterUserPassword ?? true;

    this.logGroups = createLogGroups(this, {
      prefix: `/aws/rds/instance/${this.instanceIdentifier}`,
      logTypes,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      key,
    });

    this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine: props.engine,
      description: `${this.node.path}: ${requireTls ? `TLS required (${tls.name}=${tls.value})` : 'TLS not required'}`,
      parameters,
    });

    // RDS for MySQL and MariaDB write the audit log only with the MARIADB_AUDIT_PLUGIN option.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.MySQL.Options.AuditPlugin.html
    this.optionGroup = auditPlugin ? new rds.OptionGroup(this, 'Options', {
      engine: props.engine,
      description: `${this.node.path}: MARIADB_AUDIT_PLUGIN writes the audit log`,
      configurations: [{ name: 'MARIADB_AUDIT_PLUGIN' }],
    }) : undefined;

    const username = props.masterUsername;
    const credentials = managed
      ? rds.Credentials.fromUsername(username ?? props.engine.defaultUsername ?? 'admin', {
        encryptionKey: key.forService(KeyService.SECRETS_MANAGER),
      })
      : rds.Credentials.fromGeneratedSecret(username ?? props.engine.defaultUsername ?? 'admin', {
        encryptionKey: key.forService(KeyService.SECRETS_MANAGER),
      });
    if (!managed) {
      warnUnmanagedPassword(this);
    }

    this.instance = new rds.DatabaseInstance(this, 'Resource', {
      engine: props.engine,
      vpc: props.vpc,
      vpcSubnets: databaseSubnets(props.vpc, props.vpcSubnets),
      securityGroups: props.securityGroups,
      instanceType: props.instanceType,
      allocatedStorage: props.allocatedStorage ?? 100,
      maxAllocatedStorage: props.maxAllocatedStorage,
      storageType: props.storageType ?? rds.StorageType.GP3,
      multiAz: props.multiAz ?? true,
      port: props.port,
      databaseName: props.databaseName,
      instanceIdentifier: this.instanceIdentifier,
      credentials,
      manageMasterUserPassword: managed ? true : undefined,
      storageEncrypted: true,
      storageEncryptionKey: key,
      enablePerformanceInsights: performanceInsights,
      performanceInsightEncryptionKey: performanceInsights ? key : undefined,
      performanceInsightRetention: performanceInsights ? (props.performanceInsightRetention ?? rds.PerformanceInsightRetention.DEFAULT) : undefined,
      cloudwatchLogsExports: logTypes.length > 0 ? logTypes : undefined,
      parameterGroup: this.parameterGroup,
      optionGroup: this.optionGroup,
      iamAuthentication: props.iamAuthentication ?? true,
      backupRetention: Duration.days(backupDays),
      preferredBackupWindow: props.preferredBackupWindow,
      preferredMaintenanceWindow: props.preferredMaintenanceWindow,
      deleteAutomatedBackups: false,
      copyTagsToSnapshot: true,
      monitoringInterval: props.monitoringInterval,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      deletionProtection,
      removalPolicy,
    });
    // The log groups exist before RDS writes to them (RDS would otherwise create them, unencrypted).
    this.logGroups.forEach(group => this.instance.node.defaultChild!.node.addDependency(group));
  }

  /**
   * The master secret: RDS-managed (its ARN from the instance) or generated, under the key either way.
   */
  public get secret(): secretsmanager.ISecret {
    return this.instance.secret!;
  }

  /**
   * Lets a principal connect as a database user with IAM database authentication (`rds-db:connect`).
   *
   * @param grantee the principal
   * @param dbUser the database user
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    return this.instance.grantConnect(grantee, dbUser);
  }

  /**
   * Lets a principal read the master secret: `secretsmanager:GetSecretValue` and `DescribeSecret`
   * on it, and `kms:Decrypt` through Secrets Manager only.
   *
   * @param grantee the principal
   */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.encryptionKey, grantee, this.instance.secret!.secretArn);
  }

  /**
   * Lets a principal read Performance Insights of this instance: the `pi:` read actions on its
   * metrics, and `kms:Decrypt` / `kms:GenerateDataKey` through RDS with the Performance Insights
   * encryption context of this instance only.
   *
   * @param grantee the principal
   */
  public grantPerformanceInsightsRead(grantee: iam.IGrantable): iam.Grant {
    return grantPerformanceInsightsRead(this, this.encryptionKey, grantee, this.instance.instanceResourceId!);
  }
}
