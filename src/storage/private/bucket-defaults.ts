import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IEncryptionKey } from '../../keys/encryption-key-base';
import { KeyService } from '../../policy/key-service';

/**
 * Bucket defaults as pure functions returning fresh objects (as AWS Solutions Constructs does), for
 * `EncryptedBucket` and the buckets of the constructs to come (the audit trail's bucket). Never
 * exported from the package.
 */

/** What every bucket of the library has, whatever it holds. */
function securedBucketProps(): s3.BucketProps {
  return {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  };
}

/**
 * A server access log bucket: SSE-S3 (S3 delivers access logs only to SSE-S3 buckets), versioned,
 * TLS only, no public access, retained, noncurrent versions to Glacier Instant Retrieval after 30 days.
 */
export function accessLogBucketProps(): s3.BucketProps {
  return {
    ...securedBucketProps(),
    encryption: s3.BucketEncryption.S3_MANAGED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{
      noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(30) }],
    }],
  };
}

/** The options of a bucket encrypted with a customer managed key. */
export interface EncryptedBucketDefaults {
  readonly key: IEncryptionKey;
  readonly dualLayerEncryption: boolean;
  readonly bucketKeyEnabled?: boolean;
  readonly versioned?: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly noncurrentTransitionDays?: number;
  readonly noncurrentExpirationDays?: number;
}

/**
 * A bucket encrypted with the key through S3 only: SSE-KMS with a Bucket Key (or DSSE-KMS, which has
 * none), TLS only, no public access, objects owned by the bucket owner, versioned, noncurrent versions
 * to Glacier Instant Retrieval, expiring only when asked.
 */
export function encryptedBucketProps(options: EncryptedBucketDefaults): s3.BucketProps {
  const dsse = options.dualLayerEncryption;
  return {
    ...securedBucketProps(),
    encryption: dsse ? s3.BucketEncryption.DSSE : s3.BucketEncryption.KMS,
    encryptionKey: options.key.forService(KeyService.S3),
    bucketKeyEnabled: dsse ? undefined : (options.bucketKeyEnabled ?? true),
    versioned: options.versioned ?? true,
    removalPolicy: options.removalPolicy,
    lifecycleRules: [{
      id: 'NoncurrentVersions',
      noncurrentVersionTransitions: options.noncurrentTransitionDays === undefined ? undefined
        : [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(options.noncurrentTransitionDays) }],
      noncurrentVersionExpiration: options.noncurrentExpirationDays === undefined ? undefined : Duration.days(options.noncurrentExpirationDays),
    }],
  };
}
