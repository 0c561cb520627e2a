/**
 * EncryptedDatabaseInstance, EncryptedDatabaseCluster, EncryptedRedshiftCluster and
 * RedshiftSnapshotCopyGrant: a PostgreSQL instance, an Aurora MySQL cluster and a Redshift cluster
 * under one customer managed key in an isolated VPC, the Redshift snapshots copied to the replica
 * Region under that Region's key.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { PRIMARY_ENV, REPLICA_ENV, snapshotTest } from './support';
import {
  EncryptedDatabaseCluster, EncryptedDatabaseInstance, EncryptedRedshiftCluster, EncryptionKey, RedshiftSnapshotCopyGrant,
} from '../../src';

const app = new App();
const dr = new Stack(app, 'IntegEncryptedDatabasesDr', { env: REPLICA_ENV });
const copyGrant = new RedshiftSnapshotCopyGrant(dr, 'CopyGrant', {
  encryptionKey: new EncryptionKey(dr, 'CopyKey', { description: 'Integ: Redshift snapshot copies' }),
  snapshotCopyGrantName: 'integ-warehouse-dr',
});

const stack = new Stack(app, 'IntegEncryptedDatabases', { env: PRIMARY_ENV });
const key = new EncryptionKey(stack, 'DatabaseKey', { description: 'Integ: databases', aliases: ['integ/databases'] });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

const orders = new EncryptedDatabaseInstance(stack, 'Orders', {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
  vpc,
  encryptionKey: key,
  instanceIdentifier: 'integ-orders',
  port: 5433,
});
const ledger = new EncryptedDatabaseCluster(stack, 'Ledger', {
  engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }),
  vpc,
  encryptionKey: key,
  clusterIdentifier: 'integ-ledger',
  backupRetention: Duration.days(14),
});
const warehouse = new EncryptedRedshiftCluster(stack, 'Warehouse', {
  vpc,
  encryptionKey: key,
  clusterIdentifier: 'integ-warehouse',
  port: 5440,
  snapshotCopy: { destinationRegion: copyGrant.region, grantName: copyGrant.snapshotCopyGrantName },
});
stack.addStackDependency(dr);

const dba = new iam.Role(stack, 'Dba', { assumedBy: new iam.AccountRootPrincipal() });
orders.grantSecretRead(dba);
ledger.grantSecretRead(dba);
warehouse.grantSecretRead(dba);
orders.grantPerformanceInsightsRead(dba);
orders.grantConnect(dba, 'integ_dba');

snapshotTest(app, 'EncryptedDatabasesTest', [dr, stack]);
