/**
 * EncryptedBucket: a bucket under a customer managed key (with its access log bucket) and its
 * grants, and a bucket with dual-layer encryption and the default key the construct creates.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PRIMARY_ENV, snapshotTest } from './support';
import { EncryptedBucket, EncryptionKey } from '../../src';

const app = new App();
const stack = new Stack(app, 'IntegEncryptedBucket', { env: PRIMARY_ENV });

const key = new EncryptionKey(stack, 'DataKey', { description: 'Integ: bucket key', aliases: ['integ/bucket'] });
const worker = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const auditor = new iam.Role(stack, 'Auditor', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

const orders = new EncryptedBucket(stack, 'Orders', {
  encryptionKey: key,
  noncurrentVersionExpiration: Duration.days(365),
});
orders.grantReadWrite(worker);
orders.grantRead(auditor);

// Defaults: a key of its own; DSSE-KMS instead of a Bucket Key.
new EncryptedBucket(stack, 'Archive', { dualLayerEncryption: true });

snapshotTest(app, 'EncryptedBucketTest', [stack]);
