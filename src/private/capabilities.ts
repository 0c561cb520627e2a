import * as kms from 'aws-cdk-lib/aws-kms';
import * as perms from './perms';
import { KeyCapability } from '../policy/key-capability';

/**
 * What each capability means in KMS actions and which keys it fits. Never exported from the package.
 */

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

/** Why a capability does not fit a key, or undefined when it fits. */
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
