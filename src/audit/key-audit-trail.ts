import { Annotations, Aws, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EncryptionKeyBase, IEncryptionKey } from '../keys/encryption-key-base';
import { bucketOwnerFullControl, encryptionContextPresent, mergeConditions, sourceArnLike } from '../policy/conditions';
import { KeyCapability } from '../policy/key-capability';
import { KeyReferences } from '../policy/key-references';
import { KeyService } from '../policy/key-service';
import { cloudTrailAccess, cloudWatchLogsAccess } from '../policy/service-access';
import { acknowledge, acknowledgeInCompliancePacks } from '../private/acknowledge';
import { checkEncryptionKey, encryptionKeyOrDefault, removalPolicyOf } from '../private/encrypted-resource';
import { ComplianceRules, NagRules, WarningIds } from '../private/ids';
import { fail, invalid } from '../private/validation';
import { EncryptedBucket } from '../storage/encrypted-bucket';

/**
 * Properties of a `KeyAuditTrail`.
 */
export interface KeyAuditTrailProps {
  /**
   * The key log files and the log group are encrypted with. Its policy gets the statements
   * CloudTrail and CloudWatch Logs need, scoped to this trail and this log group.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * The trail's name. The key policy and the bucket policy name the trail by its ARN
   * (`aws:SourceArn`), built from this name.
   *
   * IMPORTANT: changing it replaces the trail.
   *
   * @default - a name unique to this construct, derived from its path
   */
  readonly trailName?: string;

  /**
   * Record the management events of every Region (KMS calls are management events, and keys live
   * in every Region you use).
   *
   * @default true
   */
  readonly multiRegion?: boolean;

  /**
   * An organization trail (created in the organization's management account or a delegated
   * administrator account): records every member account. Log files of the members arrive under
   * `AWSLogs/<organizationId>/`.
   *
   * @default - a trail of this account only
   */
  readonly organizationId?: string;

  /**
   * Data event selectors, in addition to the management events the trail always records (KMS data
   * plane calls such as `Decrypt` are management events already).
   *
   * @default - management events only
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
   */
  readonly dataEventSelectors?: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[];

  /**
   * How long the CloudWatch Logs copy of the events is kept (the bucket keeps every log file).
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Principals that read the log files: `s3:GetObject` on the trail's objects and `kms:Decrypt`
   * through S3 only, for CloudTrail's encryption context only.
   *
   * @default - nobody (add readers later with `grantReadLogFiles`)
   */
  readonly logReaders?: iam.IGrantable[];

