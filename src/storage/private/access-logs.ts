import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucketProps } from './bucket-defaults';
import { mergeConditions, sourceAccount, sourceArnLike } from '../../policy/conditions';
import { acknowledge, acknowledgeInCompliancePacks } from '../../private/acknowledge';
import { ComplianceRules, NagRules } from '../../private/ids';

/**
 * Server access logs of the library's buckets: one log bucket a stack (a new one every
 * `SOURCES_PER_LOG_BUCKET` buckets, so that its policy stays far below S3's 20 KB), or the one the
 * user gives; and one delivery statement per log prefix naming exactly the buckets that log there.
 * Never exported from the package.
 */

/** The construct id of a stack's shared log bucket (a number is appended to the second and later). */
export const ACCESS_LOG_BUCKET_ID = 'CdkKmsPatternsAccessLogs';

/**
 * Buckets one shared log bucket serves. Each adds one source ARN (about 60 bytes resolved) to the
 * log bucket's policy: 100 keep it near 7 KB, against S3's limit of 20 KB.
 */
export const SOURCES_PER_LOG_BUCKET = 100;

const SHARED = new WeakMap<s3.IBucket, { sources: number }>();
const DELIVERIES = new WeakMap<s3.IBucket, Map<string, { sources: string[]; statement: iam.PolicyStatement }>>();

/**
 * The stack's shared server access log bucket, created on first use: SSE-S3, versioned, TLS only,
 * no public access, retained (see `accessLogBucketProps`), its cdk-nag findings that cannot apply to
 * a log bucket acknowledged with the reason.
 */
export function stackAccessLogBucket(scope: Construct): s3.Bucket {
  const stack = Stack.of(scope);
  for (let i = 1; ; i++) {
    const id = i === 1 ? ACCESS_LOG_BUCKET_ID : `${ACCESS_LOG_BUCKET_ID}${i}`;
    let bucket = stack.node.tryFindChild(id) as s3.Bucket | undefined;
    if (!bucket) {
      bucket = new s3.Bucket(stack, id, accessLogBucketProps());
      const loop = 'This is the server access log bucket: logging its own access would loop';
      acknowledge(bucket, [NagRules.S3_ACCESS_LOGS], loop);
      acknowledgeInCompliancePacks(bucket, ComplianceRules.S3_LOGGING, loop);
      acknowledgeInCompliancePacks(bucket, ComplianceRules.S3_DEFAULT_ENCRYPTION_KMS,
        'S3 writes server access logs only to buckets encrypted with SSE-S3, not SSE-KMS');
      acknowledgeInCompliancePacks(bucket, ComplianceRules.S3_REPLICATION,
        'Access logs are an audit copy; replicate them with your log archive if your standard requires it');
      SHARED.set(bucket, { sources: 0 });
    }
    const shared = SHARED.get(bucket);
    if (shared && shared.sources < SOURCES_PER_LOG_BUCKET) {
      shared.sources++;
      return bucket;
    }
  }
}

/**
 * Lets S3's logging service (`logging.s3.amazonaws.com`) write the server access logs of
 * `sourceBucketArn` under `prefix` of `logBucket`, on behalf of `account` only. Buckets that log
 * under the same prefix share one statement listing their ARNs (`aws:SourceArn`); each prefix has a
 * statement of its own, so a bucket can write only under its own prefix.
 */
export function allowAccessLogDelivery(logBucket: s3.IBucket, prefix: string, sourceBucketArn: string, account: string): void {
  let deliveries = DELIVERIES.get(logBucket);
  if (!deliveries) {
    deliveries = new Map();
    DELIVERIES.set(logBucket, deliveries);
  }
  const existing = deliveries.get(prefix);
  if (existing) {
    existing.sources.push(sourceBucketArn);
    // Replaces the statement's aws:SourceArn list (the statement is rendered at synth).
    existing.statement.addConditions(sourceArnLike(existing.sources));
    return;
  }
  const statement = new iam.PolicyStatement({
    sid: `S3ServerAccessLogs${deliveries.size === 0 ? '' : deliveries.size + 1}`,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logBucket.arnForObjects(`${prefix}*`)],
    conditions: mergeConditions(sourceArnLike([sourceBucketArn]), sourceAccount(account)),
  });
  deliveries.set(prefix, { sources: [sourceBucketArn], statement });
  logBucket.addToResourcePolicy(statement);
}
