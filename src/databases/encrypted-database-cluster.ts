import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EncryptedDatabaseOptions } from './encrypted-database-options';
import {
  backupRetentionDays, checkEngine, checkPerformanceInsightsClass, CLUSTER_ENGINES, createLogGroups, databaseRemovalPolicy, databaseSubnets,
  deletionProtectionOf, grantPerformanceInsightsRead, grantSecretRead, identifierOf, logParameters, parametersWithTls, validateIdentifier,
  validateLogExports, warnLogExports, warnPerformanceInsightsOff, warnTls, warnUnmanagedPassword,
} from './private/database-defaults';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { KeyService } from '../policy/key-service';
import { checkEncryptionKey, encryptionKeyOrDefault } from '../private/encrypted-resource';
import { invalid } from '../private/validation';

/**
 * Properties of an `EncryptedDatabaseCluster`: the common `rds.DatabaseCluster` properties; the
 * encryption, credentials, TLS, logs, backups and deletion settings are the construct's.
 */
export interface EncryptedDatabaseClusterProps extends EncryptedDatabaseOptions {
  /**
   * The engine: Aurora MySQL (version 2 or 3) or Aurora PostgreSQL
   * (`rds.DatabaseClusterEngine.auroraPostgres({ version })`...).
   */
  readonly engine: rds.IClusterEngine;

  /**
   * The writer instance. Performance Insights is turned on at the cluster level: do not configure
   * it on the instances. With Performance Insights on, Aurora MySQL instances must be larger than
   * db.t2, db.t3, db.t4g.micro and db.t4g.small (refused otherwise).
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html
   *
   * @default - a provisioned db.r6g.large writer
   */
  readonly writer?: rds.IClusterInstance;

  /**
   * Reader instances.
   *
   * @default - none
   */
  readonly readers?: rds.IClusterInstance[];

  /**
   * Aurora Serverless v2 capacity bounds, when the writer or readers are serverless v2.
   *
   * @default - 0.5
   */
  readonly serverlessV2MinCapacity?: number;

  /**
   * Aurora Serverless v2 capacity bounds, when the writer or readers are serverless v2.
   *
   * @default - 2
   */
  readonly serverlessV2MaxCapacity?: number;

  /**
   * The port.
   *
   * @default - the engine's default port
   */
  readonly port?: number;

  /**
   * The name of a database created with the cluster.
   *
   * @default - none
   */
  readonly defaultDatabaseName?: string;

  /**
   * The cluster identifier. The log groups are named after it (`/aws/rds/cluster/<id>/<log>`), so it
   * is always set: given, or derived from the construct path.
   *
   * IMPORTANT: changing it replaces the cluster.
   *
   * @default - derived from the construct path
   */
  readonly clusterIdentifier?: string;

  /**
   * Performance Insights, encrypted with the key, on every instance of the cluster.
   *
   * IMPORTANT: the Performance Insights key can never be changed once an instance exists.
   *
   * @default true
   */
  readonly enablePerformanceInsights?: boolean;

  /**
   * The log types exported to CloudWatch Logs, into log groups the construct creates first,
   * encrypted with the key. Fewer than all warns; an empty list exports none. Aurora MySQL writes
   * what is exported: the cluster parameter group sets `general_log=1`, `slow_query_log=1`,
   * `log_output=FILE`, and Advanced Auditing (`server_audit_logging=1`,
   * `server_audit_events=CONNECT,QUERY_DCL,QUERY_DDL`); `parameters` may override them.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
   * @default - every log type of the engine (Aurora MySQL: audit, error, general, slowquery; Aurora PostgreSQL: postgresql)
   */
  readonly cloudwatchLogsExports?: string[];

  /**
   * Require TLS through the cluster parameter group (`rds.force_ssl=1` for Aurora PostgreSQL,
   * `require_secure_transport=ON` for Aurora MySQL). False warns.
   *
   * @default true
   */
  readonly requireTls?: boolean;

  /**
   * More parameters of the cluster parameter group.
   *
   * @default - none beyond the TLS parameter and, for the MySQL family, the log parameters (see `cloudwatchLogsExports`)
   */
  readonly parameters?: { [name: string]: string };

