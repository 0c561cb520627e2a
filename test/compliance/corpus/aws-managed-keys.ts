import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CorpusApp } from './corpus-app';

/**
 * Data under AWS managed keys (aws/s3, aws/secretsmanager, aws/sqs): nobody can narrow who
 * decrypts, and snapshots or objects cannot be shared across accounts (rds-snapshot-tool#34).
 */
export const awsManagedKeys: CorpusApp = {
  name: 'AwsManagedKeys',
  mistake: 'bucket, secret and queue under AWS managed keys',
  correct: false,
  build: stack => {
    new s3.Bucket(stack, 'Exports', { encryption: s3.BucketEncryption.KMS_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    new secretsmanager.Secret(stack, 'ApiToken');
    new sqs.Queue(stack, 'Jobs', { encryption: sqs.QueueEncryption.KMS_MANAGED, enforceSSL: true });
  },
};
