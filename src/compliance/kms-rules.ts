import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleResult } from 'cdk-nag';
import { KmsRuleOptions } from './rule-support';
import { DynamoDbCmk } from './rules/DynamoDbCmk';
import { EbsCmk } from './rules/EbsCmk';
import { IamKmsAllKeys } from './rules/IamKmsAllKeys';
import { KeyDeletionPolicy } from './rules/KeyDeletionPolicy';
import { KeyPendingWindow } from './rules/KeyPendingWindow';
import { KeyPolicyAdministration } from './rules/KeyPolicyAdministration';
import { KeyPolicyCreateGrant } from './rules/KeyPolicyCreateGrant';
import { KeyPolicyCrossAccountAdministration } from './rules/KeyPolicyCrossAccountAdministration';
import { KeyPolicyDelegatesToIam } from './rules/KeyPolicyDelegatesToIam';
import { KeyPolicyLockout } from './rules/KeyPolicyLockout';
import { KeyPolicyMixedStatement } from './rules/KeyPolicyMixedStatement';
import { KeyPolicyPublicPrincipal } from './rules/KeyPolicyPublicPrincipal';
import { KeyPolicyServiceSource } from './rules/KeyPolicyServiceSource';
import { KeyPolicySize } from './rules/KeyPolicySize';
import { KeyRotationEnabled } from './rules/KeyRotationEnabled';
import { KeyRotationPeriod } from './rules/KeyRotationPeriod';
import { KinesisCmk } from './rules/KinesisCmk';
import { LogGroupCmk } from './rules/LogGroupCmk';
import { PerformanceInsightsCmk } from './rules/PerformanceInsightsCmk';
import { RdsCmk } from './rules/RdsCmk';
import { RedshiftCmk } from './rules/RedshiftCmk';
import { S3BucketCmk } from './rules/S3BucketCmk';
import { S3BucketKey } from './rules/S3BucketKey';
import { SecretCmk } from './rules/SecretCmk';
import { SnsCmk } from './rules/SnsCmk';
import { SqsCmk } from './rules/SqsCmk';
import { SsmStringSecret } from './rules/SsmStringSecret';
import { StateMachineCmk } from './rules/StateMachineCmk';

/** The KmsChecks rule id prefix (the pack name). */
export const KMS_CHECKS_PACK = 'KmsChecks';

/** One rule of the pack: its logic (in `rules/<id>.ts`) and the text the pack shows. Never exported from the package. */
export interface KmsRuleDefinition {
  /** The rule id after `KmsChecks-`, the name of its file. */
  readonly id: string;
  readonly level: NagMessageLevel;
  /** What the rule reports (cdk-nag's `info`). */
  readonly info: string;
  /** Why it matters and what to do (cdk-nag's `explanation`). */
  readonly explanation: string;
  /** The AWS control it maps to, if any. */
  readonly control: string;
  /** Whether findings are per statement or action (`KmsChecks-<id>[<finding>]`). */
  readonly granular: boolean;
  readonly check: (node: CfnResource, options: KmsRuleOptions) => NagRuleResult;
}

const E = NagMessageLevel.ERROR;
const W = NagMessageLevel.WARN;

