/**
 * KMS actions, grouped by capability, sorted. Never exported from the package.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
 */

/**
 * What a key administrator may do: manage the key's lifecycle, policy, aliases, tags and
 * rotation, but never use it, and never create grants (a grant would let an administrator
 * give itself cryptographic use).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators
 */
export const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DeleteImportedKeyMaterial',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:GetParametersForImport',
  'kms:ImportKeyMaterial',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReplicateKey',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
];

/** Encrypt with a symmetric or RSA ENCRYPT_DECRYPT key. */
export const ENCRYPT_ACTIONS = ['kms:Encrypt'];

/** Decrypt with a symmetric or RSA ENCRYPT_DECRYPT key. */
export const DECRYPT_ACTIONS = ['kms:Decrypt'];

/** Re-encrypt ciphertext from or to this key. */
export const REENCRYPT_ACTIONS = ['kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/** Data keys for envelope encryption, with their plaintext. */
export const GENERATE_DATA_KEY_ACTIONS = ['kms:GenerateDataKey'];

/** Data keys for envelope encryption, ciphertext only. */
export const GENERATE_DATA_KEY_WITHOUT_PLAINTEXT_ACTIONS = ['kms:GenerateDataKeyWithoutPlaintext'];

/** Asymmetric data key pairs protected by this symmetric key. */
export const GENERATE_DATA_KEY_PAIR_ACTIONS = [
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
];

/** Envelope encryption as every integrated AWS service does it. */
export const ENVELOPE_ACTIONS = [
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
];

/** Sign with a SIGN_VERIFY key. */
export const SIGN_ACTIONS = ['kms:Sign'];

/** Verify with a SIGN_VERIFY key (inside KMS; anyone may verify offline with the public key). */
export const VERIFY_ACTIONS = ['kms:Verify'];

/** Download the public half of an asymmetric key. */
export const GET_PUBLIC_KEY_ACTIONS = ['kms:GetPublicKey'];

/** Compute an HMAC. */
export const GENERATE_MAC_ACTIONS = ['kms:GenerateMac'];

/** Verify an HMAC. */
export const VERIFY_MAC_ACTIONS = ['kms:VerifyMac'];

/** Derive a shared secret with a KEY_AGREEMENT key. */
export const DERIVE_SHARED_SECRET_ACTIONS = ['kms:DeriveSharedSecret'];

/** Read the key's metadata. */
export const DESCRIBE_ACTIONS = ['kms:DescribeKey'];

/**
 * Grants for AWS services acting on the principal's behalf (EBS, RDS, Redshift...): always
 * paired with `kms:GrantIsForAWSResource`.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
 */
export const GRANT_FOR_AWS_RESOURCE_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'];

/** GenerateRandom has no key resource: the only action granted on `Resource: *`. */
export const GENERATE_RANDOM_ACTIONS = ['kms:GenerateRandom'];

/**
 * The operations KMS honours for principals of another account. Administrative operations
 * (PutKeyPolicy, ScheduleKeyDeletion, ...) never work across accounts.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
 */
export const CROSS_ACCOUNT_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeriveSharedSecret',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateMac',
  'kms:GetKeyRotationStatus',
  'kms:GetPublicKey',
  'kms:ListGrants',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:Sign',
  'kms:Verify',
  'kms:VerifyMac',
];
