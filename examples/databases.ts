/**
 * The databases of the example app: an RDS for PostgreSQL instance, an Aurora PostgreSQL cluster
 * and a Redshift cluster under the security team's keys, with the Redshift snapshots copied to the
 * disaster-recovery Region under that Region's key.
 */
import { Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import {
  EncryptedDatabaseCluster, EncryptedDatabaseInstance, EncryptedRedshiftCluster, EncryptionKey, RedshiftSnapshotCopyGrant,
} from '../src';

/** The snapshot copy grant's name, shared by the two stacks. */
export const WAREHOUSE_COPY_GRANT = 'orders-warehouse-dr';

/**
 * The disaster-recovery Region's side of the Redshift snapshot copy: a key of that Region and the
 * snapshot copy grant that lets Redshift encrypt the copies with it. Deployed before the databases.
 */
export class DatabaseDrStack extends Stack {
  /** The grant the primary Region's cluster names. */
  public readonly copyGrant: RedshiftSnapshotCopyGrant;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const key = new EncryptionKey(this, 'WarehouseCopyKey', {
      description: 'Encrypts Redshift snapshot copies from the primary Region',
      aliases: ['databases/warehouse-dr'],
    });
    this.copyGrant = new RedshiftSnapshotCopyGrant(this, 'WarehouseCopyGrant', { encryptionKey: key, snapshotCopyGrantName: WAREHOUSE_COPY_GRANT });
  }
}

/**
 * The orders databases in an isolated VPC, all under one key of the database team: an RDS
 * instance, an Aurora cluster and a Redshift cluster whose snapshots are copied to the DR Region.
 */
export class DatabaseStack extends Stack {
  /** The key of the databases. */
  public readonly key: EncryptionKey;
  /** The orders database. */
  public readonly orders: EncryptedDatabaseInstance;
  /** The ledger cluster. */
  public readonly ledger: EncryptedDatabaseCluster;
  /** The warehouse. */
  public readonly warehouse: EncryptedRedshiftCluster;

  constructor(scope: Construct, id: string, props: StackProps & { readonly dr: DatabaseDrStack }) {
    super(scope, id, props);
    this.key = new EncryptionKey(this, 'DatabaseKey', { description: 'Encrypts the orders databases, their snapshots, secrets and logs', aliases: ['databases/orders'] });

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { encryptionKey: this.key, retention: logs.RetentionDays.ONE_YEAR });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
    Validations.of(vpc).acknowledge({
      id: 'NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
      reason: 'No resource uses the default security group: every database has its own, without inbound rules',
    });
    for (const pack of ['HIPAA.Security', 'PCI.DSS.321']) {
      Validations.of(vpc).acknowledge({ id: `${pack}-VPCDefaultSecurityGroupClosed`, reason: 'No resource uses the default security group: every database has its own, without inbound rules' });
    }
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      Validations.of(vpc).acknowledge({ id: `${pack}-IAMNoInlinePolicy`, reason: 'The flow log role\'s inline policy, written by aws-cdk-lib, writes to the one flow log group' });
    }

    this.orders = new EncryptedDatabaseInstance(this, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      encryptionKey: this.key,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
      port: 5433,
      databaseName: 'orders',
      monitoringInterval: Duration.seconds(60),
    });

    this.ledger = new EncryptedDatabaseCluster(this, 'Ledger', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      vpc,
      encryptionKey: this.key,
      port: 5434,
      monitoringInterval: Duration.seconds(60),
    });

    this.warehouse = new EncryptedRedshiftCluster(this, 'Warehouse', {
      vpc,
      encryptionKey: this.key,
      port: 5440,
      snapshotCopy: { destinationRegion: props.dr.region, grantName: props.dr.copyGrant.snapshotCopyGrantName },
    });
    this.addStackDependency(props.dr, 'the Redshift snapshot copy grant exists before the cluster names it');

    for (const db of [this.orders, this.ledger]) {
      for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
        Validations.of(db).acknowledge({
          id: `${pack}-RDSInBackupPlan`,
          reason: 'Automated backups kept 7 days and a final snapshot on delete, under the key; AWS Backup plans are out of scope of this example',
        });
      }
      Validations.of(db).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
        reason: 'The enhanced monitoring role of RDS uses the AWS managed policy made for it',
      });
    }

    // Who uses the databases: the app connects with IAM authentication, the DBA reads the master
    // secret, the analyst reads Performance Insights.
    const app = role(this, 'OrdersApp', 'The orders service: connects to the orders database with IAM authentication');
    this.orders.grantConnect(app, 'orders_app');
    const dba = role(this, 'Dba', 'Database administrators: read the master secrets');
    this.orders.grantSecretRead(dba);
    this.ledger.grantSecretRead(dba);
    this.warehouse.grantSecretRead(dba);
    const analyst = role(this, 'Analyst', 'Reads Performance Insights of the orders databases');
    this.orders.grantPerformanceInsightsRead(analyst);
    this.ledger.grantPerformanceInsightsRead(analyst);
    Validations.of(analyst).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:pi:eu-west-1:111111111111:metrics/rds/*]',
      reason: 'Performance Insights of the ledger cluster\'s instances, whose resource ids aws-cdk-lib does not expose; the key allows only Performance Insights data',
    });
  }
}

function role(scope: Construct, id: string, description: string): iam.Role {
  const r = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
    Validations.of(r).acknowledge({ id: `${pack}-IAMNoInlinePolicy`, reason: 'CDK grants write one inline policy per role, each statement scoped to the granted database or key' });
  }
  return r;
}