/** Every rule of KmsChecks, in the order it runs. RULES.md lists the same (a test keeps them in sync). */
export const KMS_RULES: KmsRuleDefinition[] = [
  {
    id: 'KeyPolicyPublicPrincipal',
    level: E,
    granular: true,
    check: KeyPolicyPublicPrincipal,
    control: 'Security Hub KMS.5',
    info: 'The key policy lets in anyone: Principal "*" (or NotPrincipal) without a condition pinning an account, organization, source or principal ARN.',
    explanation: 'A key policy is the only gate to a KMS key. Conditions such as aws:PrincipalAccount, kms:CallerAccount, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn or aws:PrincipalArn (positive operators, no IfExists; account and organization ids without wildcards, ARNs with a literal account field and no wildcard before it) make "*" safe; without them any AWS account can use the key.',
  },
  {
    id: 'KeyPolicyAdministration',
    level: E,
    granular: true,
    check: KeyPolicyAdministration,
    control: 'Security Hub KMS.5 (related)',
    info: 'The key policy gives kms:* or administrative actions to a principal that is not a named administrator (anyone, or an AWS service).',
    explanation: 'Administrative actions (PutKeyPolicy, ScheduleKeyDeletion, DisableKey, aliases, tags, rotation, key material) let the holder take the key over or destroy every ciphertext under it. Give them to named administrator roles only.',
  },
  {
    id: 'KeyPolicyDelegatesToIam',
    level: W,
    granular: true,
    check: KeyPolicyDelegatesToIam,
    control: '-',
    info: 'The key policy gives the key\'s own account (its root, or "*" pinned to the account) kms:* or administrative actions: it delegates the key to IAM.',
    explanation: 'With the account root holding kms:*, every principal of the account whose IAM policies allow kms:* (AdministratorAccess, broad developer roles) can use, administer and grant the key; the key policy no longer says who can decrypt. Name administrators and users instead (EncryptionKey does).',
  },
  {
    id: 'KeyPolicyCrossAccountAdministration',
    level: E,
    granular: true,
    check: KeyPolicyCrossAccountAdministration,
    control: '-',
    info: 'The key policy gives administrative actions to a principal of another account.',
    explanation: 'KMS honours no administrative operation (PutKeyPolicy, ScheduleKeyDeletion, DisableKey...) for principals of another account: the statement cannot work as written, and it records a design where another account is meant to control a key that protects this account\'s data. Keep administrators in the key\'s account; give other accounts only the cryptographic operations they need.',
  },
  {
    id: 'KeyPolicyMixedStatement',
    level: W,
    granular: true,
    check: KeyPolicyMixedStatement,
    control: '-',
    info: 'One key policy statement gives both cryptographic actions (using the key) and administrative actions (changing it).',
    explanation: 'Separation of duties: administrators should not decrypt, and users should not be able to change the policy that limits them. Split the statement by role.',
  },
  {
    id: 'KeyPolicyCreateGrant',
    level: E,
    granular: true,
    check: KeyPolicyCreateGrant,
    control: 'Control Tower CT.KMS.PR.3 (related)',
    info: 'The key policy allows kms:CreateGrant (or kms:*) without the condition kms:GrantIsForAWSResource = true.',
    explanation: 'A grant gives cryptographic use of the key to any principal, in any account, and no key policy shows it. Limit CreateGrant to grants that AWS services create for AWS resources (EBS, RDS, Redshift...).',
  },
  {
    id: 'KeyPolicyServiceSource',
    level: W,
    granular: true,
    check: KeyPolicyServiceSource,
    control: '-',
    info: 'The key policy allows an AWS service principal without aws:SourceAccount or aws:SourceArn, or an encryption context limited to resource ARNs of the key\'s account.',
    explanation: 'Without a source condition the service uses the key on behalf of any account that asks it to (the confused deputy problem). Pin the account or the resource ARN the service acts for; for services AWS documents with an encryption context instead (CloudWatch Logs: kms:EncryptionContext:aws:logs:arn), name ARNs of the key\'s account, with no wildcard in or before the account field.',
  },
  {
    id: 'KeyPolicySize',
    level: W,
    granular: false,
    check: KeyPolicySize,
    control: '-',
    info: 'The key policy is close to KMS\'s 32 KB limit.',
    explanation: 'KMS refuses key policies over 32 KB; a policy near the limit fails at the next grant. Use principal ARN patterns (aws:PrincipalArn ArnLike) or roles of a path instead of listing principals.',
  },
  {
    id: 'KeyPolicyLockout',
    level: E,
    granular: false,
    check: KeyPolicyLockout,
    control: '-',
    info: 'Nobody can administer the key: no statement allows kms:PutKeyPolicy to an IAM principal or account, or a Deny takes it from everyone.',
    explanation: 'KMS refuses such a policy at CreateKey unless the lockout safety check is bypassed; then nobody, not even the account root, can ever change the policy again, and only AWS Support can help.',
  },
  {
    id: 'KeyRotationEnabled',
    level: E,
    granular: false,
    check: KeyRotationEnabled,
    control: 'Security Hub KMS.4; AWS Config cmk-backing-key-rotation-enabled',
    info: 'A symmetric key with KMS-generated material does not rotate automatically.',
    explanation: 'Rotation limits how much data one key version protects. Asymmetric, HMAC, imported-material and custom key store keys cannot rotate and are not reported.',
  },
  {
    id: 'KeyRotationPeriod',
    level: W,
    granular: false,
    check: KeyRotationPeriod,
    control: 'Security Hub KMS.4 (period)',
    info: 'A rotating key rotates less often than the pack\'s maximum rotation period.',
    explanation: 'RotationPeriodInDays (365 when unset) above the threshold set with maxRotationPeriod (365 days by default).',
  },
  {
    id: 'KeyPendingWindow',
    level: W,
    granular: false,
    check: KeyPendingWindow,
    control: 'Security Hub KMS.3 (related)',
    info: 'A key scheduled for deletion would be deleted after fewer days than the pack\'s minimum pending window.',
    explanation: 'The pending window is the only time to notice and cancel a deletion (CancelKeyDeletion); after it every ciphertext under the key is lost. Threshold: minPendingWindow (30 days by default).',
  },
  {
    id: 'KeyDeletionPolicy',
    level: E,
    granular: false,
    check: KeyDeletionPolicy,
    control: 'Security Hub KMS.3 (related)',
    info: 'A key\'s DeletionPolicy or UpdateReplacePolicy is not Retain.',
    explanation: 'Deleting the stack, or a change that replaces the key, schedules the key for deletion and with it every ciphertext made under it. Retain keys (removalPolicy RETAIN).',
  },
  {
    id: 'IamKmsAllKeys',
    level: E,
    granular: true,
    check: IamKmsAllKeys,
    control: 'Security Hub KMS.1, KMS.2',
    info: 'An identity policy allows kms:Decrypt, kms:ReEncryptFrom or kms:CreateGrant on all keys (Resource "*").',
    explanation: 'Wherever a key policy delegates to IAM, such a policy decrypts everything in the account. Name the keys (their ARNs), or narrow with a positive aws:ResourceTag condition (StringEquals, StringLike other than "*") or ForAnyValue on kms:ResourceAliases; StringNotEquals, Null, IfExists and ForAllValues do not narrow. kms:GenerateRandom, which has no resource, is not concerned.',
  },
  {
    id: 'S3BucketCmk',
    level: E,
    granular: false,
    check: S3BucketCmk,
    control: 'Security Hub S3.17',
    info: 'An S3 bucket is not encrypted by default with a customer managed key (SSE-S3, or SSE-KMS with aws/s3).',
    explanation: 'Only a customer managed key lets the key policy decide who reads the objects, and lets objects be shared across accounts. Buckets that receive S3 server access logs are excepted (S3 writes those only to SSE-S3 buckets).',
  },
  {
    id: 'S3BucketKey',
    level: W,
    granular: false,
    check: S3BucketKey,
    control: '-',
    info: 'An S3 bucket encrypted with SSE-KMS does not use an S3 Bucket Key.',
    explanation: 'Without a Bucket Key every object request calls KMS: up to 99% more KMS requests (cost, request quotas, one CloudTrail event per object).',
  },
  {
    id: 'EbsCmk',
    level: E,
    granular: false,
    check: EbsCmk,
    // EC2.7 (https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-7) checks the account's EBS
    // encryption by default, not a volume: a template rule cannot prove it (EbsEncryptionByDefault sets it).
    control: 'Security Hub EC2.3 (stricter: a CMK; EC2.3 accepts aws/ebs). EC2.7 (account-level encryption by default) is not a per-volume control',
    info: 'An EBS volume, or a block device of a launch template or instance, is not encrypted with a customer managed key.',
    explanation: 'Unencrypted, or under the AWS managed key aws/ebs, whose snapshots cannot be shared with another account and whose policy cannot be narrowed.',
  },
  {
    id: 'RdsCmk',
    level: E,
    granular: false,
    check: RdsCmk,
    control: 'Security Hub RDS.3, RDS.27 (CMK)',
    info: 'An RDS DB instance or DB cluster is not encrypted with a customer managed key.',
    explanation: 'Unencrypted, or under aws/rds: snapshots under an AWS managed key cannot be shared with another account (copy them under a CMK first), and the key cannot be changed without a restore.',
  },
  {
    id: 'RedshiftCmk',
    level: E,
    granular: false,
    check: RedshiftCmk,
    control: 'Security Hub Redshift.10',
    info: 'A Redshift cluster or Serverless namespace is not encrypted with a customer managed key.',
    explanation: 'Redshift encrypts a cluster with the key chosen at creation; a customer managed key keeps who can read its snapshots in the key policy.',
  },
  {
    id: 'PerformanceInsightsCmk',
    level: E,
    granular: false,
    check: PerformanceInsightsCmk,
    control: '-',
    info: 'Performance Insights is enabled without a customer managed key.',
    explanation: 'Performance Insights data includes query text. Its key cannot be changed after the database is created: an AWS managed key chosen by default stays for the life of the database.',
  },
  {
    id: 'SecretCmk',
    level: E,
    granular: false,
    check: SecretCmk,
    control: '-',
    info: 'A Secrets Manager secret, or the master user secret RDS, Aurora or Redshift manages (ManageMasterUserPassword, ManageMasterPassword), is encrypted with the AWS managed key aws/secretsmanager.',
    explanation: 'Its key policy cannot be narrowed and the secret cannot be shared with another account. Set KmsKeyId, MasterUserSecret.KmsKeyId (RDS, Aurora) or MasterPasswordSecretKmsKeyId (Redshift) to a customer managed key.',
  },
  {
    id: 'SnsCmk',
    level: E,
    granular: false,
    check: SnsCmk,
    // https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-1 passes alias/aws/sns.
    control: 'Security Hub SNS.1 (stricter: SNS.1 accepts the AWS managed key alias/aws/sns)',
    info: 'An SNS topic is not encrypted with a customer managed key.',
    explanation: 'Unencrypted, or under alias/aws/sns, which AWS services publishing to the topic (CloudWatch alarms, EventBridge) cannot use.',
  },
  {
    id: 'SqsCmk',
    level: E,
    granular: false,
    check: SqsCmk,
    // https://docs.aws.amazon.com/securityhub/latest/userguide/sqs-controls.html#sqs-1 passes SSE-SQS and alias/aws/sqs.
    control: 'Security Hub SQS.1 (stricter: SQS.1 accepts SSE-SQS and the AWS managed key alias/aws/sqs)',
    info: 'An SQS queue is not encrypted with a customer managed key.',
    explanation: 'SSE-SQS or alias/aws/sqs: the key policy cannot decide who reads the messages, and services sending to the queue (SNS, EventBridge) cannot use an AWS managed key.',
  },
  {
    id: 'LogGroupCmk',
    level: E,
    granular: false,
    check: LogGroupCmk,
    control: 'CIS / NIST CloudWatchLogGroupEncrypted',
    info: 'A CloudWatch Logs log group has no KMS key.',
    explanation: 'Log events are then under a key CloudWatch Logs owns; with a customer managed key the key policy decides who reads the logs, and disabling the key makes them unreadable.',
  },
  {
    id: 'KinesisCmk',
    level: E,
    granular: false,
    check: KinesisCmk,
    // https://docs.aws.amazon.com/securityhub/latest/userguide/kinesis-controls.html#kinesis-1 passes alias/aws/kinesis.
    control: 'Security Hub Kinesis.1 (stricter: Kinesis.1 accepts the AWS managed key alias/aws/kinesis)',
    info: 'A Kinesis data stream is not encrypted with a customer managed key.',
    explanation: 'Unencrypted, or under alias/aws/kinesis, whose policy cannot be narrowed.',
  },
  {
    id: 'DynamoDbCmk',
    level: E,
    granular: false,
    check: DynamoDbCmk,
    control: '-',
    info: 'A DynamoDB table is not encrypted with a customer managed key.',
    explanation: 'By default DynamoDB uses a key it owns (no audit trail, no policy); aws/dynamodb cannot be narrowed. Every replica of a global table needs its own CMK.',
  },
  {
    id: 'StateMachineCmk',
    level: E,
    granular: false,
    check: StateMachineCmk,
    control: '-',
    info: 'A Step Functions state machine does not encrypt its definition and execution data with a customer managed key.',
    explanation: 'Execution input and output often carry identifiers and secrets; with a customer managed key (EncryptionConfiguration CUSTOMER_MANAGED_KMS_KEY) the key policy decides who reads them.',
  },
  {
    id: 'SsmStringSecret',
    level: E,
    granular: false,
    check: SsmStringSecret,
    control: '-',
    info: 'An SSM String parameter has a name or description that looks like a secret (password, secret, token, private key, API key).',
    explanation: 'A String parameter\'s value is in the template and readable by anyone who can read the parameter, never encrypted. Use a SecureString (SecureStringParameter) or a Secrets Manager secret.',
  },
];
