import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket, EncryptionKey } from '../../../src';
import { ACCESS_LOG_BUCKET_ID, SOURCES_PER_LOG_BUCKET } from '../../../src/storage/private/access-logs';
import { synthesizeStack } from '../../harness/intrinsics';
import { resolveIntrinsics } from '../../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const PARTITIONED = { PartitionedPrefix: { PartitionDateSource: 'EventTime' } };

function newStack(): Stack {
  return new Stack(new App(), 'S', { env: ENV });
}

function logBuckets(stack: Stack): string[] {
  const resources = Template.fromStack(stack).findResources('AWS::S3::Bucket', {
    Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } },
  });
  return Object.keys(resources);
}

/** Asks iam-simulate whether S3's logging service may put this object in the log bucket. */
async function delivery(policy: unknown, objectArn: string, sourceArn: string, sourceAccount = ENV.account): Promise<string> {
  const result = await runSimulation({
    request: {
      principal: 'logging.s3.amazonaws.com',
      action: 's3:PutObject',
      resource: { resource: objectArn, accountId: ENV.account },
      contextVariables: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: policy as any,
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('server access logs of EncryptedBucket', () => {
  test('GIVEN two buckets without a log bucket WHEN synthesized THEN they share one log bucket of the stack, keys partitioned per bucket', () => {
    const stack = newStack();
    const a = new EncryptedBucket(stack, 'A');
    const b = new EncryptedBucket(stack, 'B');
    expect(logBuckets(stack)).toHaveLength(1);
    expect(a.logBucket).toBe(b.logBucket);
    expect(a.logBucket!.node.path).toBe(`S/${ACCESS_LOG_BUCKET_ID}`);
    const template = Template.fromStack(stack);
    for (const bucket of [a, b]) {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: stack.getLogicalId(a.logBucket!.node.defaultChild as s3.CfnBucket) },
          LogFilePrefix: 'access-logs/',
          TargetObjectKeyFormat: PARTITIONED,
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
      expect(bucket.bucket.node.path).toMatch(/^S\/[AB]\/Bucket$/);
    }
    // the shared log bucket keeps every property of the per-bucket one: SSE-S3, versioned, no public access, retained, TLS only
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    });
    const policy = stack.resolve(a.logBucket!.policy!.document.toJSON());
    expect(policy.Statement.some((s: any) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'))).toBe(true);
  });

  test('GIVEN buckets logging under two prefixes THEN one statement per prefix names exactly its buckets, proven by simulation', async () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    const a = new EncryptedBucket(stack, 'A', { encryptionKey: key });
    const b = new EncryptedBucket(stack, 'B', { encryptionKey: key });
    const c = new EncryptedBucket(stack, 'C', { encryptionKey: key, serverAccessLogsPrefix: 'c-logs/' });
    const policy = stack.resolve(a.logBucket!.policy!.document.toJSON());
    const deliveries = policy.Statement.filter((s: any) => s.Principal?.Service === 'logging.s3.amazonaws.com');
    expect(deliveries).toHaveLength(2);
    expect(deliveries.map((s: any) => s.Sid)).toEqual(['S3ServerAccessLogs', 'S3ServerAccessLogs2']);
    expect(deliveries[0].Condition).toEqual({
      ArnLike: { 'aws:SourceArn': [stack.resolve(a.bucket.bucketArn), stack.resolve(b.bucket.bucketArn)] },
      StringEquals: { 'aws:SourceAccount': ENV.account },
    });
    expect(deliveries[1].Condition.ArnLike['aws:SourceArn']).toEqual(stack.resolve(c.bucket.bucketArn));

    const synthesized = synthesizeStack(stack);
    const ctx = { stack: synthesized };
    const resolved = resolveIntrinsics(policy, ctx);
    const arn = (bucket: s3.IBucket) => resolveIntrinsics(stack.resolve(bucket.bucketArn), ctx) as string;
    const logs = arn(a.logBucket!);
    expect(await delivery(resolved, `${logs}/access-logs/111111111111/eu-west-1/a/2026/12/01/log`, arn(a.bucket))).toBe('Allowed');
    expect(await delivery(resolved, `${logs}/access-logs/111111111111/eu-west-1/b/2026/12/01/log`, arn(b.bucket))).toBe('Allowed');
    expect(await delivery(resolved, `${logs}/c-logs/111111111111/eu-west-1/c/2026/12/01/log`, arn(c.bucket))).toBe('Allowed');
    // a bucket writes only under its own prefix
    expect(await delivery(resolved, `${logs}/access-logs/x`, arn(c.bucket))).toBe('ImplicitlyDenied');
    expect(await delivery(resolved, `${logs}/c-logs/x`, arn(a.bucket))).toBe('ImplicitlyDenied');
    // a bucket that is not ours, or ours on behalf of another account, is refused
    expect(await delivery(resolved, `${logs}/access-logs/x`, 'arn:aws:s3:::someone-elses-bucket')).toBe('ImplicitlyDenied');
    expect(await delivery(resolved, `${logs}/access-logs/x`, arn(a.bucket), '222222222222')).toBe('ImplicitlyDenied');
  });

  test('GIVEN a log bucket WHEN given THEN no shared one is created and its keys keep the simple format', () => {
    const stack = newStack();
    const logs = new s3.Bucket(stack, 'MyLogs', { encryption: s3.BucketEncryption.S3_MANAGED });
    const a = new EncryptedBucket(stack, 'A', { serverAccessLogsBucket: logs });
    new EncryptedBucket(stack, 'B', { serverAccessLogsBucket: logs });
    expect(a.logBucket).toBeUndefined();
    expect(stack.node.tryFindChild(ACCESS_LOG_BUCKET_ID)).toBeUndefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: stack.getLogicalId(logs.node.defaultChild as s3.CfnBucket) }, LogFilePrefix: 'access-logs/' },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('TargetObjectKeyFormat');
    const deliveries = stack.resolve(logs.policy!.document.toJSON()).Statement.filter((s: any) => s.Sid?.startsWith('S3ServerAccessLogs'));
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].Condition.ArnLike['aws:SourceArn']).toHaveLength(2);
  });

  test(`GIVEN more than ${SOURCES_PER_LOG_BUCKET} buckets in a stack THEN a second log bucket takes the rest`, () => {
    const stack = newStack();
    const key = new EncryptionKey(stack, 'Key');
    const buckets = Array.from({ length: SOURCES_PER_LOG_BUCKET + 1 }, (_, i) => new EncryptedBucket(stack, `B${i}`, { encryptionKey: key }));
    expect(buckets[SOURCES_PER_LOG_BUCKET - 1].logBucket!.node.id).toBe(ACCESS_LOG_BUCKET_ID);
    expect(buckets[SOURCES_PER_LOG_BUCKET].logBucket!.node.id).toBe(`${ACCESS_LOG_BUCKET_ID}2`);
    const first = stack.resolve(buckets[0].logBucket!.policy!.document.toJSON());
    expect(first.Statement.find((s: any) => s.Sid === 'S3ServerAccessLogs').Condition.ArnLike['aws:SourceArn']).toHaveLength(SOURCES_PER_LOG_BUCKET);
  });
});
