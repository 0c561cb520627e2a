import * as kms from 'aws-cdk-lib/aws-kms';
import * as perms from '../private/perms';

/**
 * What a principal may do with a key. Each capability maps to a fixed, sorted list of KMS
 * actions and fits only the key usages KMS allows it on.
 *
 * Administration is not a capability: administrators are declared with
 * `EncryptionKeyProps.administrators` and never receive cryptographic actions.
 */
export enum KeyCapability {
  /** `kms:Encrypt` (symmetric or RSA ENCRYPT_DECRYPT keys). */
  ENCRYPT = 'ENCRYPT',
  /** `kms:Decrypt` (symmetric or RSA ENCRYPT_DECRYPT keys). */
  DECRYPT = 'DECRYPT',
  /** `kms:Encrypt` and `kms:Decrypt`. */
  ENCRYPT_DECRYPT = 'ENCRYPT_DECRYPT',
  /** `kms:ReEncryptFrom` and `kms:ReEncryptTo`. */
  REENCRYPT = 'REENCRYPT',
  /**
   * Envelope encryption, as every integrated AWS service uses a key: `kms:GenerateDataKey`,
   * `kms:GenerateDataKeyWithoutPlaintext` and `kms:Decrypt` (symmetric keys only).
   */
  ENVELOPE = 'ENVELOPE',
  /** `kms:GenerateDataKey` (symmetric keys only). */
  GENERATE_DATA_KEY = 'GENERATE_DATA_KEY',
  /** `kms:GenerateDataKeyWithoutPlaintext` (symmetric keys only). */
  GENERATE_DATA_KEY_WITHOUT_PLAINTEXT = 'GENERATE_DATA_KEY_WITHOUT_PLAINTEXT',
  /** `kms:GenerateDataKeyPair` and `kms:GenerateDataKeyPairWithoutPlaintext` (symmetric keys only). */
  GENERATE_DATA_KEY_PAIR = 'GENERATE_DATA_KEY_PAIR',
  /** `kms:Sign` (SIGN_VERIFY keys). */
  SIGN = 'SIGN',
  /** `kms:Verify` (SIGN_VERIFY keys). */
  VERIFY = 'VERIFY',
  /** `kms:Sign` and `kms:Verify` (SIGN_VERIFY keys). */
  SIGN_VERIFY = 'SIGN_VERIFY',
  /** `kms:GetPublicKey` (asymmetric keys). */
  GET_PUBLIC_KEY = 'GET_PUBLIC_KEY',
  /** `kms:GenerateMac` (HMAC keys). */
  GENERATE_MAC = 'GENERATE_MAC',
  /** `kms:VerifyMac` (HMAC keys). */
  VERIFY_MAC = 'VERIFY_MAC',
  /** `kms:DeriveSharedSecret` (KEY_AGREEMENT keys). */
  DERIVE_SHARED_SECRET = 'DERIVE_SHARED_SECRET',
  /** `kms:DescribeKey` (any key). */
  DESCRIBE = 'DESCRIBE',
  /**
   * `kms:CreateGrant`, `kms:ListGrants` and `kms:RevokeGrant`, only for grants that AWS services
   * create for AWS resources (`kms:GrantIsForAWSResource` is always added). EBS, RDS and
   * Redshift need it to attach encrypted storage.
   */
  GRANT_FOR_AWS_RESOURCE = 'GRANT_FOR_AWS_RESOURCE',
}

/** @internal */
export interface CapabilityInfo {
  /** The KMS actions, sorted. */
  readonly actions: string[];
  /** The key usages it works with; undefined means every usage. */
  readonly usages?: kms.KeyUsage[];
  /** True when it needs a SYMMETRIC_DEFAULT key. */
  readonly symmetricOnly?: boolean;
  /** True when it needs an asymmetric key. */
  readonly asymmetricOnly?: boolean;
}

const ED = kms.KeyUsage.ENCRYPT_DECRYPT;
const SV = kms.KeyUsage.SIGN_VERIFY;
const MAC = kms.KeyUsage.GENERATE_VERIFY_MAC;
const KA = kms.KeyUsage.KEY_AGREEMENT;

