import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import { Construct } from 'constructs';
import { createLogGroups, databaseRemovalPolicy, databaseSubnets, grantSecretRead, identifierOf, validateIdentifier, warnTls } from './private/database-defaults';
import { RedshiftSnapshotCopyGrant } from './redshift-snapshot-copy-grant';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { checkEncryptionKey, encryptionKeyOrDefault } from '../private/encrypted-resource';
import { WarningIds } from '../private/ids';
import { fail, invalid, validateDays } from '../private/validation';

/** The audit logs Redshift exports to CloudWatch Logs. */
const REDSHIFT_LOG_TYPES = ['connectionlog', 'useractivitylog', 'userlog'];

/**
 * Cross-Region snapshot copy of an `EncryptedRedshiftCluster`.
 */
export interface RedshiftSnapshotCopyOptions {
  /**
   * The Region snapshots are copied to. It must differ from the cluster's.
   */
  readonly destinationRegion: string;

  /**
   * The name of the `RedshiftSnapshotCopyGrant` in the destination Region (a grant there lets
   * Redshift encrypt the copies with that Region's key). Deploy the destination stack first.
   */
  readonly grantName: string;

  /**
   * How long automated snapshot copies are kept in the destination Region: 1 to 35 days.
   *
   * @default Duration.days(7)
   */
  readonly retention?: Duration;

  /**
   * How long manual snapshot copies are kept in the destination Region: 1 to 3653 days. Redshift
   * copies manual snapshots too; CloudFormation holds one copy retention period
   * (`SnapshotCopyRetentionPeriod`) that applies either to automated copies or, with
   * `SnapshotCopyManual`, to manual copies: set either `retention` or this, not both. When this is
   * set, automated copies are kept Redshift's default, 7 days.
   *
   * @default - manual copies are kept as Redshift decides (indefinitely unless changed outside the stack)
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-redshift-cluster.html#cfn-redshift-cluster-snapshotcopymanual
   */
  readonly manualSnapshotRetention?: Duration;
}

/**
 * Properties of an `EncryptedRedshiftCluster`.
 */
export interface EncryptedRedshiftClusterProps {
  /**
   * The VPC.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the cluster subnet group.
   *
   * @default - the VPC's private subnets with egress, or its isolated subnets when it has none
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups.
   *
   * @default - a new security group without inbound rules
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The node type.
   *
   * @default 'ra3.xlplus'
   */
  readonly nodeType?: string;

  /**
   * The number of nodes: 1 (single-node) to 128.
   *
   * @default 2
   */
  readonly numberOfNodes?: number;

  /**
   * The cluster identifier. The audit log groups are named after it
   * (`/aws/redshift/cluster/<id>/<log>`), so it is always set: given, or derived from the
   * construct path.
   *
   * IMPORTANT: changing it replaces the cluster.
   *
   * @default - derived from the construct path
   */
  readonly clusterIdentifier?: string;

  /**
   * The first database's name.
   *
   * @default 'dev'
   */
  readonly databaseName?: string;

  /**
   * The admin user's name (not `awsuser`, the well-known default).
   *
   * @default 'admin'
   */
  readonly masterUsername?: string;

  /**
   * The port: 1150 to 65535.
   *
   * @default 5439
   */
  readonly port?: number;

  /**
   * The key that encrypts the cluster, its snapshots, the Redshift-managed admin password and
   * the audit log groups.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * How long automated snapshots are kept: 1 to 35 days.
   *
   * @default Duration.days(7)
   */
  readonly automatedSnapshotRetention?: Duration;

  /**
   * How long manual snapshots are kept: 1 to 3653 days.
   *
   * @default - indefinitely
   */
  readonly manualSnapshotRetention?: Duration;

  /**
   * Cross-Region copy of automated snapshots, encrypted in the destination Region with the key of
   * a `RedshiftSnapshotCopyGrant` there.
   *
   * @default - no copy
   */
  readonly snapshotCopy?: RedshiftSnapshotCopyOptions;

  /**
   * Enhanced VPC routing: COPY and UNLOAD traffic stays in the VPC. False warns.
   *
   * @default true
   */
  readonly enhancedVpcRouting?: boolean;

  /**
   * Require SSL through the cluster parameter group (`require_ssl`). False warns.
   *
   * @default true
   */
  readonly requireTls?: boolean;

  /**
   * Audit logging (connection, user and user activity logs) to CloudWatch Logs, into log groups
   * the construct creates first, encrypted with the key. Redshift's S3 audit logging accepts only
   * SSE-S3 buckets, never a customer managed key, so it is not offered.
   *
   * @default true
   */
  readonly auditLogging?: boolean;

