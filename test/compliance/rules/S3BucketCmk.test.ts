import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-S3BucketCmk', () => {
  test('SSE-S3 and the AWS managed key are reported (error)', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'SseS3', { encryption: s3.BucketEncryption.S3_MANAGED });
    new s3.Bucket(stack, 'AwsManaged', { encryption: s3.BucketEncryption.KMS_MANAGED });
    new s3.CfnBucket(stack, 'AliasAwsS3', { bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/aws/s3' } }] } });
    expect(findings(stack, 'S3BucketCmk')).toEqual(['KmsChecks-S3BucketCmk', 'KmsChecks-S3BucketCmk', 'KmsChecks-S3BucketCmk']);
    expect(severity(stack, 'S3BucketCmk')).toBe('error');
  });

  test('a CMK passes; a server access log target is excepted', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const logs = new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.S3_MANAGED });
    new s3.Bucket(stack, 'Data', { encryptionKey: key, bucketKeyEnabled: true, serverAccessLogsBucket: logs });
    expect(findings(stack, 'S3BucketCmk')).toEqual([]);
  });
});
