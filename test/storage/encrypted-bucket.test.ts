import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptedBucket, EncryptionKey } from '../../src';
import { formatFindings, nagFindings } from '../harness/compliance';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const VIA_S3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };

function newStack(): Stack {
  return new Stack(new App(), 'S', { env: ENV });
}

describe('EncryptedBucket', () => {
  test('defaults: SSE-KMS with a Bucket Key, TLS only, no public access, owner enforced, versioned, logs, retained', () => {
    const stack = newStack();
    const bucket = new EncryptedBucket(stack, 'Data');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] } },
          }],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        // the stack's shared log bucket, each bucket's logs under keys of their own (test/storage/private/access-logs.test.ts)
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('^CdkKmsPatternsAccessLogs') },
          LogFilePrefix: 'access-logs/',
          TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } },
        },
        LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }] })] },
      }),
    });
    // the log bucket is SSE-S3 (S3 cannot log to a KMS-encrypted bucket), retained too
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }),
    });
    const policy = stack.resolve(bucket.bucket.policy!.document.toJSON());
    const sids = policy.Statement.map((s: any) => s.Sid ?? s.Effect + JSON.stringify(s.Condition ?? {}));
    expect(sids).toEqual(expect.arrayContaining(['DenyOtherEncryption', 'DenyOtherKeys']));
    const tls = policy.Statement.find((s: any) => JSON.stringify(s.Condition ?? {}).includes('aws:SecureTransport'));
    expect(tls.Effect).toBe('Deny');
    const otherKeys = policy.Statement.find((s: any) => s.Sid === 'DenyOtherKeys');
    expect(otherKeys.Condition.StringNotEquals['s3:x-amz-server-side-encryption-aws-kms-key-id']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
    expect(otherKeys.Effect).toBe('Deny');
  });

  test('DSSE-KMS, a given key, expiration of noncurrent versions, DESTROY warns', () => {
    const stack = newStack();
    const key = new EncryptionKey(stack, 'Key');
    new EncryptedBucket(stack, 'Data', {
      encryptionKey: key, dualLayerEncryption: true, noncurrentVersionExpiration: Duration.days(400), removalPolicy: RemovalPolicy.DESTROY,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse' } }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 400 } })] },
    });
    Annotations.fromStack(stack).hasWarning('/S/Data', Match.stringLikeRegexp('removalPolicy is destroy'));
  });

  test.each([
    ['an asymmetric key', (s: Stack) => new EncryptedBucket(s, 'B', { encryptionKey: new EncryptionKey(s, 'K', { keySpec: kms.KeySpec.RSA_2048 }) }),
      /encryptionKey must be a SYMMETRIC_DEFAULT key \(S3 supports only symmetric keys\), got 'RSA_2048'/],
    ['a key of another Region', (s: Stack) => new EncryptedBucket(s, 'B', {
      encryptionKey: EncryptionKey.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    }), /encryptionKey must be a key in the stack's Region eu-west-1 \(S3 uses keys of its own Region only\), got 'us-east-1'/],
    ['DSSE with a Bucket Key', (s: Stack) => new EncryptedBucket(s, 'B', { dualLayerEncryption: true, bucketKeyEnabled: true }),
      /set either dualLayerEncryption or bucketKeyEnabled, not both/],
    ['expiration before transition', (s: Stack) => new EncryptedBucket(s, 'B', { noncurrentVersionExpiration: Duration.days(10) }),
      /noncurrentVersionExpiration must be later than noncurrentVersionTransition \(30 days\), got '10 days'/],
    ['a fractional transition', (s: Stack) => new EncryptedBucket(s, 'B', { noncurrentVersionTransition: Duration.hours(36) }),
      /noncurrentVersionTransition must be a whole number of days, at least 1/],
    ['a huge log prefix', (s: Stack) => new EncryptedBucket(s, 'B', { serverAccessLogsPrefix: 'x'.repeat(513) }),
      /serverAccessLogsPrefix must be at most 512 characters, got 513/],
  ])('refuses %s', (_name, create, message) => {
    const stack = newStack();
    expect(() => create(stack)).toThrow(message);
    expect(stack.node.tryFindChild('B')).toBeUndefined();
  });

  test('grants give the key through S3 only, proven by simulation', async () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const bucket = new EncryptedBucket(stack, 'Data');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    bucket.grantRead(reader);
    bucket.grantWrite(writer);
    bucket.bucket.grantRead(new iam.Role(stack, 'CdkReader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    app.synth();
    const world = PolicyWorld.fromStacks([stack]);
    const key = bucket.encryptionKey;
    await expectAccess(world, [
      { label: 'reader through S3', principal: reader, key, action: 'kms:Decrypt', context: VIA_S3, expect: 'allow' },
      { label: 'reader directly', principal: reader, key, action: ['kms:Decrypt', 'kms:Encrypt'], expect: 'deny' },
      { label: 'reader cannot write through S3', principal: reader, key, action: ['kms:GenerateDataKey', 'kms:Encrypt'], context: VIA_S3, expect: 'deny' },
      { label: 'writer through S3', principal: writer, key, action: ['kms:GenerateDataKey', 'kms:Decrypt'], context: VIA_S3, expect: 'allow' },
      { label: 'writer directly', principal: writer, key, action: ['kms:GenerateDataKey', 'kms:Decrypt'], expect: 'deny' },
      { label: 'aws-cdk-lib grantRead directly', principal: stack.node.findChild('CdkReader'), key, action: 'kms:Decrypt', expect: 'deny' },
      { label: 'aws-cdk-lib grantRead through S3', principal: stack.node.findChild('CdkReader'), key, action: 'kms:Decrypt', context: VIA_S3, expect: 'allow' },
      {
        label: 'undeclared with kms:*',
        principal: 'arn:aws:iam::111111111111:role/Other',
        key,
        action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        context: VIA_S3,
        extraIdentityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }],
        expect: 'deny',
      },
    ]);
    const s3Actions = Template.fromStack(stack).toJSON().Resources;
    const readerPolicy = Object.values<any>(s3Actions).find(r => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes('Reader') && !JSON.stringify(r.Properties.Roles).includes('Cdk'));
    const actions = readerPolicy.Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action));
    expect(actions.sort()).toEqual(['kms:Decrypt', 's3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
  });

  test('no unacknowledged findings in the four packs, but replication, which stays the user\'s decision', () => {
    const stack = newStack();
    const bucket = new EncryptedBucket(stack, 'Data');
    const findings = nagFindings(stack);
    expect(findings.map(f => f.ruleId).sort()).toEqual([
      'HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled',
    ]);
    for (const id of findings.map(f => f.ruleId)) {
      Validations.of(bucket.bucket).acknowledge({ id, reason: 'single-Region data in this test' });
    }
    const left = nagFindings(stack);
    if (left.length > 0) throw new Error(formatFindings(left));
  });
});
