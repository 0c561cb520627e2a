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

/** Why the `Resource: *` of `GENERATE_RANDOM_ACTIONS` is acknowledged. */
export const GENERATE_RANDOM_REASON = 'kms:GenerateRandom has no resource: AWS accepts only Resource "*" for it, and it returns random bytes without touching any key';

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

/**
 * When the key was last used (a read of the key's metadata, not given to administrators by default).
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html
 */
export const KEY_USAGE_READ_ACTIONS = ['kms:GetKeyLastUsage'];

/** Retire a grant: done by the grantee principal of a grant, or by the key's account. */
export const RETIRE_GRANT_ACTIONS = ['kms:RetireGrant'];

/** Replicate a multi-Region primary key into another Region. */
export const REPLICATE_ACTIONS = ['kms:DescribeKey', 'kms:ReplicateKey'];

/** The action that creates grants: always paired with `kms:GrantIsForAWSResource`. */
export const CREATE_GRANT_ACTION = 'kms:CreateGrant';

/** Every action, as a key policy or `kms:*` in IAM names it. */
export const ALL_ACTIONS_WILDCARD = 'kms:*';

/**
 * Every KMS action that applies to a key resource: what `kms:*` and other wildcards expand to
 * in a key policy.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
 */
export const KEY_RESOURCE_ACTIONS = [
  ...new Set([...ADMIN_ACTIONS, ...CROSS_ACCOUNT_ACTIONS, ...RETIRE_GRANT_ACTIONS, ...KEY_USAGE_READ_ACTIONS]),
].sort();

/**
 * Administrative actions that change the key, its policy, aliases, tags, rotation or lifecycle.
 * Only declared administrators get them; a grant method never gives them.
 */
export const MUTATING_ADMIN_ACTIONS = ADMIN_ACTIONS.filter(a => ![
  'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListKeyRotations',
  'kms:ListResourceTags', 'kms:RevokeGrant',
].includes(a));

/** The action KMS's lockout safety check requires of the principal that creates a key. */
export const PUT_KEY_POLICY_ACTION = 'kms:PutKeyPolicy';

/**
 * aws-cdk-lib's `kms.IKey.grantEncrypt` contract (`kms:Encrypt`, `kms:ReEncrypt*`,
 * `kms:GenerateDataKey*`) written out: constructs handed a key (Secrets Manager, Kinesis,
 * Firehose, SQS, SNS...) rely on it. Filtered by what the key spec supports.
 *
 * @see https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/aws-kms/lib/private/perms.ts
 */
export const CDK_ENCRYPT_ACTIONS = [
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/** aws-cdk-lib's `kms.IKey.grantDecrypt` contract. */
export const CDK_DECRYPT_ACTIONS = ['kms:Decrypt'];

/**
 * What EBS asks of a key for the principal that creates, copies or attaches encrypted volumes and
 * snapshots (through EC2): the grant is for the volume, an AWS resource.
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
 */
export const EBS_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * What the EC2 Auto Scaling service-linked role needs of a key to launch instances with encrypted
 * volumes, as Auto Scaling documents it.
 *
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export const AUTO_SCALING_EBS_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * What CloudWatch Logs asks of a key for an encrypted log group (no `kms:DescribeKey`: it carries
 * no encryption context, so under the log-group condition it could never be allowed).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export const CLOUDWATCH_LOGS_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * What CloudTrail asks of a key to encrypt log files.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 */
export const CLOUDTRAIL_ENCRYPT_ACTIONS = ['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'];

/**
 * What EventBridge asks of a key for encrypted event buses and archives.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
 */
export const EVENTBRIDGE_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'];

/**
 * What an AWS service publishing to an encrypted SNS topic (EventBridge rules, CloudWatch alarms)
 * asks of the topic's key ("kms:GenerateDataKey*" and "kms:Decrypt" in the documented statement;
 * SNS asks for plain data keys only).
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export const SNS_PUBLISHER_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/** Importing key material into an EXTERNAL key. */
export const IMPORT_KEY_MATERIAL_ACTIONS = ['kms:DescribeKey', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial'];

/**
 * What the stack's deployment role may do through AWS services when CloudFormation creates a
 * resource encrypted with the key (EC2 CreateVolume, RDS CreateDBInstance, EFS CreateFileSystem,
 * DynamoDB CreateTable, Lambda CreateFunction, Step Functions CreateStateMachine, Backup
 * CreateBackupVault, Secrets Manager CreateSecret...): the service calls these on its behalf. What
 * EBS needs, and `kms:Encrypt` and `kms:GenerateDataKey` (Lambda, Step Functions, Secrets Manager).
 * `kms:CreateGrant` only for AWS resources.
 */
export const DEPLOY_THROUGH_SERVICE_ACTIONS = [...new Set([...EBS_ACTIONS, ...ENCRYPT_ACTIONS, ...GENERATE_DATA_KEY_ACTIONS])].sort();

/**
 * The cryptographic actions (and DescribeKey, CreateGrant for AWS resources): what an account-wide
 * statement accepted by `allowAccountWideStatements` is narrowed to.
 */
export const CRYPTOGRAPHIC_ACTIONS = CROSS_ACCOUNT_ACTIONS.filter(a =>
  !['kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:RetireGrant', 'kms:RevokeGrant'].includes(a));

/**
 * What the accounts a snapshot is shared with may do with its key, through the snapshot's service
 * only, as EBS documents it for users of a shared snapshot's key ("kms:DescribeKey, kms:CreateGrant,
 * kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt, kms:Decrypt";
 * ReEncrypt is ReEncryptFrom and ReEncryptTo). `kms:CreateGrant` is split out by the grant path
 * with `kms:GrantIsForAWSResource`.
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/share-kms-key.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/share-encrypted-snapshot.html
 */
export const SNAPSHOT_SHARE_RECIPIENT_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];
