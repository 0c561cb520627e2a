/**
 * The reference consumer app, in TypeScript. test/consumers/python/app.py and
 * test/consumers/java/.../ConsumerApp.java build THE SAME app through the jsii bindings; run.sh
 * synthesizes all three and compares the outputs with test/consumers/compare.py.
 *
 * Keep the three apps in step: same construct ids, same props, same grants, in the same order.
 *
 *   CONSUMER_OUTDIR=/tmp/ts.out TS_NODE_TRANSPILE_ONLY=true \
 *     npx ts-node --project test/tsconfig.json test/consumers/typescript/app.ts
 */
import { App, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as awsEvents from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  EbsEncryptionByDefault, EncryptedBlockDevice, EncryptedBucket, EncryptedDatabaseCluster, EncryptedDatabaseInstance,
  EncryptedRedshiftCluster, EncryptedSecret, EncryptedVolume, EncryptionKey, KeyAlerts, KeyAuditTrail, KeyCapability,
  KeyService, RedshiftSnapshotCopyGrant, ReplicaKey, SecureStringParameter, SecureStringValue,
  ShareTarget, SnapshotRegionCopy, SnapshotRegionCopyForwarder, SnapshotRegionCopySchedule, SnapshotShareSource, SnapshotShareTarget, SnapshotType,
} from '../../../src';