  /**
   * How long the audit log groups keep events.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The weekly maintenance window (`ddd:hh24:mi-ddd:hh24:mi`, UTC).
   *
   * @default 'sun:23:00-mon:01:30'
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * What happens when the cluster leaves the stack: SNAPSHOT (a final snapshot under the key),
   * RETAIN, or DESTROY (warns).
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A provisioned Amazon Redshift cluster (CloudFormation resources, not the alpha L2) encrypted with
 * a customer managed key: the cluster and its snapshots (`KmsKeyId` is the key ARN), the
 * Redshift-managed admin password in Secrets Manager, and the audit log groups in CloudWatch Logs
 * (created first, retained). SSL is required through its parameter group, user activity logging is
 * on, enhanced VPC routing is on, automated snapshots are kept 7 days, and automated snapshots can
 * be copied to another Region under that Region's key through a `RedshiftSnapshotCopyGrant`.
 */
export class EncryptedRedshiftCluster extends Construct {
  /** The cluster. */
  public readonly cluster: redshift.CfnCluster;
  /** The key the cluster is encrypted with. */
  public readonly encryptionKey: IEncryptionKey;
  /** The cluster identifier (lowercase). */
  public readonly clusterIdentifier: string;
  /** The parameter group that requires SSL. */
  public readonly parameterGroup: redshift.CfnClusterParameterGroup;
  /** The cluster's security groups. */
  public readonly connections: ec2.Connections;
  /** The audit log groups, encrypted with the key. */
  public readonly logGroups: logs.ILogGroup[];

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: EncryptedRedshiftClusterProps) {
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'Redshift');
    const stack = Stack.of(scope);
    const numberOfNodes = props.numberOfNodes ?? 2;
    if (!Token.isUnresolved(numberOfNodes) && (!Number.isInteger(numberOfNodes) || numberOfNodes < 1 || numberOfNodes > 128)) {
      invalid('numberOfNodes', 'must be a whole number from 1 to 128', numberOfNodes);
    }
    const nodeType = props.nodeType ?? 'ra3.xlplus';
    if (!Token.isUnresolved(nodeType) && !/^(ra3|dc2|ds2)\.[a-z0-9]+$/.test(nodeType)) {
      invalid('nodeType', 'must be a Redshift node type such as ra3.xlplus, ra3.4xlarge or dc2.large', nodeType);
    }
    const masterUsername = props.masterUsername ?? 'admin';
    if (!Token.isUnresolved(masterUsername) && (!/^[a-z][a-z0-9_]{0,127}$/.test(masterUsername) || masterUsername === 'awsuser')) {
      invalid('masterUsername', 'must be 1 to 128 lowercase letters, digits or underscores, start with a letter, and not be awsuser (the well-known default)', masterUsername);
    }
    const port = props.port ?? 5439;
    if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1150 || port > 65535)) {
      invalid('port', 'must be from 1150 to 65535', port);
    }
    const automatedDays = validateDays('automatedSnapshotRetention', props.automatedSnapshotRetention ?? Duration.days(7), 1, 35)!;
    const manualDays = validateDays('manualSnapshotRetention', props.manualSnapshotRetention, 1, 3653);
    const copy = props.snapshotCopy;
    let copyDays: number | undefined;
    if (copy) {
      RedshiftSnapshotCopyGrant.validateName('snapshotCopy.grantName', copy.grantName);
      if (!Token.isUnresolved(copy.destinationRegion) && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(copy.destinationRegion)) {
        invalid('snapshotCopy.destinationRegion', 'must be a Region name such as us-east-1', copy.destinationRegion);
      }
      if (!Token.isUnresolved(copy.destinationRegion) && !Token.isUnresolved(stack.region) && copy.destinationRegion === stack.region) {
        invalid('snapshotCopy.destinationRegion', `must differ from the cluster's Region ${stack.region}`, copy.destinationRegion);
      }
      if (copy.retention !== undefined && copy.manualSnapshotRetention !== undefined) {
        fail('set either snapshotCopy.retention or snapshotCopy.manualSnapshotRetention, not both: CloudFormation holds one snapshot copy retention period (SnapshotCopyManual chooses which)');
      }
      copyDays = copy.manualSnapshotRetention !== undefined
        ? validateDays('snapshotCopy.manualSnapshotRetention', copy.manualSnapshotRetention, 1, 3653)
        : validateDays('snapshotCopy.retention', copy.retention ?? Duration.days(7), 1, 35);
    }
    const databaseName = props.databaseName ?? 'dev';
    if (!Token.isUnresolved(databaseName) && !/^[a-z][a-z0-9_$]{0,63}$/.test(databaseName)) {
      invalid('databaseName', 'must be 1 to 64 lowercase letters, digits, underscores or dollar signs, starting with a letter', databaseName);
    }
    validateIdentifier('clusterIdentifier', props.clusterIdentifier);
    if (props.removalPolicy !== undefined && ![RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN, RemovalPolicy.DESTROY].includes(props.removalPolicy)) {
      invalid('removalPolicy', 'must be SNAPSHOT, RETAIN or DESTROY', props.removalPolicy);
    }
    super(scope, id);
    this.clusterIdentifier = identifierOf(this, 'clusterIdentifier', props.clusterIdentifier);
    const requireTls = props.requireTls ?? true;
    warnTls(this, requireTls, 'require_ssl=true');
    const enhancedVpcRouting = props.enhancedVpcRouting ?? true;
    if (!enhancedVpcRouting) {
      Annotations.of(this).addWarningV2(WarningIds.REDSHIFT_ENHANCED_VPC_ROUTING_OFF,
        'enhancedVpcRouting is false: COPY and UNLOAD traffic leaves the VPC and its endpoints and policies do not apply');
    }
    const auditLogging = props.auditLogging ?? true;
    if (!auditLogging) {
      Annotations.of(this).addWarningV2(WarningIds.DATABASE_LOG_EXPORTS_REDUCED,
        'auditLogging is false: connection, user and user activity logs are not exported or retained under the key');
    }
    const removalPolicy = databaseRemovalPolicy(this, props.removalPolicy);
    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts the Redshift cluster ${this.node.path}`);
    this.encryptionKey = key;

    this.logGroups = auditLogging ? createLogGroups(this, {
      prefix: `/aws/redshift/cluster/${this.clusterIdentifier}`,
      logTypes: REDSHIFT_LOG_TYPES,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      key,
    }) : [];

    this.parameterGroup = new redshift.CfnClusterParameterGroup(this, 'Parameters', {
      description: `${this.node.path}: ${requireTls ? 'SSL required' : 'SSL not required'}, user activity logging ${auditLogging ? 'on' : 'off'}`,
      parameterGroupFamily: 'redshift-1.0',
      parameters: [
        { parameterName: 'require_ssl', parameterValue: requireTls ? 'true' : 'false' },
        { parameterName: 'enable_user_activity_logging', parameterValue: auditLogging ? 'true' : 'false' },
      ],
    });

    const subnets = props.vpc.selectSubnets(databaseSubnets(props.vpc, props.vpcSubnets));
    const subnetGroup = new redshift.CfnClusterSubnetGroup(this, 'Subnets', {
      description: `Subnets of ${this.node.path}`,
      subnetIds: subnets.subnetIds,
    });
    const securityGroups = props.securityGroups ?? [new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Redshift cluster ${this.node.path}`,
      allowAllOutbound: false,
    })];
    this.connections = new ec2.Connections({ securityGroups, defaultPort: ec2.Port.tcp(port) });

    this.cluster = new redshift.CfnCluster(this, 'Resource', {
      clusterIdentifier: this.clusterIdentifier,
      clusterType: numberOfNodes === 1 ? 'single-node' : 'multi-node',
      numberOfNodes: numberOfNodes === 1 ? undefined : numberOfNodes,
      nodeType,
      dbName: databaseName,
      masterUsername,
      manageMasterPassword: true,
      masterPasswordSecretKmsKeyId: key.keyArn,
      port,
      encrypted: true,
      kmsKeyId: key.keyArn,
      clusterParameterGroupName: this.parameterGroup.ref,
      clusterSubnetGroupName: subnetGroup.ref,
      vpcSecurityGroupIds: securityGroups.map(sg => sg.securityGroupId),
      publiclyAccessible: false,
      enhancedVpcRouting,
      allowVersionUpgrade: true,
      automatedSnapshotRetentionPeriod: automatedDays,
      manualSnapshotRetentionPeriod: manualDays,
      preferredMaintenanceWindow: props.preferredMaintenanceWindow ?? 'sun:23:00-mon:01:30',
      loggingProperties: auditLogging ? { logDestinationType: 'cloudwatch', logExports: REDSHIFT_LOG_TYPES } : undefined,
      destinationRegion: copy?.destinationRegion,
      snapshotCopyGrantName: copy?.grantName,
      snapshotCopyRetentionPeriod: copyDays,
      snapshotCopyManual: copy?.manualSnapshotRetention !== undefined ? true : undefined,
    });
    this.cluster.applyRemovalPolicy(removalPolicy);
    // The log groups exist before Redshift writes to them.
    this.logGroups.forEach(group => this.cluster.node.addDependency(group));
  }

  /** The cluster's endpoint address. */
  public get endpointAddress(): string {
    return this.cluster.attrEndpointAddress;
  }

  /** The ARN of the Redshift-managed admin secret, under the key. */
  public get secretArn(): string {
    return this.cluster.attrMasterPasswordSecretArn;
  }

  /**
   * Lets a principal read the Redshift-managed admin secret: `secretsmanager:GetSecretValue` and
   * `DescribeSecret` on it, and `kms:Decrypt` through Secrets Manager only.
   *
   * @param grantee the principal
   */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.encryptionKey, grantee, this.secretArn);
  }
}
