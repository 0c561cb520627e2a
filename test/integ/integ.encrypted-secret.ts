/**
 * EncryptedSecret: a secret under a customer managed key with read and write grants, and a secret
 * with the default key the construct creates.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PRIMARY_ENV, snapshotTest } from './support';
import { EncryptedSecret, EncryptionKey } from '../../src';

const app = new App();
const stack = new Stack(app, 'IntegEncryptedSecret', { env: PRIMARY_ENV });

const key = new EncryptionKey(stack, 'SecretsKey', { description: 'Integ: secrets key', aliases: ['integ/secrets'] });
const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const rotator = new iam.Role(stack, 'Rotator', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

const apiSecret = new EncryptedSecret(stack, 'ApiSecret', {
  encryptionKey: key,
  secretName: 'integ/api',
  description: 'Integ: partner API credentials',
  generateSecretString: { secretStringTemplate: '{"username":"integ"}', generateStringKey: 'password', excludePunctuation: true },
});
apiSecret.grantRead(reader);
apiSecret.grantWrite(rotator);

new EncryptedSecret(stack, 'Defaults');

snapshotTest(app, 'EncryptedSecretTest', [stack]);
