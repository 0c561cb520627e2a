import * as kms from 'aws-cdk-lib/aws-kms';
import { SUPPORTED_KEY_SPECS } from './private/import-wrapping';
import { fail } from '../private/validation';

const { ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT } = kms.KeyUsage;
const S = kms.KeySpec;

/**
 * The key usages KMS accepts for each key spec, the first being the default this library picks.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
 * @internal
 */
export const KEY_SPEC_USAGES: Record<string, kms.KeyUsage[]> = {
  [S.SYMMETRIC_DEFAULT]: [ENCRYPT_DECRYPT],
  [S.RSA_2048]: [ENCRYPT_DECRYPT, SIGN_VERIFY],
  [S.RSA_3072]: [ENCRYPT_DECRYPT, SIGN_VERIFY],
  [S.RSA_4096]: [ENCRYPT_DECRYPT, SIGN_VERIFY],
  [S.ECC_NIST_P256]: [SIGN_VERIFY, KEY_AGREEMENT],
  [S.ECC_NIST_P384]: [SIGN_VERIFY, KEY_AGREEMENT],
  [S.ECC_NIST_P521]: [SIGN_VERIFY, KEY_AGREEMENT],
  [S.ECC_SECG_P256K1]: [SIGN_VERIFY],
  [S.ECC_NIST_EDWARDS25519]: [SIGN_VERIFY],
  [S.HMAC_224]: [GENERATE_VERIFY_MAC],
  [S.HMAC_256]: [GENERATE_VERIFY_MAC],
  [S.HMAC_384]: [GENERATE_VERIFY_MAC],
  [S.HMAC_512]: [GENERATE_VERIFY_MAC],
  [S.SM2]: [ENCRYPT_DECRYPT, SIGN_VERIFY, KEY_AGREEMENT],
  [S.ML_DSA_44]: [SIGN_VERIFY],
  [S.ML_DSA_65]: [SIGN_VERIFY],
  [S.ML_DSA_87]: [SIGN_VERIFY],
};

/**
 * Key specs whose material can be imported (Origin EXTERNAL): exactly those the import handler can
 * wrap, from the module it is bundled with.
 *
 * @internal
 */
export const IMPORTABLE_SPECS: string[] = [...SUPPORTED_KEY_SPECS];

/** @internal */
export function isSymmetric(spec: kms.KeySpec): boolean {
  return spec === S.SYMMETRIC_DEFAULT;
}


/**
 * Checks a spec × usage pair; returns the usage to use, or throws a message naming what is allowed.
 *
 * @internal
 */
export function resolveKeyUsage(spec: kms.KeySpec, usage: kms.KeyUsage | undefined): kms.KeyUsage {
  const allowed = KEY_SPEC_USAGES[spec];
  if (!allowed) {
    fail(`keySpec must be one of ${Object.keys(KEY_SPEC_USAGES).join(', ')}, got '${spec}'`);
  }
  if (usage === undefined) {
    return allowed[0];
  }
  if (!allowed.includes(usage)) {
    fail(`keyUsage ${usage} is not allowed with keySpec ${spec}; allowed: ${allowed.join(', ')}`);
  }
  return usage;
}