  /**
   * What happens to the bucket and the log group when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A CloudTrail trail that works with a customer managed key, and says who used it: multi-Region,
 * management events (every KMS call), log file validation, log files in an `EncryptedBucket`
 * under the key (bucket policy for CloudTrail with `aws:SourceArn`), delivered to a CloudWatch Logs
 * group under the key, retained.
 *
 * The key policy gets exactly what CloudTrail documents: `kms:GenerateDataKey*` for
 * `cloudtrail.amazonaws.com` with the `kms:EncryptionContext:aws:cloudtrail:arn` of a trail of the
 * trail's account and `aws:SourceArn` this trail, `kms:DescribeKey` with `aws:SourceArn`, and
 * `kms:Decrypt` through S3 for declared log readers with the encryption context present.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 */
export class KeyAuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.CfnTrail;
  /** The trail's name. */
  public readonly trailName: string;
  /** The trail's ARN, built from its name (usable in policies without a dependency on the trail). */
  public readonly trailArn: string;
  /** The key the log files and the log group are encrypted with. */
  public readonly encryptionKey: IEncryptionKey;
  /** The bucket of the log files. */
  public readonly bucket: EncryptedBucket;
  /** The log group the trail delivers to. */
  public readonly logGroup: logs.LogGroup;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: KeyAuditTrailProps = {}) {
    if (props.trailName !== undefined) validateTrailName(props.trailName);
    if (props.organizationId !== undefined && !Token.isUnresolved(props.organizationId) && !/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) {
      invalid('organizationId', 'must be an organization id (o- followed by 10 to 32 lower-case letters or digits)', props.organizationId);
    }
    for (const selector of props.dataEventSelectors ?? []) {
      const category = selector.fieldSelectors && !Token.isUnresolved(selector.fieldSelectors)
        ? (selector.fieldSelectors as cloudtrail.CfnTrail.AdvancedFieldSelectorProperty[]).find(f => f.field === 'eventCategory') : undefined;
      const values = category?.equalTo;
      if (!values || Token.isUnresolved(values) || (values as string[]).join() !== 'Data') {
        invalid('dataEventSelectors', "must each select eventCategory equals ['Data'] (management events are always recorded)", selector.name ?? selector);
      }
    }
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'CloudTrail');
    if (props.encryptionKey) grantsOf(props.encryptionKey);
    super(scope, id);

    const stack = Stack.of(this);
    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts the audit trail ${this.node.path}`);
    this.encryptionKey = key;
    const removalPolicy = removalPolicyOf(this, props.removalPolicy, {
      warningId: WarningIds.TRAIL_REMOVAL_POLICY,
      consequence: 'CloudFormation deletes the log group (and the bucket, once empty) when they leave the stack: the audit record goes with them',
    });
    this.trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    this.trailArn = `arn:${Aws.PARTITION}:cloudtrail:${stack.region}:${stack.account}:trail/${this.trailName}`;

    // No S3 Bucket Key: with one, CloudTrail would also need kms:Decrypt to create or update the trail.
    this.bucket = new EncryptedBucket(this, 'Bucket', { encryptionKey: key, removalPolicy, bucketKeyEnabled: false });
    const bucket = this.bucket.bucket;
    // The bucket policy CloudTrail documents, on behalf of this trail only.
    const fromThisTrail = sourceArnLike([this.trailArn]);
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AWSCloudTrailAclCheck',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucketArn],
      conditions: fromThisTrail,
    }));
    const writers = [bucket.arnForObjects(`AWSLogs/${stack.account}/*`)];
    if (props.organizationId) writers.push(bucket.arnForObjects(`AWSLogs/${props.organizationId}/*`));
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AWSCloudTrailWrite',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: writers,
      conditions: mergeConditions(bucketOwnerFullControl(), fromThisTrail),
    }));

    const logGroupName = `/aws/cloudtrail/${this.trailName}`;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: key,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    const logsRole = new iam.Role(this, 'LogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com'),
      description: `CloudTrail delivers the events of ${this.trailName} to ${logGroupName}`,
    });
    logsRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:${logGroupName}:log-stream:*`],
    }));
    acknowledge(logsRole, [NagRules.iam5(`arn:<AWS::Partition>:logs:${stack.region}:${stack.account}:log-group:${logGroupName}:log-stream:*`)],
      'CloudTrail names its log streams after the account (or organization) and each Region it records (<account>_CloudTrail_<region>): the streams of this one log group');

    acknowledgeInCompliancePacks(logsRole, ComplianceRules.IAM_NO_INLINE_POLICY,
      'The role CloudTrail assumes to write this trail\'s events to its own log group: a policy of this role only, for this log group only');

    this.trail = new cloudtrail.CfnTrail(this, 'Resource', {
      trailName: this.trailName,
      isLogging: true,
      s3BucketName: bucket.bucketName,
      kmsKeyId: key.keyArn,
      isMultiRegionTrail: props.multiRegion ?? true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      isOrganizationTrail: props.organizationId !== undefined ? true : undefined,
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: logsRole.roleArn,
      advancedEventSelectors: props.dataEventSelectors && props.dataEventSelectors.length > 0
        ? [{ name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] }, ...props.dataEventSelectors]
        : undefined,
    });
    this.trail.node.addDependency(bucket.policy!);
    this.trail.node.addDependency(logsRole);

    // The key policy, written here with the exact trail and log group (the references aspect would
    // otherwise write the same recipes a second time).
    const keyStack = Stack.of(key);
    const trailAccount = Token.isUnresolved(stack.account) ? undefined : stack.account;
    const trailAccess = cloudTrailAccess(keyStack, { trailArn: this.trailArn, trailAccount });
    const logsAccess = cloudWatchLogsAccess(keyStack, `arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:${logGroupName}`);
    const grants = grantsOf(key);
    for (const access of [trailAccess, logsAccess]) {
      grants.allowService(`KeyAuditTrail ${this.node.path}`, access.capabilities, access.entries, access.grantLabel);
    }
    acknowledge(key, ['KmsChecks-KeyPolicyServiceSource[CloudWatchLogs]'],
      'CloudWatch Logs documents no source condition for log group encryption; the statement is pinned to this log group of this account by the kms:EncryptionContext:aws:logs:arn condition');
    acknowledgeInCompliancePacks(bucket, ComplianceRules.S3_REPLICATION,
      'A trail\'s log bucket is replicated (or not) by the user\'s disaster-recovery choice: the destination bucket, its Region, account and key are '
      + 'not this construct\'s to pick; CloudTrail itself can deliver an organization or second trail to another bucket');
    acknowledge(bucket, ['KmsChecks-S3BucketKey'],
      'No S3 Bucket Key on the trail bucket: with one, CloudTrail needs kms:Decrypt on the key to create or update the trail; CloudTrail writes few, large objects');
    const references = KeyReferences.of(this);
    references.skip(this.trail);
    references.skip(this.logGroup.node.defaultChild as logs.CfnLogGroup);

    for (const reader of props.logReaders ?? []) {
      this.grantReadLogFiles(reader);
    }
    if (props.multiRegion === false) {
      Annotations.of(this).addWarningV2(WarningIds.SINGLE_REGION_TRAIL,
        `multiRegion is false: only KMS calls in ${stack.region} are recorded; keys of other Regions are not audited`);
    }
  }

  /**
   * Lets a principal read the log files: `s3:GetObject` on the trail's objects, `s3:ListBucket`,
   * and `kms:Decrypt` through S3 only, for requests that carry CloudTrail's encryption context.
   *
   * @param grantee the principal
   */
  public grantReadLogFiles(grantee: iam.IGrantable): iam.Grant {
    const objects = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.bucket.arnForObjects('AWSLogs/*')],
      resource: this.bucket.bucket,
    }).combine(iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:GetBucketLocation', 's3:ListBucket'],
      resourceArns: [this.bucket.bucket.bucketArn],
      resource: this.bucket.bucket,
    }));
    const decrypt = grantsOf(this.encryptionKey).withService(KeyService.S3, this.encryptionKey as EncryptionKeyBase).grantCapabilities(
      grantee, [KeyCapability.DECRYPT], 'KeyAuditTrail.grantReadLogFiles',
      { conditions: encryptionContextPresent('aws:cloudtrail:arn'), label: 'CloudTrailLogReaders' });
    return objects.combine(decrypt);
  }
}

function grantsOf(key: IEncryptionKey): EncryptionKeyBase['_grants'] {
  if (!(key instanceof EncryptionKeyBase)) {
    fail(`encryptionKey must be a key of this library (EncryptionKey, ReplicaKey or EncryptionKey.fromKeyArn), got ${key.node.path}`);
  }
  return key._grants;
}

/** CloudTrail's naming rules. */
function validateTrailName(name: string): void {
  if (Token.isUnresolved(name)) {
    invalid('trailName', 'must be a literal (the key and bucket policies name the trail by its ARN)', name);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/.test(name) || /[._-]{2}/.test(name) || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    invalid('trailName', 'must be 3 to 128 letters, digits, periods, underscores or dashes, start and end with a letter or digit, '
      + 'with no two of . _ - next to each other, and not look like an IP address', name);
  }
}
