/**
 * EncryptionKey: a symmetric key with administrators, aliases, access rules (by principal, by
 * principal ARN pattern, through a service, with encryption context) and grants; and an asymmetric
 * signing key with sign and verify grants.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCOUNT, PRIMARY_ENV, snapshotTest } from './support';
import { EncryptionKey, KeyCapability, KeyService } from '../../src';

const app = new App();
const stack = new Stack(app, 'IntegEncryptionKey', { env: PRIMARY_ENV });

const admins = new iam.Role(stack, 'KeyAdmins', {
  assumedBy: new iam.AccountRootPrincipal(),
  description: 'Administers the keys; cannot use them',
});
const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

// Symmetric: access rules in the key policy, grants on top.
const dataKey = new EncryptionKey(stack, 'DataKey', {
  description: 'Integ: symmetric data key',
  aliases: ['integ/data'],
  rotationPeriod: Duration.days(180),
  pendingWindow: Duration.days(7),
  administrators: [admins],
  access: [
    {
      capabilities: [KeyCapability.ENVELOPE, KeyCapability.DESCRIBE],
      principals: [writer],
      viaServices: [KeyService.S3],
    },
    {
      capabilities: [KeyCapability.DECRYPT],
      principalArnPatterns: [`arn:aws:iam::${ACCOUNT}:role/analytics/*`],
      viaServices: [KeyService.S3],
    },
    {
      capabilities: [KeyCapability.ENCRYPT_DECRYPT],
      principals: [reader],
      encryptionContext: { tenant: 'integ' },
    },
  ],
});
dataKey.grantDecrypt(reader);
dataKey.grantEncryptDecrypt(writer);

// Asymmetric: RSA signing key, grants only.
const signingKey = new EncryptionKey(stack, 'SigningKey', {
  description: 'Integ: asymmetric signing key',
  keySpec: kms.KeySpec.RSA_3072,
  keyUsage: kms.KeyUsage.SIGN_VERIFY,
  aliases: ['integ/signing'],
  administrators: [admins],
});
signingKey.grantSign(writer);
signingKey.grantVerify(reader);
signingKey.grantGetPublicKey(reader);

snapshotTest(app, 'EncryptionKeyTest', [stack]);
