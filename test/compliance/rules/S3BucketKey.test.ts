import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-S3BucketKey', () => {
  test('SSE-KMS without a Bucket Key (warning)', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new s3.Bucket(stack, 'NoBucketKey', { encryptionKey: key });
    expect(findings(stack, 'S3BucketKey')).toEqual(['KmsChecks-S3BucketKey']);
    expect(severity(stack, 'S3BucketKey')).toBe('warning');
  });

  test('a Bucket Key passes; SSE-S3 is not concerned', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new s3.Bucket(stack, 'WithBucketKey', { encryptionKey: key, bucketKeyEnabled: true });
    new s3.Bucket(stack, 'SseS3', { encryption: s3.BucketEncryption.S3_MANAGED });
    expect(findings(stack, 'S3BucketKey')).toEqual([]);
  });
});
