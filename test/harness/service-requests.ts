/**
 * The service request model: the KMS requests each AWS service makes with a customer managed key,
 * at each step of a resource's life, and as which kind of principal. Data only, in one place; the
 * helpers that turn it into simulated requests are in `service-access.ts`.
 *
 * Why it exists (VERIFY.md, "Policies that say what we meant are not enough"): a simulation that
 * only asks "is the declared role allowed what we declared?" cannot see a service that needs more.
 * These rows say what the services need, from AWS's documentation, independently of what the
 * library grants.
 *
 * A row is one KMS request:
 *
 * - `as: 'caller'`: the principal that calls the service API (`api`) makes the request through the
 *   service (`kms:ViaService`, `kms:CallerAccount`); its IAM and the key policy must allow it. A
 *   row with `principal` names a fixed caller (the Auto Scaling service-linked role).
 * - `as: 'grant'`: the caller's `kms:CreateGrant`, made by the service on the caller's behalf for
 *   an AWS resource (`kms:GrantIsForAWSResource`). What the service later does under the grant (EBS
 *   `Decrypt` at attach, by `aws:ec2-infrastructure`) is authorised by the grant, not by policies,
 *   and is not modelled.
 * - `as: 'service'`: the service principal (`principal`) makes the request itself; only the key
 *   policy can allow it (with confused-deputy conditions such as `aws:SourceArn`).
 *
 * `context` holds the request context keys with placeholders: `{region}`, `{account}` (the
 * resource's account), `{callerAccount}` (the account of the principal making the request) and
 * resource facts (`{objectArn}`, `{secretArn}`...) that each test supplies for its resource.
 *
 * `when` / `unless` name a resource flag (e.g. `bucketKey`): the row applies only when the flag is
 * set (or not set). `checked` records how the row was checked against AWS's documentation in
 * November 2026: `doc-text` when the row was compared with the text of `doc` (or of the page it
 * was copied from, named in `note`), `doc-page` when only the page is cited (services the library
 * has no construct for yet; re-read them before a construct relies on them).
 */

/** The services of the model, by the name their rows use. */
export type ServiceName =
  | 's3' | 'ebs' | 'autoscaling' | 'secretsmanager' | 'ssm' | 'logs' | 'cloudtrail' | 'events'
  | 'sns' | 'sqs' | 'lambda' | 'rds' | 'redshift' | 'states' | 'backup' | 'kms' | 'dynamodb';

/** When in a resource's life the request is made. */
export type Step = 'create' | 'write' | 'read' | 'attach' | 'copy' | 'share' | 'rotate' | 'delete' | 'deploy';

/** Who makes the request (see the module comment). */
export type RequestActor = 'caller' | 'grant' | 'service';

/** One KMS request a service makes (see the module comment). */
export interface ServiceRequestRow {
  readonly service: ServiceName;
  readonly step: Step;
  /** The service API (or CloudFormation handler) whose call causes the request. */
  readonly api: string;
  /** The KMS action, e.g. `kms:GenerateDataKey`. */
  readonly operation: string;
  readonly as: RequestActor;
  /** The service principal (`as: 'service'`) or a fixed caller; placeholders allowed. */
  readonly principal?: string;
  /** Request context keys with placeholders. */
  readonly context: Readonly<Record<string, string>>;
  /** The row applies only to resources with this flag. */
  readonly when?: string;
  /** The row applies only to resources without this flag. */
  readonly unless?: string;
  /** The AWS documentation page the row comes from. */
  readonly doc: string;
  readonly checked: 'doc-text' | 'doc-page';
  readonly note?: string;
}

/** A service API that makes no KMS request of its caller, as documented (kept so nobody adds one). */
export interface NoKmsRequest {
  readonly service: ServiceName;
  readonly step: Step;
  readonly api: string;
  readonly doc: string;
  readonly note: string;
}

/**
 * A set of KMS permissions AWS documents for the principals of an account using a key through one
 * service (the policy of the service's AWS managed key, or the service's "permissions for users"
 * list). Constructs that let a whole account use a key through a service promise one of these.
 */
export interface DocumentedAccountAccess {
  /** The first label of the `kms:ViaService` value, e.g. `ec2`. */
  readonly via: string;
  /** KMS actions; `kms:CreateGrant` only with `kms:GrantIsForAWSResource`. */
  readonly operations: readonly string[];
  readonly doc: string;
}

// ---------------------------------------------------------------------------------------------
// Documentation addresses
// ---------------------------------------------------------------------------------------------

const DOC = {
  s3Kms: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
  s3Multipart: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions',
  s3CreateMultipartUpload: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html',
  s3PutBucketEncryption: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html',
  ebsHow: 'https://docs.aws.amazon.com/ebs/latest/userguide/how-ebs-encryption-works.html',
  ebsRequirements: 'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html',
  ebsShareKey: 'https://docs.aws.amazon.com/ebs/latest/userguide/share-kms-key.html',
  kmsEbs: 'https://docs.aws.amazon.com/kms/latest/developerguide/services-ebs.html',
  kmsEc2Example: 'https://docs.aws.amazon.com/kms/latest/developerguide/ct-ec2two.html',
  autoScalingKey: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html',
  secretsEncryption: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html',
  secretsRotationPermissions: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html',
  parameterStore: 'https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html',
  logs: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
  cloudTrail: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
  eventBridge: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html',
  eventBridgeContext: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-event-bus-cmkey.html',
  sns: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html',
  sqs: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html',
  lambda: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html',
  rds: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html',
  rdsShare: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/share-encrypted-snapshot.html',
  rdsPi: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.access-control.html',
  rdsCopyCrossRegion: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html',
  auroraCopyCrossRegion: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_CopyDBClusterSnapshot.Encrypted.CrossRegion.html',
  rdsPiKey: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.access-control.cmk-policy.html',
  redshift: 'https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-db-encryption.html',
  redshiftAuthorizing: 'https://docs.aws.amazon.com/redshift/latest/mgmt/authorizing-kms-customer-managed-key.html',
  redshiftShare: 'https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-snapshot-share-snapshot.html',
  stepFunctions: 'https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html',
  backup: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html',
  kmsCreateKey: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html',
  kmsReplicateKey: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html',
  kmsAlias: 'https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html',
  cfnKeySchema: 'https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-kms/blob/master/key/aws-kms-key.json',
  dynamodbHow: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html',
  kmsDynamodb: 'https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html',
} as const;

