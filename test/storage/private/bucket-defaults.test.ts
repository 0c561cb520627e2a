import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptionKey } from '../../../src';
import { accessLogBucketProps, encryptedBucketProps } from '../../../src/storage/private/bucket-defaults';

describe('bucket defaults', () => {
  test('each call returns a fresh object: changing one leaves the next untouched', () => {
    const first = accessLogBucketProps() as any;
    first.versioned = false;
    first.lifecycleRules.push({ id: 'extra' });
    expect(accessLogBucketProps().versioned).toBe(true);
    expect(accessLogBucketProps().lifecycleRules).toHaveLength(1);
  });

  test('access log buckets: SSE-S3 (S3 delivers access logs to no KMS bucket), versioned, TLS only, private, retained', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    new s3.Bucket(stack, 'Logs', accessLogBucketProps());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] },
    });
  });

  test.each([
    ['SSE-KMS with a Bucket Key', false, 'aws:kms', true],
    ['DSSE-KMS, which has no Bucket Key', true, 'aws:kms:dsse', undefined],
  ])('encrypted buckets: %s, the key through S3 only, expiry only when asked', (_name, dsse, algorithm, bucketKey) => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new EncryptionKey(stack, 'Key');
    new s3.Bucket(stack, 'Data', encryptedBucketProps({ key, dualLayerEncryption: dsse, removalPolicy: RemovalPolicy.RETAIN, noncurrentTransitionDays: 30 }));
    const bucket = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))[0] as any;
    const rule = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe(algorithm);
    expect(rule.BucketKeyEnabled).toBe(bucketKey);
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].NoncurrentVersionExpiration).toBeUndefined();
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].NoncurrentVersionTransitions).toEqual([{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }]);
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  test('noncurrent versions expire only when a number of days is given', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new EncryptionKey(stack, 'Key');
    const props = encryptedBucketProps({ key, dualLayerEncryption: false, removalPolicy: RemovalPolicy.RETAIN, noncurrentExpirationDays: 400 });
    expect(props.lifecycleRules![0].noncurrentVersionExpiration).toEqual(Duration.days(400));
    expect(props.lifecycleRules![0].noncurrentVersionTransitions).toBeUndefined();
  });
});
