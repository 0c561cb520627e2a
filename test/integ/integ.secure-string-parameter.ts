/**
 * SecureStringParameter: parameters whose values are generated, decrypted from a ciphertext, or
 * copied from a secret at deploy time (a custom resource with the bundled handler), and a read grant.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { PRIMARY_ENV, snapshotTest } from './support';
import { EncryptionKey, SecureStringParameter, SecureStringValue } from '../../src';

const app = new App();
const stack = new Stack(app, 'IntegSecureStringParameter', { env: PRIMARY_ENV });

const key = new EncryptionKey(stack, 'ParameterKey', { description: 'Integ: parameter key', aliases: ['integ/parameters'] });
const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

const password = new SecureStringParameter(stack, 'DbPassword', {
  parameterName: '/integ/db/password',
  value: SecureStringValue.generated({ length: 40 }),
  encryptionKey: key,
  description: 'Generated at deploy time',
  tags: { team: 'integ' },
});
password.grantRead(reader);

new SecureStringParameter(stack, 'ApiToken', {
  parameterName: '/integ/api/token',
  // A fixed, made-up ciphertext: the snapshot must not change between runs.
  value: SecureStringValue.fromCiphertext('AQICAHhpbnRlZy1vbmx5LW5vdC1hLXJlYWwtY2lwaGVydGV4dA==', {
    decryptionKey: key,
    encryptionContext: { purpose: 'integ' },
  }),
  encryptionKey: key,
  tier: ssm.ParameterTier.ADVANCED,
});

const source = secretsmanager.Secret.fromSecretNameV2(stack, 'Source', 'integ/source');
new SecureStringParameter(stack, 'Copied', {
  parameterName: '/integ/copied',
  value: SecureStringValue.fromSecret(source, 'password'),
  encryptionKey: key,
});

snapshotTest(app, 'SecureStringParameterTest', [stack]);