// Context keys, written once.
const VIA = 'kms:ViaService';
const CALLER = 'kms:CallerAccount';
const GRANT_FOR_AWS = 'kms:GrantIsForAWSResource';
const SOURCE_ARN = 'aws:SourceArn';
const SOURCE_ACCOUNT = 'aws:SourceAccount';
const ec = (key: string): string => `kms:EncryptionContext:${key}`;

/** Through a service, on the caller's behalf. */
function through(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [VIA]: `${endpoint}.{region}.amazonaws.com`, [CALLER]: '{callerAccount}', ...extra };
}

/** A grant a service creates for an AWS resource, on the caller's behalf. */
function grantThrough(endpoint: string): Record<string, string> {
  return through(endpoint, { [GRANT_FOR_AWS]: 'true' });
}

type RowSpec = Omit<ServiceRequestRow, 'service'>;

function rows(service: ServiceName, specs: RowSpec[]): ServiceRequestRow[] {
  return specs.map(spec => ({ service, ...spec }));
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

const S3 = rows('s3', [
  // PutObject: one data key per object (its ARN is the encryption context) or, with an S3 Bucket
  // Key, per bucket (the bucket ARN is the context).
  {
    step: 'write',
    api: 'PutObject',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    unless: 'bucketKey',
    context: through('s3', { [ec('aws:s3:arn')]: '{objectArn}' }),
    doc: DOC.s3Kms,
    checked: 'doc-text',
  },
  {
    step: 'write',
    api: 'PutObject',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    when: 'bucketKey',
    context: through('s3', { [ec('aws:s3:arn')]: '{bucketArn}' }),
    doc: DOC.s3Kms,
    checked: 'doc-text',
  },
  // Multipart: GenerateDataKey at CreateMultipartUpload, Decrypt at UploadPart(Copy) ("Amazon S3
  // must decrypt and read data from the encrypted file parts before it completes the upload").
  {
    step: 'write',
    api: 'CreateMultipartUpload',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    unless: 'bucketKey',
    context: through('s3', { [ec('aws:s3:arn')]: '{objectArn}' }),
    doc: DOC.s3CreateMultipartUpload,
    checked: 'doc-text',
    note: `also ${DOC.s3Multipart}`,
  },
  {
    step: 'write',
    api: 'CreateMultipartUpload',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    when: 'bucketKey',
    context: through('s3', { [ec('aws:s3:arn')]: '{bucketArn}' }),
    doc: DOC.s3CreateMultipartUpload,
    checked: 'doc-text',
    note: `also ${DOC.s3Multipart}`,
  },
  {
    step: 'write',
    api: 'UploadPart',
    operation: 'kms:Decrypt',
    as: 'caller',
    unless: 'bucketKey',
    context: through('s3', { [ec('aws:s3:arn')]: '{objectArn}' }),
    doc: DOC.s3CreateMultipartUpload,
    checked: 'doc-text',
    note: `also ${DOC.s3Multipart}`,
  },
  {
    step: 'write',
    api: 'UploadPart',
    operation: 'kms:Decrypt',
    as: 'caller',
    when: 'bucketKey',
    context: through('s3', { [ec('aws:s3:arn')]: '{bucketArn}' }),
    doc: DOC.s3CreateMultipartUpload,
    checked: 'doc-text',
    note: `also ${DOC.s3Multipart}`,
  },
  // GetObject
  {
    step: 'read',
    api: 'GetObject',
    operation: 'kms:Decrypt',
    as: 'caller',
    unless: 'bucketKey',
    context: through('s3', { [ec('aws:s3:arn')]: '{objectArn}' }),
    doc: DOC.s3Kms,
    checked: 'doc-text',
  },
  {
    step: 'read',
    api: 'GetObject',
    operation: 'kms:Decrypt',
    as: 'caller',
    when: 'bucketKey',
    context: through('s3', { [ec('aws:s3:arn')]: '{bucketArn}' }),
    doc: DOC.s3Kms,
    checked: 'doc-text',
  },
]);

const EBS = rows('ebs', [
  // CreateVolume (and RunInstances with an encrypted block device): EC2, on the caller's behalf,
  // gets an encrypted data key and creates a grant for the volume. DescribeKey is in the users'
  // permission list.
  {
    step: 'create',
    api: 'CreateVolume / RunInstances',
    operation: 'kms:DescribeKey',
    as: 'caller',
    context: through('ec2'),
    doc: DOC.ebsRequirements,
    checked: 'doc-text',
  },
  {
    step: 'create',
    api: 'CreateVolume / RunInstances',
    operation: 'kms:GenerateDataKeyWithoutPlaintext',
    as: 'caller',
    context: through('ec2', { [ec('aws:ebs:id')]: '{volumeId}' }),
    doc: DOC.ebsHow,
    checked: 'doc-text',
    note: `CloudTrail records it as the caller's request: ${DOC.kmsEc2Example}`,
  },
  {
    step: 'create',
    api: 'CreateVolume / RunInstances',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('ec2'),
    doc: DOC.ebsHow,
    checked: 'doc-text',
    note: `"Amazon EC2 sends a CreateGrant request ... so that it can encrypt the volume"; CloudTrail records it as the caller's request: ${DOC.kmsEc2Example}`,
  },
  // AttachVolume: a grant for the instance (aws:ec2-infrastructure then decrypts under the grant).
  {
    step: 'attach',
    api: 'AttachVolume',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('ec2'),
    doc: DOC.ebsHow,
    checked: 'doc-text',
    note: `the Decrypt that follows is made by aws:ec2-infrastructure under the grant: ${DOC.kmsEc2Example}`,
  },
  // CopySnapshot into this key (the snapshot id is the encryption context), and volumes created
  // from snapshots under another key (ReEncrypt is in the users' permission list).
  {
    step: 'copy',
    api: 'CopySnapshot',
    operation: 'kms:DescribeKey',
    as: 'caller',
    when: 'copyDestination',
    context: through('ec2'),
    doc: DOC.ebsRequirements,
    checked: 'doc-text',
  },
  {
    step: 'copy',
    api: 'CopySnapshot',
    operation: 'kms:GenerateDataKeyWithoutPlaintext',
    as: 'caller',
    when: 'copyDestination',
    context: through('ec2', { [ec('aws:ebs:id')]: '{snapshotId}' }),
    doc: DOC.kmsEbs,
    checked: 'doc-text',
  },
  {
    step: 'copy',
    api: 'CopySnapshot',
    operation: 'kms:CreateGrant',
    as: 'grant',
    when: 'copyDestination',
    context: grantThrough('ec2'),
    doc: DOC.ebsRequirements,
    checked: 'doc-text',
  },
  {
    step: 'copy',
    api: 'CopySnapshot / CreateVolume from a snapshot under another key',
    operation: 'kms:ReEncryptTo',
    as: 'caller',
    when: 'copyDestination',
    context: through('ec2', { [ec('aws:ebs:id')]: '{snapshotId}' }),
    doc: DOC.ebsRequirements,
    checked: 'doc-text',
    note: 'the users\' permission list names kms:ReEncrypt; the destination key sees ReEncryptTo',
  },
  // A snapshot shared with another account: "Users of your shared customer managed key who are
  // accessing encrypted snapshots must be granted permissions to perform the following actions on
  // the key: kms:DescribeKey, kms:CreateGrant, kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext,
  // kms:ReEncrypt, kms:Decrypt" (CreateGrant with kms:GrantIsForAWSResource, as the page advises).
  ...['kms:DescribeKey', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:Decrypt']
    .map((operation): RowSpec => ({
      step: 'share',
      api: 'CopySnapshot / CreateVolume of a snapshot shared with the account',
      operation,
      as: 'caller',
      context: through('ec2'),
      doc: DOC.ebsShareKey,
      checked: 'doc-text',
      note: 'made by a principal of the account the snapshot is shared with; ReEncrypt is ReEncryptFrom and ReEncryptTo',
    })),
  {
    step: 'share',
    api: 'CopySnapshot / CreateVolume of a snapshot shared with the account',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('ec2'),
    doc: DOC.ebsShareKey,
    checked: 'doc-text',
    note: 'made by a principal of the account the snapshot is shared with',
  },
]);

const AUTO_SCALING_ROLE = 'arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
const AUTO_SCALING = rows('autoscaling', [
  // The service-linked role launches the instances (RunInstances through EC2) and needs, in the
  // key policy, the documented statements: use of the key, and grants for AWS resources.
  ...['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext']
    .map((operation): RowSpec => ({
      step: 'create',
      api: 'RunInstances (Auto Scaling launch)',
      operation,
      as: 'caller',
      principal: AUTO_SCALING_ROLE,
      context: through('ec2', { [ec('aws:ebs:id')]: '{volumeId}' }),
      doc: DOC.autoScalingKey,
      checked: 'doc-text',
      note: 'statement "Allow service-linked role use of the CMK" (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey)',
    })),
  {
    step: 'create',
    api: 'RunInstances (Auto Scaling launch)',
    operation: 'kms:DescribeKey',
    as: 'caller',
    principal: AUTO_SCALING_ROLE,
    context: through('ec2'),
    doc: DOC.autoScalingKey,
    checked: 'doc-text',
  },
  {
    step: 'create',
    api: 'RunInstances (Auto Scaling launch)',
    operation: 'kms:CreateGrant',
    as: 'grant',
    principal: AUTO_SCALING_ROLE,
    context: grantThrough('ec2'),
    doc: DOC.autoScalingKey,
    checked: 'doc-text',
    note: 'statement "Allow attachment of persistent resources" (kms:GrantIsForAWSResource)',
  },
]);

const secretContext = (version: string): Record<string, string> =>
  through('secretsmanager', { [ec('SecretARN')]: '{secretArn}', [ec('SecretVersionId')]: version });
const SECRETS_MANAGER = rows('secretsmanager', [
  // CreateSecret with a value: a data key for the first version, and the validation requests made
  // whenever the key of a secret is established (SecretVersionId RequestToValidateKeyAccess).
  {
    step: 'create',
    api: 'CreateSecret',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: secretContext('{secretVersionId}'),
    doc: DOC.secretsEncryption,
    checked: 'doc-text',
  },
  {
    step: 'create',
    api: 'CreateSecret (key validation)',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: secretContext('RequestToValidateKeyAccess'),
    doc: DOC.secretsEncryption,
    checked: 'doc-text',
  },
  {
    step: 'create',
    api: 'CreateSecret (key validation)',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: secretContext('RequestToValidateKeyAccess'),
    doc: DOC.secretsEncryption,
    checked: 'doc-text',
  },
  // PutSecretValue: a new data key; Decrypt only when the request rewrites an existing version
  // (Secrets Manager compares the values, for idempotency).
  {
    step: 'write',
    api: 'PutSecretValue',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: secretContext('{secretVersionId}'),
    doc: DOC.secretsEncryption,
    checked: 'doc-text',
  },
  {
    step: 'write',
    api: 'PutSecretValue (existing version)',
    operation: 'kms:Decrypt',
    as: 'caller',
    when: 'versionRewrite',
    context: secretContext('{secretVersionId}'),
    doc: DOC.secretsEncryption,
    checked: 'doc-text',
  },
  // GetSecretValue
  {
    step: 'read',
    api: 'GetSecretValue',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: secretContext('{secretVersionId}'),
    doc: DOC.secretsEncryption,
    checked: 'doc-text',
  },
  // Rotation: RotateSecret itself uses no key; the rotation function reads the current version and
  // puts the pending one.
  {
    step: 'rotate',
    api: 'GetSecretValue (rotation function)',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: secretContext('{secretVersionId}'),
    doc: DOC.secretsRotationPermissions,
    checked: 'doc-page',
    note: `RotateSecret makes no KMS request; the function's PutSecretValue does: ${DOC.secretsEncryption}`,
  },
  {
    step: 'rotate',
    api: 'PutSecretValue (rotation function)',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: secretContext('{pendingVersionId}'),
    doc: DOC.secretsRotationPermissions,
    checked: 'doc-page',
    note: `RotateSecret makes no KMS request; the function's PutSecretValue does: ${DOC.secretsEncryption}`,
  },
]);

const parameterContext = through('ssm', { [ec('PARAMETER_ARN')]: '{parameterArn}' });
const PARAMETER_STORE = rows('ssm', [
  // Standard tier: Encrypt directly under the key; Advanced tier: envelope encryption.
  {
    step: 'create',
    api: 'PutParameter (Standard)',
    operation: 'kms:Encrypt',
    as: 'caller',
    unless: 'advancedTier',
    context: parameterContext,
    doc: DOC.parameterStore,
    checked: 'doc-text',
  },
  {
    step: 'create',
    api: 'PutParameter (Advanced)',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    when: 'advancedTier',
    context: parameterContext,
    doc: DOC.parameterStore,
    checked: 'doc-text',
  },
  {
    step: 'write',
    api: 'PutParameter Overwrite (Standard)',
    operation: 'kms:Encrypt',
    as: 'caller',
    unless: 'advancedTier',
    context: parameterContext,
    doc: DOC.parameterStore,
    checked: 'doc-text',
  },
  {
    step: 'write',
    api: 'PutParameter Overwrite (Advanced)',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    when: 'advancedTier',
    context: parameterContext,
    doc: DOC.parameterStore,
    checked: 'doc-text',
  },
  {
    step: 'read',
    api: 'GetParameter WithDecryption',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: parameterContext,
    doc: DOC.parameterStore,
    checked: 'doc-text',
  },
]);

const LOGS_PRINCIPAL = 'logs.{region}.amazonaws.com';
const LOGS = rows('logs', [
  // The Regional service principal, for a log group named by its encryption context. The
  // documented statement also lists Describe*, under the same encryption-context condition, which
  // DescribeKey requests never carry: not a request the service needs.
  ...['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'].map((operation): RowSpec => ({
    step: 'write',
    api: 'PutLogEvents / GetLogEvents / AssociateKmsKey',
    operation,
    as: 'service',
    principal: LOGS_PRINCIPAL,
    context: { [ec('aws:logs:arn')]: '{logGroupArn}' },
    doc: DOC.logs,
    checked: 'doc-text',
    note: 'statement for logs.<region>.amazonaws.com: Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey*, Describe* with ArnLike kms:EncryptionContext:aws:logs:arn',
  })),
]);

const CLOUDTRAIL = rows('cloudtrail', [
  {
    step: 'write',
    api: 'log file delivery',
    operation: 'kms:GenerateDataKey',
    as: 'service',
    principal: 'cloudtrail.amazonaws.com',
    context: { [ec('aws:cloudtrail:arn')]: '{trailArn}', [SOURCE_ARN]: '{trailArn}' },
    doc: DOC.cloudTrail,
    checked: 'doc-text',
  },
  {
    step: 'create',
    api: 'CreateTrail / UpdateTrail',
    operation: 'kms:DescribeKey',
    as: 'service',
    principal: 'cloudtrail.amazonaws.com',
    context: { [SOURCE_ARN]: '{trailArn}' },
    doc: DOC.cloudTrail,
    checked: 'doc-text',
    note: '"Enable CloudTrail to describe KMS key properties"',
  },
  {
    step: 'create',
    api: 'CreateTrail / UpdateTrail (bucket with an S3 Bucket Key)',
    operation: 'kms:Decrypt',
    as: 'service',
    principal: 'cloudtrail.amazonaws.com',
    when: 'trailBucketKey',
    context: { [SOURCE_ARN]: '{trailArn}' },
    doc: DOC.cloudTrail,
    checked: 'doc-text',
    note: '"If you are using an existing S3 bucket with an S3 Bucket Key, kms:Decrypt permissions are required to create or update a trail"',
  },
  {
    step: 'read',
    api: 'GetObject of a log file',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: through('s3', { [ec('aws:cloudtrail:arn')]: '{trailArn}' }),
    doc: DOC.cloudTrail,
    checked: 'doc-text',
    note: 'log readers: "Enable CloudTrail log decrypt permissions" (Null kms:EncryptionContext:aws:cloudtrail:arn false)',
  },
]);

const eventsContext = { [SOURCE_ARN]: '{eventBusArn}', [SOURCE_ACCOUNT]: '{account}' };
const EVENTS = rows('events', [
  {
    step: 'create',
    api: 'CreateEventBus / UpdateEventBus',
    operation: 'kms:DescribeKey',
    as: 'service',
    principal: 'events.amazonaws.com',
    context: eventsContext,
    doc: DOC.eventBridge,
    checked: 'doc-text',
  },
  {
    step: 'write',
    api: 'PutEvents / PutRule',
    operation: 'kms:GenerateDataKey',
    as: 'service',
    principal: 'events.amazonaws.com',
    context: { ...eventsContext, [ec('aws:events:event-bus:arn')]: '{eventBusArn}' },
    doc: DOC.eventBridge,
    checked: 'doc-text',
    note: `encryption context: ${DOC.eventBridgeContext}`,
  },
  {
    step: 'read',
    api: 'event pattern matching',
    operation: 'kms:Decrypt',
    as: 'service',
    principal: 'events.amazonaws.com',
    context: { ...eventsContext, [ec('aws:events:event-bus:arn')]: '{eventBusArn}' },
    doc: DOC.eventBridge,
    checked: 'doc-text',
    note: `encryption context: ${DOC.eventBridgeContext}`,
  },
]);

const SNS = rows('sns', [
  {
    step: 'write',
    api: 'Publish',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: through('sns', { [ec('aws:sns:topicArn')]: '{topicArn}' }),
    doc: DOC.sns,
    checked: 'doc-page',
  },
  {
    step: 'write',
    api: 'Publish',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: through('sns', { [ec('aws:sns:topicArn')]: '{topicArn}' }),
    doc: DOC.sns,
    checked: 'doc-page',
  },
  // AWS services publishing to an encrypted topic: "kms:GenerateDataKey*" and "kms:Decrypt" for the
  // service principal ("Enable compatibility between event sources from AWS services and encrypted
  // topics", re-read December 2026). SNS asks for plain data keys (GenerateDataKey).
  ...['kms:GenerateDataKey', 'kms:Decrypt'].flatMap((operation): RowSpec[] => [
    {
      step: 'write',
      api: 'Publish by an EventBridge rule',
      operation,
      as: 'service',
      principal: 'events.amazonaws.com',
      when: 'eventBridgePublisher',
      context: { [ec('aws:sns:topicArn')]: '{topicArn}' },
      doc: DOC.sns,
      checked: 'doc-text',
      note: '"Adding the aws:SourceAccount, aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not supported for EventBridge-to-encrypted '
        + 'topics": the request carries none of them. The aws:sns:topicArn encryption context is the one SNS sends with its KMS requests '
        + '(as CloudTrail records them); the page does not state it',
    },
    {
      step: 'write',
      api: 'Publish by a CloudWatch alarm action',
      operation,
      as: 'service',
      principal: 'cloudwatch.amazonaws.com',
      when: 'alarmPublisher',
      context: { [SOURCE_ARN]: '{alarmArn}', [SOURCE_ACCOUNT]: '{account}', [ec('aws:sns:topicArn')]: '{topicArn}' },
      doc: DOC.sns,
      checked: 'doc-text',
      note: 'step 3: "Add the aws:SourceAccount and aws:SourceArn condition keys to the KMS resource policy" (the alarm ARN)',
    },
  ]),
]);

const SQS = rows('sqs', [
  {
    step: 'write',
    api: 'SendMessage',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: through('sqs', { [ec('aws:sqs:arn')]: '{queueArn}' }),
    doc: DOC.sqs,
    checked: 'doc-page',
  },
  {
    step: 'write',
    api: 'SendMessage',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: through('sqs', { [ec('aws:sqs:arn')]: '{queueArn}' }),
    doc: DOC.sqs,
    checked: 'doc-page',
  },
  {
    step: 'read',
    api: 'ReceiveMessage',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: through('sqs', { [ec('aws:sqs:arn')]: '{queueArn}' }),
    doc: DOC.sqs,
    checked: 'doc-page',
  },
  {
    step: 'write',
    api: 'SendMessage by an AWS service (SNS, EventBridge, S3)',
    operation: 'kms:GenerateDataKey',
    as: 'service',
    principal: '{senderPrincipal}',
    context: { [SOURCE_ARN]: '{senderArn}' },
    doc: DOC.sqs,
    checked: 'doc-page',
  },
  {
    step: 'write',
    api: 'SendMessage by an AWS service (SNS, EventBridge, S3)',
    operation: 'kms:Decrypt',
    as: 'service',
    principal: '{senderPrincipal}',
    context: { [SOURCE_ARN]: '{senderArn}' },
    doc: DOC.sqs,
    checked: 'doc-page',
  },
]);

const lambdaContext = through('lambda', { [ec('aws:lambda:FunctionArn')]: '{functionArn}' });
const LAMBDA = rows('lambda', [
  {
    step: 'create',
    api: 'CreateFunction / UpdateFunctionConfiguration (environment)',
    operation: 'kms:Encrypt',
    as: 'caller',
    context: lambdaContext,
    doc: DOC.lambda,
    checked: 'doc-page',
  },
  {
    step: 'create',
    api: 'CreateFunction / UpdateFunctionConfiguration (environment)',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('lambda'),
    doc: DOC.lambda,
    checked: 'doc-page',
  },
  {
    step: 'read',
    api: 'function initialisation (execution role)',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: lambdaContext,
    doc: DOC.lambda,
    checked: 'doc-page',
  },
]);

// RDS and Aurora (re-read December 2026 for issue #11). RDS uses the key on behalf of the principal
// that creates or changes the resource, through RDS. The current "Authorizing use of a customer
// managed key" section of DOC.rds names kms:CreateGrant and kms:DescribeKey; its earlier text
// (awsdocs/amazon-rds-user-guide, doc_source/Overview.Encryption.Keys.md) named kms:GenerateDataKey
// and kms:Decrypt: all four are modelled. GenerateDataKeyWithoutPlaintext, in this model before,
// is in neither and was dropped.
const RDS = rows('rds', [
  ...['kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Decrypt'].map((operation): RowSpec => ({
    step: 'create',
    api: 'CreateDBInstance / CreateDBCluster / RestoreDBInstanceFromDBSnapshot / RestoreDBClusterFromSnapshot',
    operation,
    as: 'caller',
    context: through('rds'),
    doc: DOC.rds,
    checked: 'doc-text',
    note: operation === 'kms:DescribeKey' ? 'listed in the current section "Authorizing use of a customer managed key"'
      : 'listed in the earlier text of the same section (awsdocs/amazon-rds-user-guide)',
  })),
  {
    step: 'create',
    api: 'CreateDBInstance / CreateDBCluster / RestoreDBInstanceFromDBSnapshot / RestoreDBClusterFromSnapshot',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('rds'),
    doc: DOC.rds,
    checked: 'doc-text',
    note: 'listed in the current section "Authorizing use of a customer managed key"; RDS acts "on behalf of the user who is creating or changing the RDS resource"',
  },
  // Manual snapshots and copies into this key: the same requests, by whoever calls the API.
  {
    step: 'copy',
    api: 'CreateDBSnapshot / CopyDBSnapshot / CopyDBClusterSnapshot (into this key)',
    operation: 'kms:DescribeKey',
    as: 'caller',
    context: through('rds'),
    doc: DOC.rds,
    checked: 'doc-page',
  },
  {
    step: 'copy',
    api: 'CreateDBSnapshot / CopyDBSnapshot / CopyDBClusterSnapshot (into this key)',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('rds'),
    doc: DOC.rds,
    checked: 'doc-page',
  },
  {
    step: 'share',
    api: 'ModifyDBSnapshotAttribute, then restore in the other account',
    operation: 'kms:DescribeKey',
    as: 'caller',
    context: through('rds'),
    doc: DOC.rdsShare,
    checked: 'doc-page',
    note: 'made by a principal of the account the snapshot is shared with',
  },
  {
    step: 'share',
    api: 'ModifyDBSnapshotAttribute, then restore in the other account',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('rds'),
    doc: DOC.rdsShare,
    checked: 'doc-page',
    note: 'made by a principal of the account the snapshot is shared with',
  },
  {
    step: 'create',
    api: 'Performance Insights (enable with a customer managed key)',
    operation: 'kms:CreateGrant',
    as: 'grant',
    when: 'performanceInsights',
    context: grantThrough('rds'),
    doc: DOC.rdsPi,
    checked: 'doc-page',
  },
  // Reading Performance Insights: "users in your account that call the Performance Insights API
  // need the kms:Decrypt and kms:GenerateDataKey permissions", and the documented statement has
  // kms:ViaService rds.<region> and the encryption context aws:pi:service rds, service pi,
  // aws:rds:db-id <DbiResourceId>.
  ...['kms:Decrypt', 'kms:GenerateDataKey'].map((operation): RowSpec => ({
    step: 'read',
    api: 'Performance Insights API (pi:GetResourceMetrics, pi:DescribeDimensionKeys...)',
    operation,
    as: 'caller',
    when: 'performanceInsights',
    context: through('rds', { [ec('aws:pi:service')]: 'rds', [ec('service')]: 'pi', [ec('aws:rds:db-id')]: '{dbResourceId}' }),
    doc: DOC.rdsPiKey,
    checked: 'doc-text',
  })),
]);

// Copies from another Region (SnapshotRegionCopy): CopyDBSnapshot / CopyDBClusterSnapshot are
// called in the destination Region with the source ARN and a KmsKeyId of the destination Region;
// RDS uses the destination key through rds.<destination Region> on the caller's behalf.
const RDS_REGION_COPY = rows('rds', ['kms:DescribeKey', 'kms:CreateGrant'].map((operation): RowSpec => ({
  step: 'copy',
  api: 'CopyDBSnapshot / CopyDBClusterSnapshot from another Region (destination Region key)',
  operation,
  as: operation === 'kms:CreateGrant' ? 'grant' : 'caller',
  when: 'crossRegionCopy',
  context: operation === 'kms:CreateGrant' ? grantThrough('rds') : through('rds'),
  doc: DOC.rdsCopyCrossRegion,
  checked: 'doc-page',
  note: `"To copy an encrypted DB cluster snapshot to another AWS Region, you must set KmsKeyId to the KMS key ID you want to use to encrypt the copy ... in the destination AWS Region": ${DOC.auroraCopyCrossRegion}`,
})));

// Redshift (re-read December 2026 for issue #11). DOC.redshift: Redshift "requests that AWS KMS
// generate a data key and encrypt it using the selected master key" and stores "the grant to the
// CMK" with it; it acts on behalf of the user who creates the cluster (DOC.redshiftAuthorizing).
const REDSHIFT = rows('redshift', [
  ...['kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Decrypt'].map((operation): RowSpec => ({
    step: 'create',
    api: 'CreateCluster / RestoreFromClusterSnapshot',
    operation,
    as: 'caller',
    context: through('redshift'),
    doc: DOC.redshift,
    checked: operation === 'kms:GenerateDataKey' ? 'doc-text' : 'doc-page',
    note: `DescribeKey and Decrypt from the permissions list of ${DOC.redshiftAuthorizing} (page cited, list not re-read in full)`,
  })),
  {
    step: 'create',
    api: 'CreateCluster / RestoreFromClusterSnapshot',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('redshift'),
    doc: DOC.redshift,
    checked: 'doc-text',
    note: 'the encrypted cluster key is stored "along with the grant to the CMK"',
  },
  // Cross-Region snapshot copy: a snapshot copy grant in the destination Region, created through
  // Redshift with the destination Region's key ("Specify the AWS KMS key ID for which you are
  // creating the grant").
  {
    step: 'copy',
    api: 'CreateSnapshotCopyGrant (destination Region key)',
    operation: 'kms:DescribeKey',
    as: 'caller',
    context: through('redshift'),
    doc: DOC.redshift,
    checked: 'doc-page',
  },
  {
    step: 'copy',
    api: 'CreateSnapshotCopyGrant (destination Region key)',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('redshift'),
    doc: DOC.redshift,
    checked: 'doc-text',
    note: '"configure a grant for Amazon Redshift to use a master key in the destination region"',
  },
  // A snapshot shared with another account (SnapshotShareSource / SnapshotShareTarget, issue #13):
  // "users in the authorized accounts can only describe or restore" it (DOC.redshiftShare), and a
  // restore from it reads the snapshot under the owner's key. The page names no KMS permission
  // list: the rows are those of a restore (DescribeKey, Decrypt, a grant for the new cluster) made
  // by a principal of the recipient account through Redshift on the SHARED snapshot's key. Only
  // for keys that share snapshots (flag `redshiftShare`).
  ...['kms:DescribeKey', 'kms:Decrypt'].map((operation): RowSpec => ({
    step: 'share',
    api: 'AuthorizeSnapshotAccess, then RestoreFromClusterSnapshot in the other account',
    operation,
    as: 'caller',
    when: 'redshiftShare',
    context: through('redshift'),
    doc: DOC.redshiftShare,
    checked: 'doc-page',
    note: 'made by a principal of the account the snapshot is shared with; the page gives no KMS list (restore rows reused)',
  })),
  {
    step: 'share',
    api: 'AuthorizeSnapshotAccess, then RestoreFromClusterSnapshot in the other account',
    operation: 'kms:CreateGrant',
    as: 'grant',
    when: 'redshiftShare',
    context: grantThrough('redshift'),
    doc: DOC.redshiftShare,
    checked: 'doc-page',
    note: 'made by a principal of the account the snapshot is shared with, for the restored cluster',
  },
]);

const statesContext = through('states', { [ec('aws:states:stateMachineArn')]: '{stateMachineArn}' });
const STEP_FUNCTIONS = rows('states', [
  {
    step: 'create',
    api: 'CreateStateMachine / UpdateStateMachine (encryption configuration)',
    operation: 'kms:DescribeKey',
    as: 'caller',
    context: through('states'),
    doc: DOC.stepFunctions,
    checked: 'doc-page',
  },
  {
    step: 'create',
    api: 'CreateStateMachine / UpdateStateMachine (encryption configuration)',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: statesContext,
    doc: DOC.stepFunctions,
    checked: 'doc-page',
  },
  {
    step: 'write',
    api: 'StartExecution (execution role)',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: statesContext,
    doc: DOC.stepFunctions,
    checked: 'doc-page',
  },
  {
    step: 'read',
    api: 'execution (execution role)',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: statesContext,
    doc: DOC.stepFunctions,
    checked: 'doc-page',
  },
]);

// DynamoDB with a customer managed key (read December 2026 for issue #16; DOC.dynamodbHow, whose
// "Monitoring" section shows each request and who makes it):
// - CreateTable (or UpdateTable to the key): "DynamoDB uses a DescribeKey operation to determine
//   whether the KMS key you selected exists", and creates its grant for the table: "The principal in
//   the CreateGrant request is the user who created the table" (invokedBy dynamodb.amazonaws.com).
//   The table key's GenerateDataKey is made by "the DynamoDB service account" under that grant, and
//   DeleteTable retires the grant: neither is authorised by policies, neither is modelled.
// - Item reads and writes: "When you access an encrypted DynamoDB table, DynamoDB needs to decrypt
//   the table key ... The user is the principal in your AWS account who is accessing the table"; the
//   plaintext table key is cached per connection for five minutes, so a writer needs Decrypt too.
// Encryption context: aws:dynamodb:tableName and aws:dynamodb:subscriberId (the account).
const dynamodbItemContext = through('dynamodb', { [ec('aws:dynamodb:tableName')]: '{tableName}', [ec('aws:dynamodb:subscriberId')]: '{account}' });
const DYNAMODB = rows('dynamodb', [
  {
    step: 'create',
    api: 'CreateTable / UpdateTable (SSESpecification with the key)',
    operation: 'kms:DescribeKey',
    as: 'caller',
    context: through('dynamodb'),
    doc: DOC.dynamodbHow,
    checked: 'doc-text',
    note: `also ${DOC.kmsDynamodb}`,
  },
  {
    step: 'create',
    api: 'CreateTable / UpdateTable (SSESpecification with the key)',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('dynamodb'),
    doc: DOC.dynamodbHow,
    checked: 'doc-text',
    note: 'grantee and retiring principal dynamodb.<region>.amazonaws.com; the grant is constrained to the table\'s encryption context',
  },
  // "DynamoDB gets permission to use the KMS key on behalf of the principal who makes the selection
  // ... At a minimum, DynamoDB requires the following permissions on a customer managed key": the
  // rest of that list, for the table's creator (the CloudTrail examples show no such request by it;
  // kept so a key that gives the creator only DescribeKey and CreateGrant is caught).
  ...['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'].map((operation): RowSpec => ({
    step: 'create',
    api: 'CreateTable / UpdateTable (the principal that selects the key)',
    operation,
    as: 'caller',
    context: dynamodbItemContext,
    doc: DOC.dynamodbHow,
    checked: 'doc-text',
    note: 'from the key policy section\'s minimum list ("kms:ReEncrypt*", "kms:GenerateDataKey*" written out)',
  })),
  {
    step: 'write',
    api: 'PutItem / UpdateItem / DeleteItem / BatchWriteItem',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: dynamodbItemContext,
    doc: DOC.dynamodbHow,
    checked: 'doc-text',
    note: 'the table key is decrypted for every principal accessing the table (cached five minutes per connection)',
  },
  {
    step: 'read',
    api: 'GetItem / Query / Scan / BatchGetItem',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: dynamodbItemContext,
    doc: DOC.dynamodbHow,
    checked: 'doc-text',
  },
]);

const BACKUP = rows('backup', [
  {
    step: 'create',
    api: 'CreateBackupVault',
    operation: 'kms:DescribeKey',
    as: 'caller',
    context: through('backup'),
    doc: DOC.backup,
    checked: 'doc-page',
  },
  {
    step: 'create',
    api: 'CreateBackupVault',
    operation: 'kms:CreateGrant',
    as: 'grant',
    context: grantThrough('backup'),
    doc: DOC.backup,
    checked: 'doc-page',
  },
  {
    step: 'write',
    api: 'StartBackupJob (backup role)',
    operation: 'kms:GenerateDataKey',
    as: 'caller',
    context: through('backup'),
    doc: DOC.backup,
    checked: 'doc-page',
  },
  {
    step: 'read',
    api: 'StartRestoreJob (restore role)',
    operation: 'kms:Decrypt',
    as: 'caller',
    context: through('backup'),
    doc: DOC.backup,
    checked: 'doc-page',
  },
]);

const KMS = rows('kms', [
  // CreateKey's lockout safety check: "The key policy must allow the calling principal to make a
  // subsequent PutKeyPolicy request on the KMS key".
  {
    step: 'deploy',
    api: 'CreateKey (lockout safety check)',
    operation: 'kms:PutKeyPolicy',
    as: 'caller',
    context: {},
    unless: 'replica',
    doc: DOC.kmsCreateKey,
    checked: 'doc-text',
  },
  {
    step: 'deploy',
    api: 'ReplicateKey (lockout safety check on the replica)',
    operation: 'kms:PutKeyPolicy',
    as: 'caller',
    context: {},
    when: 'replica',
    doc: DOC.kmsReplicateKey,
    checked: 'doc-page',
  },
  {
    step: 'deploy',
    api: 'ReplicateKey (on the primary key)',
    operation: 'kms:ReplicateKey',
    as: 'caller',
    context: {},
    when: 'replicatedPrimary',
    doc: DOC.kmsReplicateKey,
    checked: 'doc-page',
  },
  // CloudFormation's AWS::KMS::Key handlers, on the key (kms:CreateKey is IAM only).
  ...['kms:EnableKeyRotation', 'kms:EnableKey', 'kms:TagResource'].map((operation): RowSpec => ({
    step: 'deploy',
    api: 'AWS::KMS::Key create handler',
    operation,
    as: 'caller',
    context: {},
    unless: 'replica',
    doc: DOC.cfnKeySchema,
    checked: 'doc-text',
  })),
  ...['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'].map((operation): RowSpec => ({
    step: 'deploy',
    api: 'AWS::KMS::Key read handler',
    operation,
    as: 'caller',
    context: {},
    unless: 'replica',
    doc: DOC.cfnKeySchema,
    checked: 'doc-text',
  })),
  ...['kms:DisableKey', 'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:PutKeyPolicy', 'kms:TagResource',
    'kms:UntagResource', 'kms:UpdateKeyDescription'].map((operation): RowSpec => ({
    step: 'deploy',
    api: 'AWS::KMS::Key update handler',
    operation,
    as: 'caller',
    context: {},
    unless: 'replica',
    doc: DOC.cfnKeySchema,
    checked: 'doc-text',
  })),
  {
    step: 'delete',
    api: 'AWS::KMS::Key delete handler',
    operation: 'kms:ScheduleKeyDeletion',
    as: 'caller',
    context: {},
    unless: 'replica',
    doc: DOC.cfnKeySchema,
    checked: 'doc-text',
  },
  // AWS::KMS::Alias: the key policy must allow the alias operations on the key too.
  ...['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'].map((operation): RowSpec => ({ step: 'deploy', api: 'AWS::KMS::Alias handlers', operation, as: 'caller', context: {}, when: 'aliases', doc: DOC.kmsAlias, checked: 'doc-page' })),
]);

/** Every row of the model. */
export const SERVICE_REQUESTS: readonly ServiceRequestRow[] = [
  ...S3, ...EBS, ...AUTO_SCALING, ...SECRETS_MANAGER, ...PARAMETER_STORE, ...LOGS, ...CLOUDTRAIL, ...EVENTS,
  ...SNS, ...SQS, ...LAMBDA, ...RDS, ...RDS_REGION_COPY, ...REDSHIFT, ...STEP_FUNCTIONS, ...BACKUP, ...KMS, ...DYNAMODB,
];

/** APIs documented to make no KMS request of their caller. */
export const NO_KMS_REQUESTS: readonly NoKmsRequest[] = [
  {
    service: 's3',
    step: 'create',
    api: 'CreateBucket / PutBucketEncryption',
    doc: DOC.s3PutBucketEncryption,
    note: '"Amazon S3 does not validate the KMS key ID provided in PutBucketEncryption requests": creating the bucket makes no KMS request',
  },
];

/** Documented account-wide use of a key through one service (see {@link DocumentedAccountAccess}). */
export const DOCUMENTED_ACCOUNT_ACCESS = {
  /** EBS "Permissions for users": what every principal that uses EBS encryption with the key needs. */
  ebsUsers: {
    via: 'ec2',
    operations: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
    doc: DOC.ebsRequirements,
  },
  /** The policy of the AWS managed key aws/secretsmanager: the account through Secrets Manager. */
  secretsManagerAccount: {
    via: 'secretsmanager',
    operations: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
    doc: DOC.secretsEncryption,
  },
} as const satisfies Record<string, DocumentedAccountAccess>;

/** The rows of one service. */
export function serviceRequests(service: ServiceName): ServiceRequestRow[] {
  const found = SERVICE_REQUESTS.filter(r => r.service === service);
  if (found.length === 0) throw new Error(`the service request model has no rows for ${service}`);
  return found;
}