export const ACCOUNT = '111111111111';
export const PARTNER_ACCOUNT = '222222222222';
export const PRIMARY_REGION = 'eu-west-1';
export const REPLICA_REGION = 'us-east-1';
export const SHARED_KEY_ARN = `arn:aws:kms:${PRIMARY_REGION}:${PARTNER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** A fixed, well-formed base64 "CiphertextBlob" (not a real KMS ciphertext: nothing decrypts it at synth). */
export const API_KEY_CIPHERTEXT = 'AQICAHhjb25zdW1lci1hcHAgZml4ZWQgY2lwaGVydGV4dDogbm90IGEgcmVhbCBLTVMgYmxvYiwgbmV2ZXIgZGVjcnlwdGVkIGluIHRlc3Rz';

/** Builds every stack of the consumer app into `app`. */
export function buildConsumerApp(app: App): void {
  const primaryEnv = { account: ACCOUNT, region: PRIMARY_REGION };

  // --- the key stack -------------------------------------------------------------------------
  const keys = new Stack(app, 'ConsumerKeys', { env: primaryEnv });
  const admins = new iam.Role(keys, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
  const appRole = new iam.Role(keys, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const batchRole = new iam.Role(keys, 'BatchRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const ingestRole = new iam.Role(keys, 'IngestRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  const dataKey = new EncryptionKey(keys, 'DataKey', {
    description: 'Consumer data key',
    multiRegion: true,
    aliases: ['consumer/data', 'alias/consumer/data-v2'],
    administrators: [admins],
    access: [
      {
        capabilities: [KeyCapability.ENVELOPE, KeyCapability.DESCRIBE],
        principals: [appRole],
        viaServices: [KeyService.S3],
      },
      {
        capabilities: [KeyCapability.DECRYPT],
        principalArnPatterns: [`arn:aws:iam::${ACCOUNT}:role/analytics/*`],
        principalTags: { team: 'analytics' },
        viaServices: [KeyService.S3],
        encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::consumer-data/*' },
      },
      {
        capabilities: [KeyCapability.DECRYPT, KeyCapability.DESCRIBE],
        accounts: [PARTNER_ACCOUNT],
        viaServices: [KeyService.S3, KeyService.of('elasticfilesystem')],
      },
    ],
  });
  dataKey.grantCapabilities(batchRole, KeyCapability.ENCRYPT, KeyCapability.DECRYPT, KeyCapability.GRANT_FOR_AWS_RESOURCE);
  // raw actions: the wildcard is written out (kms:ReEncryptFrom, kms:ReEncryptTo)
  dataKey.grant(batchRole, 'kms:ReEncrypt*');
  // aws-cdk-lib's grantEncrypt contract, written out
  dataKey.grantEncrypt(ingestRole);
  dataKey.allowCloudWatchLogs();
  dataKey.allowCloudTrail();
  // the organization trail of the management account (the partner's, here) logs to this account
  dataKey.allowCloudTrail({ trailAccount: PARTNER_ACCOUNT });
  dataKey.allowAutoScaling();

  const signingKey = new EncryptionKey(keys, 'SigningKey', {
    keySpec: kms.KeySpec.RSA_3072,
    keyUsage: kms.KeyUsage.SIGN_VERIFY,
    aliases: ['consumer/signing'],
    administrators: [admins],
  });
  signingKey.grantSign(appRole);
  signingKey.grantGetPublicKey(appRole);

  const tokenKey = new EncryptionKey(keys, 'TokenKey', {
    keySpec: kms.KeySpec.ECC_NIST_P256,
    administrators: [admins],
  });
  tokenKey.grantVerify(batchRole);

  const macKey = new EncryptionKey(keys, 'MacKey', {
    keySpec: kms.KeySpec.HMAC_256,
    administrators: [admins],
  });
  macKey.grantGenerateMac(appRole);
  macKey.grantVerifyMac(batchRole);

  const shared = EncryptionKey.fromKeyArn(keys, 'SharedKey', SHARED_KEY_ARN);
  shared.grantDecrypt(batchRole);
  EncryptionKey.grantGenerateRandom(appRole);

  // --- the replica, in the DR Region -------------------------------------------------------
  const dr = new Stack(app, 'ConsumerKeysDr', {
    env: { account: ACCOUNT, region: REPLICA_REGION },
    crossRegionReferences: true,
  });
  new ReplicaKey(dr, 'DataKeyReplica', {
    primaryKey: dataKey,
    aliases: ['consumer/data'],
  });

  // --- a workload of the same account ------------------------------------------------------
  const workload = new Stack(app, 'ConsumerWorkload', { env: primaryEnv });
  const reporting = new iam.Role(workload, 'ReportingRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  dataKey.grantDecrypt(reporting);

  // --- the partner's account ---------------------------------------------------------------
  const partner = new Stack(app, 'ConsumerPartner', { env: { account: PARTNER_ACCOUNT, region: PRIMARY_REGION } });
  const importer = new iam.Role(partner, 'ImporterRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  dataKey.grantDecrypt(importer);

  // --- storage and parameters of the key account ---------------------------------------------
  // The worker lives with the bucket, volume and parameters it is granted (no cycle between stacks);
  // the key stack's policy names it by aws:PrincipalArn.
  const storage = new Stack(app, 'ConsumerStorage', { env: primaryEnv });
  const worker = new iam.Role(storage, 'StorageWorker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  const orders = new EncryptedBucket(storage, 'Orders', { encryptionKey: dataKey });
  orders.grantReadWrite(worker);

  // EBS gets a key of its own: EBS encryption by default opens it to the account through EC2.
  const ebsKey = new EncryptionKey(storage, 'EbsKey', { description: 'Consumer EBS key', aliases: ['consumer/ebs'] });
  const scratch = new EncryptedVolume(storage, 'Scratch', {
    availabilityZone: `${PRIMARY_REGION}a`,
    size: Size.gibibytes(20),
    encryptionKey: ebsKey,
  });
  Validations.of(scratch).acknowledge({ id: 'CloudFormation-Validate::W3010', reason: 'The consumer app pins one Availability Zone on purpose' });
  scratch.grantAttachVolume(worker);
  new ec2.LaunchTemplate(storage, 'FleetTemplate', {
    blockDevices: [EncryptedBlockDevice.forAutoScaling(ebsKey, { deviceName: '/dev/xvda', size: Size.gibibytes(30) })],
  });
  // Every launch in the account may use the key through EC2; EbsEncryptionByDefault asks for the
  // same (once is enough: the statements and the warning are not repeated).
  ebsKey.allowEbsForAccount();
  new EbsEncryptionByDefault(storage, 'EbsDefault', { encryptionKey: ebsKey });

  const dbPassword = new SecureStringParameter(storage, 'DbPassword', {
    parameterName: '/consumer/db/password',
    value: SecureStringValue.generated({ length: 40 }),
    encryptionKey: dataKey,
    description: 'Generated at deploy time',
  });
  dbPassword.grantRead(worker);
  new SecureStringParameter(storage, 'ApiKey', {
    parameterName: '/consumer/api-key',
    value: SecureStringValue.fromCiphertext(API_KEY_CIPHERTEXT, { encryptionContext: { app: 'consumer' } }),
    encryptionKey: dataKey,
  });

  const apiSecret = new EncryptedSecret(storage, 'ApiSecret', { description: 'Consumer API credentials' });
  apiSecret.grantRead(worker);

  // A service view handed to an aws-cdk-lib construct: its grants carry kms:ViaService sqs.
  const events = new sqs.Queue(storage, 'Events', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: dataKey.forService(KeyService.SQS),
  });
  events.grantSendMessages(worker);

  // --- databases: the snapshot copy grant in the DR Region (deployed first) ---------------------
  const databasesDr = new Stack(app, 'ConsumerDatabasesDr', { env: { account: ACCOUNT, region: REPLICA_REGION } });
  const copyGrant = new RedshiftSnapshotCopyGrant(databasesDr, 'CopyGrant', {
    encryptionKey: new EncryptionKey(databasesDr, 'CopyKey', { description: 'Consumer Redshift copies', aliases: ['consumer/redshift-dr'] }),
    snapshotCopyGrantName: 'consumer-warehouse-dr',
  });

  // --- databases: RDS, Aurora and Redshift under one key -------------------------------------
  const databases = new Stack(app, 'ConsumerDatabases', { env: primaryEnv });
  const vpc = new ec2.Vpc(databases, 'Vpc', {
    availabilityZones: [`${PRIMARY_REGION}a`, `${PRIMARY_REGION}b`],
    subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const dbKey = new EncryptionKey(databases, 'DbKey', { description: 'Consumer databases', aliases: ['consumer/db'] });
  const dbApp = new iam.Role(databases, 'DbAppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const dba = new iam.Role(databases, 'DbaRole', { assumedBy: new iam.AccountRootPrincipal() });
  const analyst = new iam.Role(databases, 'AnalystRole', { assumedBy: new iam.AccountRootPrincipal() });

  const ordersDb = new EncryptedDatabaseInstance(databases, 'OrdersDb', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    vpc,
    encryptionKey: dbKey,
    port: 5433,
    manageMasterUserPassword: true,
    // fewer than every log type of the engine: warns (databaseLogExportsReduced)
    cloudwatchLogsExports: ['postgresql'],
  });
  ordersDb.grantConnect(dbApp, 'orders_app');
  ordersDb.grantSecretRead(dba);

  const ledger = new EncryptedDatabaseCluster(databases, 'Ledger', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    vpc,
    encryptionKey: dbKey,
  });
  ledger.grantPerformanceInsightsRead(analyst);

  new EncryptedRedshiftCluster(databases, 'Warehouse', {
    vpc,
    encryptionKey: dbKey,
    numberOfNodes: 4,
    port: 5440,
    snapshotCopy: { destinationRegion: copyGrant.region, grantName: copyGrant.snapshotCopyGrantName, retention: Duration.days(14) },
  });
  databases.addStackDependency(databasesDr, 'the snapshot copy grant must exist before the cluster names it');

  // the source Region's half of the snapshot copies: completion events to the DR Region
  new SnapshotRegionCopyForwarder(databases, 'SnapshotsToDr', {
    destinationRegion: REPLICA_REGION,
    snapshotTypes: [SnapshotType.EBS, SnapshotType.RDS_DB],
  });
  // and every six hours, the newest snapshot of the orders database and a volume, when it is new
  new SnapshotRegionCopySchedule(databases, 'NewestToDr', {
    destinationRegion: REPLICA_REGION,
    schedule: awsEvents.Schedule.rate(Duration.hours(6)),
    dbInstanceIdentifiers: ['consumer-orders'],
    ebsVolumeIds: ['vol-0123456789abcdef0'],
    encryptionKey: dbKey,
  });

  // --- snapshot copies into the DR Region ----------------------------------------------------
  const snapshotsDr = new Stack(app, 'ConsumerSnapshotsDr', { env: { account: ACCOUNT, region: REPLICA_REGION } });
  const regionCopy = new SnapshotRegionCopy(snapshotsDr, 'FromPrimary', {
    sourceRegion: PRIMARY_REGION,
    encryptionKey: new EncryptionKey(snapshotsDr, 'SnapshotKey', { description: 'Consumer snapshot copies', aliases: ['consumer/snapshots-dr'] }),
    snapshotTypes: [SnapshotType.EBS, SnapshotType.RDS_DB],
    keepCopies: 14,
    copyNamePrefix: 'consumer-dr',
    firstPoll: Duration.minutes(10),
    copyTimeout: Duration.hours(12),
    copyOnScheduleRequests: true,
  });
  regionCopy.grantStartExecution(new iam.Role(snapshotsDr, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() }));

  // --- key audit: a trail under its own key, alerts on the data key ---------------------------
  const audit = new Stack(app, 'ConsumerAudit', { env: primaryEnv });
  const auditors = new iam.Role(audit, 'Auditors', { assumedBy: new iam.AccountRootPrincipal() });
  const investigator = new iam.Role(audit, 'Investigator', { assumedBy: new iam.AccountRootPrincipal() });
  const auditKey = new EncryptionKey(audit, 'AuditKey', { description: 'Consumer audit trail', aliases: ['consumer/audit'] });
  const trail = new KeyAuditTrail(audit, 'Trail', {
    encryptionKey: auditKey,
    trailName: 'consumer-key-audit',
    logReaders: [auditors],
    dataEventSelectors: [{
      name: 'S3 objects',
      fieldSelectors: [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: ['AWS::S3::Object'] }],
    }],
  });
  trail.grantReadLogFiles(investigator);
  const alerts = new KeyAlerts(audit, 'Alerts', {
    keys: [dataKey, auditKey],
    aliasNames: ['consumer/data', 'consumer/audit'],
    trail,
    emailAddresses: ['security@example.com'],
    encryptionKey: new EncryptionKey(audit, 'AlertKey', { description: 'Consumer key alerts', aliases: ['consumer/alerts'] }),
  });
  alerts.addEmailSubscription('oncall@example.com');
  alerts.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(audit, 'AlertQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  })));

  // --- EBS snapshots shared with the partner account, copied there under the partner's key ------
  const shareSource = new Stack(app, 'ConsumerShareSource', { env: primaryEnv });
  const shareVolumes = new SnapshotShareSource(shareSource, 'ShareVolumes', {
    snapshotType: SnapshotType.EBS,
    targets: [ShareTarget.account(PARTNER_ACCOUNT)],
    encryptionKey: new EncryptionKey(shareSource, 'ShareKey', { description: 'Consumer shared snapshots', aliases: ['consumer/share'] }),
    createFrom: ['vol-0123456789abcdef0'],
    confirmationTimeout: Duration.hours(12),
    polling: { initialPollInterval: Duration.minutes(1), maxPollInterval: Duration.minutes(15), snapshotTimeout: Duration.hours(6) },
  });
  shareVolumes.grantStartExecution(new iam.Role(shareSource, 'ShareOperator', { assumedBy: new iam.AccountRootPrincipal() }));
  const shareTarget = new Stack(app, 'ConsumerShareTarget', { env: { account: PARTNER_ACCOUNT, region: PRIMARY_REGION } });
  new SnapshotShareTarget(shareTarget, 'ReceiveVolumes', {
    snapshotType: SnapshotType.EBS,
    sourceAccounts: [ACCOUNT],
    encryptionKey: new EncryptionKey(shareTarget, 'ReceivedKey', { description: 'Partner copies', aliases: ['partner/received'] }),
    restore: { availabilityZone: `${PRIMARY_REGION}a` },
  });

  // --- RDS DB snapshots shared straight into the partner's DR Region (one CopyDBSnapshot there) ---
  new SnapshotShareSource(shareSource, 'ShareDatabases', {
    snapshotType: SnapshotType.RDS_DB,
    targets: [ShareTarget.accountInRegion(PARTNER_ACCOUNT, REPLICA_REGION)],
    encryptionKey: new EncryptionKey(shareSource, 'ShareDbKey', { description: 'Consumer shared DB snapshots', aliases: ['consumer/share-db'] }),
  });
  // --- Redshift snapshots shared with the partner, who restores a cluster under its own key ----
  new SnapshotShareSource(shareSource, 'ShareWarehouse', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER,
    targets: [ShareTarget.account(PARTNER_ACCOUNT)],
    encryptionKey: new EncryptionKey(shareSource, 'WarehouseKey', { description: 'Consumer warehouse', aliases: ['consumer/warehouse'] }),
    createFrom: ['consumer-warehouse'],
  });
  new SnapshotShareTarget(shareTarget, 'ReceiveWarehouse', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER,
    sourceAccounts: [ACCOUNT],
    encryptionKey: new EncryptionKey(shareTarget, 'WarehouseCopyKey', { description: 'Partner warehouse', aliases: ['partner/warehouse'] }),
    restore: { clusterSubnetGroupName: 'analytics-private', vpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], nodeType: 'ra3.xlplus', numberOfNodes: 2 },
  });

  const shareTargetDr = new Stack(app, 'ConsumerShareTargetDr', { env: { account: PARTNER_ACCOUNT, region: REPLICA_REGION } });
  new SnapshotShareTarget(shareTargetDr, 'ReceiveDatabases', {
    snapshotType: SnapshotType.RDS_DB,
    sourceAccounts: [ACCOUNT],
    sourceRegion: PRIMARY_REGION,
    encryptionKey: new EncryptionKey(shareTargetDr, 'ReceivedDbKey', { description: 'Partner DR copies', aliases: ['partner/received-dr'] }),
  });

  // --- the warehouse's snapshot copies, shared in the DR Region (automated ones made manual first) ---
  const warehouseShare = new SnapshotShareSource(databasesDr, 'ShareWarehouseCopies', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER,
    targets: [ShareTarget.account(PARTNER_ACCOUNT)],
    encryptionKey: copyGrant.encryptionKey,
    redshiftCopies: { clusterIdentifier: 'consumer-warehouse', manualCopyRetention: Duration.days(10), schedule: awsEvents.Schedule.rate(Duration.hours(2)) },
  });
  if (!warehouseShare.copySweep) throw new Error('redshiftCopies made no copy sweep');
  new SnapshotShareTarget(shareTargetDr, 'ReceiveWarehouseCopies', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER,
    sourceAccounts: [ACCOUNT],
    restore: { clusterSubnetGroupName: 'analytics-dr', vpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
  });
}

/** Synthesizes the app into `outdir` (CONSUMER_OUTDIR, or the first argument). */
export function main(outdir: string | undefined): void {
  if (!outdir) {
    throw new Error('usage: CONSUMER_OUTDIR=<dir> ts-node app.ts  (or pass the directory as the first argument)');
  }
  const app = new App({
    outdir,
    context: {
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      'aws:cdk:disable-version-reporting': true,
    },
  });
  buildConsumerApp(app);
  const assembly = app.synth();
  console.log(`typescript consumer: ${assembly.stacks.length} stacks in ${outdir}`);
}

if (require.main === module) {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.CDK_DISABLE_VERSION_CHECK = '1';
  main(process.env.CONSUMER_OUTDIR ?? process.argv[2]);
}