function sorted(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** @internal */
export const CAPABILITIES: Record<KeyCapability, CapabilityInfo> = {
  [KeyCapability.ENCRYPT]: { actions: sorted(perms.ENCRYPT_ACTIONS), usages: [ED] },
  [KeyCapability.DECRYPT]: { actions: sorted(perms.DECRYPT_ACTIONS), usages: [ED] },
  [KeyCapability.ENCRYPT_DECRYPT]: { actions: sorted(perms.ENCRYPT_ACTIONS, perms.DECRYPT_ACTIONS), usages: [ED] },
  [KeyCapability.REENCRYPT]: { actions: sorted(perms.REENCRYPT_ACTIONS), usages: [ED] },
  [KeyCapability.ENVELOPE]: { actions: sorted(perms.ENVELOPE_ACTIONS), usages: [ED], symmetricOnly: true },
  [KeyCapability.GENERATE_DATA_KEY]: { actions: sorted(perms.GENERATE_DATA_KEY_ACTIONS), usages: [ED], symmetricOnly: true },
  [KeyCapability.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT]: {
    actions: sorted(perms.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT_ACTIONS),
    usages: [ED],
    symmetricOnly: true,
  },
  [KeyCapability.GENERATE_DATA_KEY_PAIR]: { actions: sorted(perms.GENERATE_DATA_KEY_PAIR_ACTIONS), usages: [ED], symmetricOnly: true },
  [KeyCapability.SIGN]: { actions: sorted(perms.SIGN_ACTIONS), usages: [SV] },
  [KeyCapability.VERIFY]: { actions: sorted(perms.VERIFY_ACTIONS), usages: [SV] },
  [KeyCapability.SIGN_VERIFY]: { actions: sorted(perms.SIGN_ACTIONS, perms.VERIFY_ACTIONS), usages: [SV] },
  [KeyCapability.GET_PUBLIC_KEY]: { actions: sorted(perms.GET_PUBLIC_KEY_ACTIONS), asymmetricOnly: true },
  [KeyCapability.GENERATE_MAC]: { actions: sorted(perms.GENERATE_MAC_ACTIONS), usages: [MAC] },
  [KeyCapability.VERIFY_MAC]: { actions: sorted(perms.VERIFY_MAC_ACTIONS), usages: [MAC] },
  [KeyCapability.DERIVE_SHARED_SECRET]: { actions: sorted(perms.DERIVE_SHARED_SECRET_ACTIONS), usages: [KA] },
  [KeyCapability.DESCRIBE]: { actions: sorted(perms.DESCRIBE_ACTIONS) },
  [KeyCapability.GRANT_FOR_AWS_RESOURCE]: { actions: sorted(perms.GRANT_FOR_AWS_RESOURCE_ACTIONS) },
};

/**
 * Why a capability does not fit a key, or undefined when it fits.
 *
 * @internal
 */
export function capabilityMismatch(capability: KeyCapability, keySpec: kms.KeySpec, keyUsage: kms.KeyUsage): string | undefined {
  const info = CAPABILITIES[capability];
  if (info === undefined) {
    return `unknown capability ${capability}; allowed: ${Object.values(KeyCapability).join(', ')}`;
  }
  const symmetric = keySpec === kms.KeySpec.SYMMETRIC_DEFAULT;
  const hmac = keySpec.startsWith('HMAC_');
  if (info.symmetricOnly && !symmetric) {
    return `${capability} needs a SYMMETRIC_DEFAULT key, this key is ${keySpec}`;
  }
  if (info.asymmetricOnly && (symmetric || hmac)) {
    return `${capability} needs an asymmetric key, this key is ${keySpec}`;
  }
  if (info.usages && !info.usages.includes(keyUsage)) {
    return `${capability} needs a key whose usage is ${info.usages.join(' or ')}, this key's usage is ${keyUsage}`;
  }
  return undefined;
}
