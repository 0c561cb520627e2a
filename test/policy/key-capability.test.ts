import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionKey } from '../../src';
import { KeyCapability } from '../../src/policy/key-capability';
import { CAPABILITIES } from '../../src/private/capabilities';
import { AccessRow, expectAccess, PolicyWorld } from '../harness/simulate';

/** What each capability's documentation promises, and a key it fits. */
const PROMISED: Array<[KeyCapability, string[], kms.KeySpec, kms.KeyUsage]> = [
  [KeyCapability.ENCRYPT, ['kms:Encrypt'], kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.DECRYPT, ['kms:Decrypt'], kms.KeySpec.RSA_3072, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.ENCRYPT_DECRYPT, ['kms:Decrypt', 'kms:Encrypt'], kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.REENCRYPT, ['kms:ReEncryptFrom', 'kms:ReEncryptTo'], kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.ENVELOPE, ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'], kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.GENERATE_DATA_KEY, ['kms:GenerateDataKey'], kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT, ['kms:GenerateDataKeyWithoutPlaintext'], kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.GENERATE_DATA_KEY_PAIR, ['kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext'], kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.SIGN, ['kms:Sign'], kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.SIGN_VERIFY],
  [KeyCapability.VERIFY, ['kms:Verify'], kms.KeySpec.RSA_2048, kms.KeyUsage.SIGN_VERIFY],
  [KeyCapability.SIGN_VERIFY, ['kms:Sign', 'kms:Verify'], kms.KeySpec.ML_DSA_44, kms.KeyUsage.SIGN_VERIFY],
  [KeyCapability.GET_PUBLIC_KEY, ['kms:GetPublicKey'], kms.KeySpec.RSA_2048, kms.KeyUsage.ENCRYPT_DECRYPT],
  [KeyCapability.GENERATE_MAC, ['kms:GenerateMac'], kms.KeySpec.HMAC_256, kms.KeyUsage.GENERATE_VERIFY_MAC],
  [KeyCapability.VERIFY_MAC, ['kms:VerifyMac'], kms.KeySpec.HMAC_384, kms.KeyUsage.GENERATE_VERIFY_MAC],
  [KeyCapability.DERIVE_SHARED_SECRET, ['kms:DeriveSharedSecret'], kms.KeySpec.ECC_NIST_P384, kms.KeyUsage.KEY_AGREEMENT],
  [KeyCapability.DESCRIBE, ['kms:DescribeKey'], kms.KeySpec.HMAC_512, kms.KeyUsage.GENERATE_VERIFY_MAC],
  [KeyCapability.GRANT_FOR_AWS_RESOURCE, ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT],
];

/** Every action a capability can give, and administrative actions: what a grant must not leak. */
const OTHERS = [...new Set([...Object.values(CAPABILITIES).flatMap(info => info.actions),
  'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CreateAlias', 'kms:ImportKeyMaterial', 'kms:RetireGrant'])].sort();

describe('KeyCapability', () => {
  test('every value is its own name (what Python, Java and error messages show)', () => {
    for (const [name, value] of Object.entries(KeyCapability)) {
      expect(value).toBe(name);
    }
  });

  test('the table below covers every capability', () => {
    expect(PROMISED.map(([c]) => c).sort()).toEqual(Object.values(KeyCapability).sort());
  });

  test('administration is not a capability', () => {
    expect(Object.values(KeyCapability).some(c => /ADMIN/.test(c))).toBe(false);
  });
});

describe('a grant of one capability allows exactly its documented actions (simulated)', () => {
  test.each(PROMISED)('%s', async (capability, actions, keySpec, keyUsage) => {
    // GIVEN a key the capability fits and a role of the key's account
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new EncryptionKey(stack, 'Key', { keySpec, keyUsage });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    key.grantCapabilities(role, capability);
    // THEN the role may call exactly the documented actions, none another capability gives, and no administration
    const world = PolicyWorld.fromStacks([stack]);
    const grantContext = capability === KeyCapability.GRANT_FOR_AWS_RESOURCE ? { 'kms:GrantIsForAWSResource': 'true' } : undefined;
    const rows: AccessRow[] = [
      { label: 'documented', principal: role, action: actions, key, context: grantContext, expect: 'allow' },
      { label: 'what other capabilities and administration give', principal: role, action: OTHERS.filter(a => !actions.includes(a)), key, expect: 'deny' },
    ];
    if (grantContext) {
      rows.push({ label: 'grants for anything but an AWS resource', principal: role, action: 'kms:CreateGrant', key, context: { 'kms:GrantIsForAWSResource': 'false' }, expect: 'deny' });
    }
    await expectAccess(world, rows);
  });
});
