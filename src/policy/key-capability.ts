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
