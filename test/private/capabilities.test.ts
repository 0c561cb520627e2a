import * as kms from 'aws-cdk-lib/aws-kms';
import { KEY_SPEC_USAGES } from '../../src/keys/key-specs';
import { KeyCapability } from '../../src/policy/key-capability';
import { CAPABILITIES, capabilityMismatch } from '../../src/private/capabilities';

const ED = kms.KeyUsage.ENCRYPT_DECRYPT;
const SV = kms.KeyUsage.SIGN_VERIFY;
const MAC = kms.KeyUsage.GENERATE_VERIFY_MAC;
const KA = kms.KeyUsage.KEY_AGREEMENT;

/**
 * Which spec × usage pairs each capability fits, written from the KMS Developer Guide ("Key spec
 * reference", "Permissions reference") independently of the implementation.
 */
function fits(capability: KeyCapability, spec: string, usage: kms.KeyUsage): boolean {
  const symmetric = spec === 'SYMMETRIC_DEFAULT';
  const hmac = spec.startsWith('HMAC_');
  switch (capability) {
    case KeyCapability.ENCRYPT:
    case KeyCapability.DECRYPT:
    case KeyCapability.ENCRYPT_DECRYPT:
    case KeyCapability.REENCRYPT:
      return usage === ED;
    case KeyCapability.ENVELOPE:
    case KeyCapability.GENERATE_DATA_KEY:
    case KeyCapability.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT:
    case KeyCapability.GENERATE_DATA_KEY_PAIR:
      return symmetric;
    case KeyCapability.SIGN:
    case KeyCapability.VERIFY:
    case KeyCapability.SIGN_VERIFY:
      return usage === SV;
    case KeyCapability.GET_PUBLIC_KEY:
      return !symmetric && !hmac;
    case KeyCapability.GENERATE_MAC:
    case KeyCapability.VERIFY_MAC:
      return usage === MAC;
    case KeyCapability.DERIVE_SHARED_SECRET:
      return usage === KA;
    case KeyCapability.DESCRIBE:
    case KeyCapability.GRANT_FOR_AWS_RESOURCE:
      return true;
  }
}

describe('CAPABILITIES', () => {
  test('every KeyCapability has its actions, sorted and unique', () => {
    expect(Object.keys(CAPABILITIES).sort()).toEqual(Object.values(KeyCapability).sort());
    for (const info of Object.values(CAPABILITIES)) {
      expect(info.actions.length).toBeGreaterThan(0);
      expect([...new Set(info.actions)].sort()).toEqual(info.actions);
    }
  });

  test.each([
    [KeyCapability.ENCRYPT_DECRYPT, ['kms:Decrypt', 'kms:Encrypt']],
    [KeyCapability.SIGN_VERIFY, ['kms:Sign', 'kms:Verify']],
    [KeyCapability.ENVELOPE, ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext']],
    [KeyCapability.GRANT_FOR_AWS_RESOURCE, ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']],
  ])('%s is the union of its parts', (capability, actions) => {
    expect(CAPABILITIES[capability].actions).toEqual(actions);
  });

  test('a capability is either symmetric-only or asymmetric-only, never both', () => {
    for (const info of Object.values(CAPABILITIES)) {
      expect(info.symmetricOnly && info.asymmetricOnly).toBeFalsy();
    }
  });
});

describe('capabilityMismatch', () => {
  const pairs = Object.entries(KEY_SPEC_USAGES).flatMap(([spec, usages]) => usages.map(usage => [spec, usage] as [string, kms.KeyUsage]));

  test('the pairs cover every key spec of aws-cdk-lib', () => {
    expect([...new Set(pairs.map(([spec]) => spec))].sort()).toEqual(Object.values(kms.KeySpec).sort());
  });

  test.each(Object.values(KeyCapability))('%s fits exactly the specs and usages KMS allows it on', (capability) => {
    const got = pairs.map(([spec, usage]) => {
      const mismatch = capabilityMismatch(capability, spec as kms.KeySpec, usage);
      expect(mismatch === undefined || mismatch.startsWith(`${capability} needs `)).toBe(true);
      return `${spec}/${usage}: ${mismatch === undefined ? 'fits' : 'refused'}`;
    });
    const expected = pairs.map(([spec, usage]) => `${spec}/${usage}: ${fits(capability, spec, usage) ? 'fits' : 'refused'}`);
    expect(got).toEqual(expected);
  });

  test.each([
    [KeyCapability.ENVELOPE, kms.KeySpec.RSA_2048, ED, 'ENVELOPE needs a SYMMETRIC_DEFAULT key, this key is RSA_2048'],
    [KeyCapability.GET_PUBLIC_KEY, kms.KeySpec.HMAC_256, MAC, 'GET_PUBLIC_KEY needs an asymmetric key, this key is HMAC_256'],
    [KeyCapability.GET_PUBLIC_KEY, kms.KeySpec.SYMMETRIC_DEFAULT, ED, 'GET_PUBLIC_KEY needs an asymmetric key, this key is SYMMETRIC_DEFAULT'],
    [KeyCapability.SIGN, kms.KeySpec.RSA_2048, ED, 'SIGN needs a key whose usage is SIGN_VERIFY, this key\'s usage is ENCRYPT_DECRYPT'],
  ])('%s on %s / %s says why', (capability, spec, usage, message) => {
    expect(capabilityMismatch(capability, spec, usage)).toBe(message);
  });

  test('an unknown capability (a Python string, say) names the allowed ones', () => {
    expect(capabilityMismatch('READ' as KeyCapability, kms.KeySpec.SYMMETRIC_DEFAULT, ED))
      .toMatch(/^unknown capability READ; allowed: ENCRYPT, DECRYPT, .*GRANT_FOR_AWS_RESOURCE$/);
  });
});
