/**
 * The benchmark's workload, written three ways: with the library, with plain aws-cdk-lib L2
 * constructs, and with raw L1 resources (the floor). A workload: a key with an administrator role
 * and an application role, an encrypted bucket, an EBS volume, a SecureString parameter and a
 * secret, all granted to the application role. Ten workloads a stack.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  EncryptedBucket, EncryptedSecret, EncryptedVolume, EncryptionKey, SecureStringParameter, SecureStringValue,
} from '../src';

/** The ways the workload is written. */
export const KINDS = ['library', 'plain-l2', 'raw-l1'] as const;
/** One way of writing the workload. */
export type Kind = typeof KINDS[number];

/** Workloads per stack. */
export const WORKLOADS_PER_STACK = 10;

/** The account and Region every benchmark stack is in. */
export const BENCH_ENV = { account: '111111111111', region: 'eu-west-1' };

/** Adds `n` workloads of the given kind to the app, ten a stack. */
export function addWorkloads(app: App, kind: Kind, n: number): Stack[] {
  const stacks: Stack[] = [];
  for (let i = 0; i < n; i++) {
    const s = Math.floor(i / WORKLOADS_PER_STACK);
    let stack = stacks[s];
    if (!stack) {
      stack = new Stack(app, `Bench${s}`, { env: BENCH_ENV });
      stacks.push(stack);
    }
    const scope = new Construct(stack, `W${i}`);
    WORKLOAD[kind](scope, `/bench/w${i}/password`);
  }
  return stacks;
}

const WORKLOAD: Record<Kind, (scope: Construct, parameterName: string) => void> = {
  'library': libraryWorkload,
  'plain-l2': plainWorkload,
  'raw-l1': rawWorkload,
};

function roles(scope: Construct): { admin: iam.Role; app: iam.Role } {
  return {
    admin: new iam.Role(scope, 'Admin', { assumedBy: new iam.AccountRootPrincipal() }),
    app: new iam.Role(scope, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
  };
}

/** The workload with the library: every default, grants through the constructs. */
function libraryWorkload(scope: Construct, parameterName: string): void {
  const { admin, app } = roles(scope);
  const key = new EncryptionKey(scope, 'Key', { administrators: [admin] });
  new EncryptedBucket(scope, 'Bucket', { encryptionKey: key }).grantReadWrite(app);
  new EncryptedVolume(scope, 'Volume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(10), encryptionKey: key })
    .grantAttachVolume(app);
  new SecureStringParameter(scope, 'Parameter', { parameterName, value: SecureStringValue.generated(), encryptionKey: key })
    .grantRead(app);
  new EncryptedSecret(scope, 'Secret', { encryptionKey: key }).grantRead(app);
}

/**
 * The same workload in plain aws-cdk-lib L2, configured as a careful user would: rotation on, the
 * bucket SSE-KMS with a Bucket Key, TLS only, no public access, versioned, access logs to one log
 * bucket a stack; the parameter through `AwsCustomResource` (CloudFormation has no SecureString).
 */
function plainWorkload(scope: Construct, parameterName: string): void {
  const { admin, app } = roles(scope);
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'Key', { enableKeyRotation: true, admins: [admin] });
  const logs = (stack.node.tryFindChild('AccessLogs') as s3.Bucket | undefined) ?? new s3.Bucket(stack, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, versioned: true,
  });
  const bucket = new s3.Bucket(scope, 'Bucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: `${scope.node.id}/`,
    lifecycleRules: [{
      noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(30) }],
    }],
  });
  bucket.grantReadWrite(app);
  new ec2.Volume(scope, 'Volume', {
    availabilityZone: 'eu-west-1a', size: Size.gibibytes(10), volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true, encryptionKey: key,
  }).grantAttachVolume(app);
  const put = new cr.AwsCustomResource(scope, 'Parameter', {
    onUpdate: {
      service: 'SSM',
      action: 'putParameter',
      parameters: { Name: parameterName, Type: 'SecureString', KeyId: key.keyArn, Overwrite: true, Value: 'generated-at-deploy' },
      physicalResourceId: cr.PhysicalResourceId.of(parameterName),
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: parameterName.slice(1) })] }),
    installLatestAwsSdk: false,
  });
  key.grantEncrypt(put);
  ssm.StringParameter.fromSecureStringParameterAttributes(scope, 'ParameterRef', { parameterName, encryptionKey: key }).grantRead(app);
  new secretsmanager.Secret(scope, 'Secret', { encryptionKey: key }).grantRead(app);
}

/** The floor: raw L1 resources, key policy and the application role's policy written by hand. */
function rawWorkload(scope: Construct, parameterName: string): void {
  const stack = Stack.of(scope);
  const admin = new iam.CfnRole(scope, 'Admin', {
    assumeRolePolicyDocument: trust({ AWS: `arn:${stack.partition}:iam::${stack.account}:root` }),
  });
  const app = new iam.CfnRole(scope, 'App', { assumeRolePolicyDocument: trust({ Service: 'lambda.amazonaws.com' }) });
  const key = new kms.CfnKey(scope, 'Key', {
    enableKeyRotation: true,
    keyPolicy: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: admin.attrArn }, Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion'], Resource: '*' },
      ],
    },
  });
  const bucket = new s3.CfnBucket(scope, 'Bucket', {
    bucketEncryption: { serverSideEncryptionConfiguration: [{ bucketKeyEnabled: true, serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.attrArn } }] },
    publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    versioningConfiguration: { status: 'Enabled' },
  });
  const volume = new ec2.CfnVolume(scope, 'Volume', { availabilityZone: 'eu-west-1a', size: 10, volumeType: 'gp3', encrypted: true, kmsKeyId: key.attrArn });
  const secret = new secretsmanager.CfnSecret(scope, 'Secret', { kmsKeyId: key.attrArn, generateSecretString: {} });
  // CloudFormation has no SecureString parameter: the floor has none.
  const parameterArn = `arn:${stack.partition}:ssm:${stack.region}:${stack.account}:parameter${parameterName}`;
  new iam.CfnPolicy(scope, 'AppPolicy', {
    policyName: 'app',
    roles: [app.ref],
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject*', 's3:PutObject', 's3:DeleteObject*', 's3:ListBucket'], Resource: [bucket.attrArn, `${bucket.attrArn}/*`] },
        { Effect: 'Allow', Action: 'ec2:AttachVolume', Resource: [`arn:${stack.partition}:ec2:${stack.region}:${stack.account}:volume/${volume.ref}`, `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:instance/*`] },
        { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: parameterArn },
        { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secret.ref },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant'], Resource: key.attrArn },
      ],
    },
  });
}

function trust(principal: Record<string, string>): any {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] };
}