  /**
   * The backtrack window (Aurora MySQL only).
   *
   * @default - no backtracking
   */
  readonly backtrackWindow?: Duration;

  /**
   * What happens when the cluster leaves the stack: SNAPSHOT (a final snapshot under the key),
   * RETAIN, or DESTROY (warns). Automated backups are kept after deletion either way.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An Aurora MySQL or Aurora PostgreSQL cluster encrypted with a customer managed key in every
 * place Aurora stores data: storage and snapshots, Performance Insights, the RDS-managed master
 * secret, and the CloudWatch Logs log groups it exports to (created first, retained, under the
 * key). TLS is required through its cluster parameter group; backups are kept, deletion
 * protection is on and a final snapshot is taken on delete.
 *
 * The key policy lets the stack's deployment role use the key through AWS services (RDS creates
 * the cluster and its grants on its behalf); `grantConnect`, `grantSecretRead` and
 * `grantPerformanceInsightsRead` give users what they need, through the right service only.
 */
export class EncryptedDatabaseCluster extends Construct {
  /** The cluster. */
  public readonly cluster: rds.DatabaseCluster;
  /** The key the cluster is encrypted with. */
  public readonly encryptionKey: IEncryptionKey;
  /** The cluster identifier (lowercase). */
  public readonly clusterIdentifier: string;
  /** The cluster parameter group that requires TLS. */
  public readonly parameterGroup: rds.ParameterGroup;
  /** The log groups the cluster exports to, encrypted with the key. */
  public readonly logGroups: logs.ILogGroup[];

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: EncryptedDatabaseClusterProps) {
    const engine = { engineType: props.engine.engineType, fullVersion: props.engine.engineVersion?.fullVersion };
    const tls = checkEngine('engine', engine, CLUSTER_ENGINES);
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'RDS');
    const requireTls = props.requireTls ?? true;
    const logTypes = validateLogExports('cloudwatchLogsExports', props.engine.engineType, props.cloudwatchLogsExports);
    const parameters = parametersWithTls({ ...logParameters(props.engine.engineType, logTypes), ...props.parameters }, tls, requireTls);
    const backupDays = backupRetentionDays('backupRetention', props.backupRetention, 7);
    if (props.backtrackWindow !== undefined && props.engine.engineType !== 'aurora-mysql') {
      invalid('backtrackWindow', 'can be set only for Aurora MySQL', props.engine.engineType);
    }
    validateIdentifier('clusterIdentifier', props.clusterIdentifier);
    super(scope, id);
    warnLogExports(this, 'cloudwatchLogsExports', props.engine.engineType, logTypes);
    this.clusterIdentifier = identifierOf(this, 'clusterIdentifier', props.clusterIdentifier);
    warnTls(this, requireTls, `${tls.name}=${tls.value}`);
    const deletionProtection = deletionProtectionOf(this, props.deletionProtection);
    const removalPolicy = databaseRemovalPolicy(this, props.removalPolicy);
    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts the Aurora cluster ${this.node.path}`);
    this.encryptionKey = key;
    const performanceInsights = props.enablePerformanceInsights ?? true;
    if (!performanceInsights) {
      warnPerformanceInsightsOff(this);
    }
    const managed = props.manageMasterUserPassword ?? true;

    this.logGroups = createLogGroups(this, {
      prefix: `/aws/rds/cluster/${this.clusterIdentifier}`,
      logTypes,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      key,
    });

    this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine: props.engine,
      description: `${this.node.path}: ${requireTls ? `TLS required (${tls.name}=${tls.value})` : 'TLS not required'}`,
      parameters,
    });

    const username = props.masterUsername ?? props.engine.defaultUsername ?? 'admin';
    const secretKey = key.forService(KeyService.SECRETS_MANAGER);
    const credentials = managed
      ? rds.Credentials.fromUsername(username, { encryptionKey: secretKey })
      : rds.Credentials.fromGeneratedSecret(username, { encryptionKey: secretKey });
    if (!managed) {
      warnUnmanagedPassword(this);
    }

    this.cluster = new rds.DatabaseCluster(this, 'Resource', {
      engine: props.engine,
      vpc: props.vpc,
      vpcSubnets: databaseSubnets(props.vpc, props.vpcSubnets),
      securityGroups: props.securityGroups,
      writer: props.writer ?? rds.ClusterInstance.provisioned('Writer', {
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
        publiclyAccessible: false,
        enablePerformanceInsights: performanceInsights,
        performanceInsightEncryptionKey: performanceInsights ? key : undefined,
        performanceInsightRetention: performanceInsights ? (props.performanceInsightRetention ?? rds.PerformanceInsightRetention.DEFAULT) : undefined,
      }),
      readers: props.readers,
      serverlessV2MinCapacity: props.serverlessV2MinCapacity,
      serverlessV2MaxCapacity: props.serverlessV2MaxCapacity,
      port: props.port,
      defaultDatabaseName: props.defaultDatabaseName,
      clusterIdentifier: this.clusterIdentifier,
      credentials,
      manageMasterUserPassword: managed ? true : undefined,
      storageEncrypted: true,
      storageEncryptionKey: key,
      enablePerformanceInsights: performanceInsights,
      performanceInsightEncryptionKey: performanceInsights ? key : undefined,
      performanceInsightRetention: performanceInsights ? (props.performanceInsightRetention ?? rds.PerformanceInsightRetention.DEFAULT) : undefined,
      cloudwatchLogsExports: logTypes.length > 0 ? logTypes : undefined,
      parameterGroup: this.parameterGroup,
      iamAuthentication: props.iamAuthentication ?? true,
      backup: { retention: Duration.days(backupDays), preferredWindow: props.preferredBackupWindow },
      preferredMaintenanceWindow: props.preferredMaintenanceWindow,
      backtrackWindow: props.backtrackWindow,
      deleteAutomatedBackups: false,
      copyTagsToSnapshot: true,
      monitoringInterval: props.monitoringInterval,
      autoMinorVersionUpgrade: true,
      deletionProtection,
      removalPolicy,
    });
    // The log groups exist before RDS writes to them (RDS would otherwise create them, unencrypted).
    this.logGroups.forEach(group => this.cluster.node.defaultChild!.node.addDependency(group));
    // Performance Insights on an instance class without it: RDS would reject the instance at deployment.
    for (const instance of this.cluster.node.findAll().filter((c): c is rds.CfnDBInstance => c instanceof rds.CfnDBInstance)) {
      checkPerformanceInsightsClass(`writer or readers (${instance.node.scope?.node.path})`, props.engine.engineType, instance.dbInstanceClass, performanceInsights);
    }
  }

  /**
   * The master secret: RDS-managed (its ARN from the cluster) or generated, under the key either way.
   */
  public get secret(): secretsmanager.ISecret {
    return this.cluster.secret!;
  }

  /**
   * Lets a principal connect as a database user with IAM database authentication (`rds-db:connect`).
   *
   * @param grantee the principal
   * @param dbUser the database user
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    return this.cluster.grantConnect(grantee, dbUser);
  }

  /**
   * Lets a principal read the master secret: `secretsmanager:GetSecretValue` and `DescribeSecret`
   * on it, and `kms:Decrypt` through Secrets Manager only.
   *
   * @param grantee the principal
   */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.encryptionKey, grantee, this.cluster.secret!.secretArn);
  }

  /**
   * Lets a principal read Performance Insights of the cluster's instances: the `pi:` read actions,
   * and `kms:Decrypt` / `kms:GenerateDataKey` through RDS with the Performance Insights encryption
   * context. aws-cdk-lib does not expose the resource ids of a cluster's instances, so the grant
   * covers the Performance Insights data of every database under this key (one key per cluster,
   * the default, keeps it to this cluster).
   *
   * @param grantee the principal
   */
  public grantPerformanceInsightsRead(grantee: iam.IGrantable): iam.Grant {
    return grantPerformanceInsightsRead(this, this.encryptionKey, grantee, undefined);
  }
}
