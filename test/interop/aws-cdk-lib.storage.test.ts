/**
 * aws-cdk-lib interop, storage: an `EncryptionKey` given to s3.Bucket, dynamodb.Table,
 * kinesis.Stream, efs.FileSystem and backup.BackupVault.
 *
 * For each: the app synthesizes; the key policy follows the library's rules (explicit actions,
 * grants only for AWS resources, source conditions on service principals); the KMS requests the
 * service really makes (AWS documentation cited per row) are allowed for whoever aws-cdk-lib's grants
 * name, and for the CloudFormation execution role where creating the resource makes KMS requests;
 * an undeclared role of the account and a role of another account, both with IAM `kms:*`, get
 * nothing, directly or through the service.
 */
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ACCOUNT, ALLOW_ALL, allowed, cfnExecRole, denied, ec, fixture, GRANT_FOR_AWS_RESOURCE, keyPolicyViolations, MUTATING_ADMIN_ACTIONS,
  once, outsiderRows, synthWorld, via,
} from './interop';
import { expectAccess } from '../harness/simulate';

/** aws-cdk-lib's `kms:GenerateDataKey*` and `kms:ReEncrypt*`, written out. */
const WRITE_CONTRACT = [
  'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
];

function isolatedVpc(scope: ConstructorParameters<typeof ec2.Vpc>[0]): ec2.Vpc {
  return new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

describe('s3.Bucket with an EncryptionKey', () => {
  const built = once(() => {
    const f = fixture();
    const app = new iam.Role(f.stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const bucket = new s3.Bucket(f.stack, 'Bucket', { encryptionKey: f.key });
    bucket.grantReadWrite(app);
    const world = synthWorld(f);
    const objectArn = world.resolve(bucket.arnForObjects('data/report.csv'), f.stack) as string;
    return { ...f, app, bucket, world, objectArn };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('bucket.grantReadWrite: the role can write and read objects through S3', async () => {
    const { world, key, app, objectArn } = built();
    // SSE-KMS: PutObject and CreateMultipartUpload ask for kms:GenerateDataKey, GetObject and
    // UploadPart for kms:Decrypt, on the caller's behalf, the object ARN as encryption context
    // (no S3 Bucket Key here).
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
    const context = { ...via('s3'), ...ec('aws:s3:arn', objectArn) };
    await expectAccess(world, [
      ...allowed('app role, PutObject / CreateMultipartUpload', app, key, ['kms:GenerateDataKey'], context),
      ...allowed('app role, GetObject / UploadPart', app, key, ['kms:Decrypt'], context),
      // aws-cdk-lib's own contract for grantReadWrite (Encrypt, ReEncrypt*, GenerateDataKey*, Decrypt)
      ...allowed('app role, aws-cdk-lib key write contract', app, key, [...WRITE_CONTRACT, 'kms:Decrypt'], {}),
      ...denied('app role administers', app, key, MUTATING_ADMIN_ACTIONS, {}),
    ]);
  });

  // Creating the bucket makes no KMS request: "Amazon S3 does not validate the KMS key ID provided
  // in PutBucketEncryption requests". https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key, objectArn } = built();
    await expectAccess(world, outsiderRows(key, { services: ['s3'], encryptionContext: ec('aws:s3:arn', objectArn) }));
  });
});

describe('dynamodb.Table with a customer managed EncryptionKey', () => {
  const built = once(() => {
    const f = fixture();
    const app = new iam.Role(f.stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const table = new dynamodb.Table(f.stack, 'Table', {
      tableName: 'interop-table',
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: f.key,
    });
    table.grantReadWriteData(app);
    return { ...f, app, table, world: synthWorld(f) };
  });
  // DynamoDB's encryption context: the table name and the account (subscriber id).
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
  const context = { ...via('dynamodb'), ...ec('aws:dynamodb:tableName', 'interop-table'), ...ec('aws:dynamodb:subscriberId', ACCOUNT) };

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('table.grantReadWriteData: the role can read and write items through DynamoDB', async () => {
    const { world, key, app } = built();
    // DynamoDB decrypts the table key for each caller (cached for up to five minutes) on the
    // caller's behalf. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
    await expectAccess(world, [
      ...allowed('app role, GetItem / PutItem', app, key, ['kms:Decrypt'], context),
      ...allowed('app role, aws-cdk-lib key write contract', app, key, [...WRITE_CONTRACT, 'kms:Decrypt', 'kms:DescribeKey'], {}),
      ...denied('app role administers', app, key, MUTATING_ADMIN_ACTIONS, {}),
    ]);
  });

  test('CloudFormation can create the table (execution role, through DynamoDB)', async () => {
    const { world, key } = built();
    // CreateTable with a customer managed key: DynamoDB describes the key and creates a grant for
    // the table, on behalf of the caller. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
    // https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html
    await expectAccess(world, [
      ...allowed('execution role, CreateTable', cfnExecRole(), key, ['kms:DescribeKey'], via('dynamodb'), [ALLOW_ALL]),
      ...allowed('execution role, CreateTable grant', cfnExecRole(), key, ['kms:CreateGrant'], { ...via('dynamodb'), ...GRANT_FOR_AWS_RESOURCE }, [ALLOW_ALL]),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['dynamodb'], encryptionContext: context }));
  });
});

describe('kinesis.Stream with an EncryptionKey', () => {
  const built = once(() => {
    const f = fixture();
    const producer = new iam.Role(f.stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const consumer = new iam.Role(f.stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const stream = new kinesis.Stream(f.stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: f.key });
    stream.grantWrite(producer);
    stream.grantRead(consumer);
    const world = synthWorld(f);
    return { ...f, producer, consumer, stream, world, streamArn: world.resolve(stream.streamArn, f.stack) as string };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('stream.grantWrite / grantRead: producers and consumers can use the stream', async () => {
    const { world, key, producer, consumer, streamArn } = built();
    // "Your Kinesis stream producers must have the kms:GenerateDataKey permission", consumers
    // kms:Decrypt; Kinesis calls KMS on their behalf with the stream ARN as encryption context.
    // https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
    const context = { ...via('kinesis'), ...ec('aws:kinesis:arn', streamArn) };
    await expectAccess(world, [
      ...allowed('producer, PutRecord(s)', producer, key, ['kms:GenerateDataKey'], context),
      ...allowed('consumer, GetRecords', consumer, key, ['kms:Decrypt'], context),
      // aws-cdk-lib: grantWrite = key.grantEncrypt, grantRead = key.grantDecrypt
      ...allowed('producer, aws-cdk-lib grantEncrypt contract', producer, key, WRITE_CONTRACT, {}),
      ...denied('producer decrypts', producer, key, ['kms:Decrypt'], {}),
      ...denied('consumer encrypts', consumer, key, WRITE_CONTRACT, {}),
      ...denied('producer and consumer administer', producer, key, MUTATING_ADMIN_ACTIONS, {}),
      ...denied('consumer administers', consumer, key, MUTATING_ADMIN_ACTIONS, {}),
    ]);
  });

  test('CloudFormation can create the stream (execution role)', async () => {
    const { world, key } = built();
    // "Kinesis stream administrators must have authorization to call kms:List* and kms:DescribeKey*"
    // https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
    await expectAccess(world, allowed('execution role, CreateStream / StartStreamEncryption', cfnExecRole(), key, ['kms:DescribeKey'], {}, [ALLOW_ALL]));
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key, streamArn } = built();
    await expectAccess(world, outsiderRows(key, { services: ['kinesis'], encryptionContext: ec('aws:kinesis:arn', streamArn) }));
  });
});

describe('efs.FileSystem with an EncryptionKey', () => {
  const built = once(() => {
    const f = fixture();
    const app = new iam.Role(f.stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const fileSystem = new efs.FileSystem(f.stack, 'FileSystem', { vpc: isolatedVpc(f.stack), kmsKey: f.key, encrypted: true });
    fileSystem.grantReadWrite(app);
    return { ...f, app, fileSystem, world: synthWorld(f) };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('CloudFormation can create the file system (execution role, through EFS)', async () => {
    const { world, key } = built();
    // "Amazon EFS key policies for AWS KMS": kms:Decrypt, kms:GenerateDataKeyWithoutPlaintext,
    // kms:CreateGrant and kms:DescribeKey are required of the principal creating the file system,
    // through EFS; afterwards EFS works under the grant it created.
    // https://docs.aws.amazon.com/efs/latest/ug/EFSKMS.html
    const through = via('elasticfilesystem');
    await expectAccess(world, [
      ...allowed('execution role, CreateFileSystem', cfnExecRole(), key,
        ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext'], through, [ALLOW_ALL]),
      ...allowed('execution role, CreateFileSystem grant', cfnExecRole(), key, ['kms:CreateGrant'], { ...through, ...GRANT_FOR_AWS_RESOURCE }, [ALLOW_ALL]),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['elasticfilesystem'] }));
  });
});

describe('backup.BackupVault with an EncryptionKey', () => {
  const built = once(() => {
    const f = fixture();
    const vault = new backup.BackupVault(f.stack, 'Vault', { backupVaultName: 'interop-vault', encryptionKey: f.key });
    return { ...f, vault, world: synthWorld(f) };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('CloudFormation can create the vault (execution role, through AWS Backup)', async () => {
    const { world, key } = built();
    // CreateBackupVault with a customer managed key: AWS Backup describes the key and creates a
    // grant, on the caller's behalf. https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html
    const through = via('backup');
    await expectAccess(world, [
      ...allowed('execution role, CreateBackupVault', cfnExecRole(), key, ['kms:DescribeKey'], through, [ALLOW_ALL]),
      ...allowed('execution role, CreateBackupVault grant', cfnExecRole(), key, ['kms:CreateGrant'], { ...through, ...GRANT_FOR_AWS_RESOURCE }, [ALLOW_ALL]),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['backup'] }));
  });
});
