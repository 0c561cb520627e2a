import * as kms from 'aws-cdk-lib/aws-kms';
import { IMPORTABLE_SPECS, isSymmetric, KEY_SPEC_USAGES, resolveKeyUsage } from '../../src/keys/key-specs';

const { ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT } = kms.KeyUsage;

/** The KMS Developer Guide's key spec reference, written out independently (default usage first). */
const KMS_TABLE: Record<string, kms.KeyUsage[]> = {
  SYMMETRIC_DEFAULT: [ENCRYPT_DECRYPT],
  RSA_2048: [ENCRYPT_DECRYPT, SIGN_VERIFY],
  RSA_3072: [ENCRYPT_DECRYPT, SIGN_VERIFY],
  RSA_4096: [ENCRYPT_DECRYPT, SIGN_VERIFY],
  ECC_NIST_P256: [SIGN_VERIFY, KEY_AGREEMENT],
  ECC_NIST_P384: [SIGN_VERIFY, KEY_AGREEMENT],
  ECC_NIST_P521: [SIGN_VERIFY, KEY_AGREEMENT],
  ECC_SECG_P256K1: [SIGN_VERIFY],
  ECC_NIST_EDWARDS25519: [SIGN_VERIFY],
  HMAC_224: [GENERATE_VERIFY_MAC],
  HMAC_256: [GENERATE_VERIFY_MAC],
  HMAC_384: [GENERATE_VERIFY_MAC],
  HMAC_512: [GENERATE_VERIFY_MAC],
  SM2: [ENCRYPT_DECRYPT, SIGN_VERIFY, KEY_AGREEMENT],
  ML_DSA_44: [SIGN_VERIFY],
  ML_DSA_65: [SIGN_VERIFY],
  ML_DSA_87: [SIGN_VERIFY],
};

describe('KEY_SPEC_USAGES', () => {
  test('lists every key spec of aws-cdk-lib', () => {
    expect(Object.keys(KEY_SPEC_USAGES).sort()).toEqual(Object.values(kms.KeySpec).sort());
  });

  test('matches the KMS key spec reference, usage for usage', () => {
    expect(KEY_SPEC_USAGES).toEqual(KMS_TABLE);
  });
});

describe('resolveKeyUsage', () => {
  test.each(Object.entries(KMS_TABLE))('%s defaults to %s and accepts each of its usages', (spec, usages) => {
    expect(resolveKeyUsage(spec as kms.KeySpec, undefined)).toBe(usages[0]);
    for (const usage of usages) {
      expect(resolveKeyUsage(spec as kms.KeySpec, usage)).toBe(usage);
    }
  });

  test.each([
    [kms.KeySpec.SYMMETRIC_DEFAULT, SIGN_VERIFY, 'keyUsage SIGN_VERIFY is not allowed with keySpec SYMMETRIC_DEFAULT; allowed: ENCRYPT_DECRYPT'],
    [kms.KeySpec.RSA_2048, KEY_AGREEMENT, 'keyUsage KEY_AGREEMENT is not allowed with keySpec RSA_2048; allowed: ENCRYPT_DECRYPT, SIGN_VERIFY'],
    [kms.KeySpec.ECC_NIST_P256, ENCRYPT_DECRYPT, 'keyUsage ENCRYPT_DECRYPT is not allowed with keySpec ECC_NIST_P256; allowed: SIGN_VERIFY, KEY_AGREEMENT'],
    [kms.KeySpec.HMAC_256, SIGN_VERIFY, 'keyUsage SIGN_VERIFY is not allowed with keySpec HMAC_256; allowed: GENERATE_VERIFY_MAC'],
  ])('%s with %s is refused, naming the allowed usages', (spec, usage, message) => {
    expect(() => resolveKeyUsage(spec, usage)).toThrow(new Error(message));
  });

  test('an unknown key spec names the known ones', () => {
    expect(() => resolveKeyUsage('RSA_1024' as kms.KeySpec, undefined))
      .toThrow(/^keySpec must be one of SYMMETRIC_DEFAULT, RSA_2048, .*ML_DSA_87, got 'RSA_1024'$/);
  });
});

describe('isSymmetric', () => {
  test('only SYMMETRIC_DEFAULT is symmetric (HMAC keys are symmetric in KMS terms, but do not encrypt)', () => {
    expect(Object.values(kms.KeySpec).filter(isSymmetric)).toEqual([kms.KeySpec.SYMMETRIC_DEFAULT]);
  });
});

describe('IMPORTABLE_SPECS', () => {
  test('symmetric, HMAC, RSA and the ECC specs KMS imports; never SM2, Edwards or ML-DSA', () => {
    expect([...IMPORTABLE_SPECS].sort()).toEqual([
      'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
      'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512',
      'RSA_2048', 'RSA_3072', 'RSA_4096', 'SYMMETRIC_DEFAULT',
    ]);
    for (const spec of IMPORTABLE_SPECS) {
      expect(KEY_SPEC_USAGES[spec]).toBeDefined();
    }
  });
});
