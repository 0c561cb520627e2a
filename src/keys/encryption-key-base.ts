import { Annotations, Resource, ResourceProps, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KeyCapability } from '../policy/key-capability';
import { KEY_TAG, KeyGrants } from '../policy/key-grants';
import { KeyService } from '../policy/key-service';
import {
  autoScalingAccess, cloudTrailAccess, cloudWatchLogsAccess, ebsAccountDefaultAccess, eventBridgeAccess, ServiceAccess,
} from '../policy/service-access';
import { WarningIds } from '../private/ids';
import * as perms from '../private/perms';
import { fail, normalizeAliasName } from '../private/validation';

export { KEY_TAG };

/**
 * A KMS key: one created by this library, a replica, or an imported one.
 *
 * Every grant writes both halves KMS needs: a key policy statement (when the key's policy can be
 * edited) and an IAM policy statement on the grantee.
 */
export interface IEncryptionKey extends kms.IKey {
  /**
   * The key spec (SYMMETRIC_DEFAULT, RSA_2048, HMAC_256, ...).
   */
  readonly keySpec: kms.KeySpec;

  /**
   * What the key is for (ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT).
   */
  readonly keyUsage: kms.KeyUsage;

  /**
   * Whether this library can edit the key's policy (false for imported keys).
   */
  readonly policyEditable: boolean;

  /**
   * Grants capabilities on this key to a principal: a key policy statement and an IAM policy
   * statement. Throws when a capability does not fit the key.
   *
   * @param grantee the principal
   * @param capabilities what it may do
   */
  grantCapabilities(grantee: iam.IGrantable, ...capabilities: KeyCapability[]): iam.Grant;

  /** Grants `kms:ReEncryptFrom` and `kms:ReEncryptTo`. */
  grantReEncrypt(grantee: iam.IGrantable): iam.Grant;

  /** Grants envelope encryption: `kms:GenerateDataKey`, `kms:GenerateDataKeyWithoutPlaintext` and `kms:Decrypt`. */
  grantEnvelopeEncryption(grantee: iam.IGrantable): iam.Grant;

  /** Grants `kms:GenerateDataKey`. */
  grantGenerateDataKey(grantee: iam.IGrantable): iam.Grant;

  /** Grants `kms:GenerateDataKeyWithoutPlaintext`. */
  grantGenerateDataKeyWithoutPlaintext(grantee: iam.IGrantable): iam.Grant;

  /** Grants `kms:GenerateDataKeyPair` and `kms:GenerateDataKeyPairWithoutPlaintext`. */
  grantGenerateDataKeyPair(grantee: iam.IGrantable): iam.Grant;

  /** Grants `kms:GetPublicKey`. */
  grantGetPublicKey(grantee: iam.IGrantable): iam.Grant;

  /** Grants `kms:DeriveSharedSecret`. */
  grantDeriveSharedSecret(grantee: iam.IGrantable): iam.Grant;

  /** Grants `kms:DescribeKey`. */
  grantDescribe(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants what importing key material takes: `kms:DescribeKey`, `kms:GetParametersForImport` and
   * `kms:ImportKeyMaterial`. Administrative actions: give them only to whoever imports the material.
   */
  grantImportKeyMaterial(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants `kms:CreateGrant`, `kms:ListGrants` and `kms:RevokeGrant` for grants that AWS services
   * create for AWS resources only (`kms:GrantIsForAWSResource`).
   */
  grantForAwsResources(grantee: iam.IGrantable): iam.Grant;

  /**
   * A view of this key whose grants all go through one AWS service.
   *
   * @param service the service
   */
  forService(service: KeyService): IEncryptionKey;

  /**
   * Grants capabilities for use through one AWS service only (`kms:ViaService`).
   *
   * @param grantee the principal
   * @param service the service
   * @param capabilities what it may do
   */
  grantThroughService(grantee: iam.IGrantable, service: KeyService, ...capabilities: KeyCapability[]): iam.Grant;

  /**
   * Lets CloudWatch Logs use the key for log groups of this account.
   *
   * @param options which log groups
   */
  allowCloudWatchLogs(options?: CloudWatchLogsAccessOptions): void;

  /**
   * Lets CloudTrail encrypt log files of this account's trails with the key.
   *
   * @param options which trails
   */
  allowCloudTrail(options?: CloudTrailAccessOptions): void;

  /**
   * Lets EventBridge use the key for encrypted event buses and archives of this account.
   *
   * @param options which EventBridge resources
   */
  allowEventBridge(options?: EventBridgeAccessOptions): void;

  /**
   * Lets the EC2 Auto Scaling service-linked role use this key for encrypted EBS volumes, even
   * before that role exists.
   *
   * @param options which service-linked role
   */
  allowAutoScaling(options?: AutoScalingAccessOptions): void;

  /**
   * Lets every principal of the key's account use the key through EC2 only (`kms:ViaService` and
   * `kms:CallerAccount`) for EBS volumes and snapshots, as the AWS managed `aws/ebs` key does: what
   * EBS encryption by default needs so that every launch in the account works. Warns on the key.
   */
  allowEbsForAccount(): void;
}

/**
 * Which log groups CloudWatch Logs may use a key for.
 */
export interface CloudWatchLogsAccessOptions {
  /**
   * The log groups, as an ARN pattern (`arn:aws:logs:<region>:<account>:log-group:/app/*`).
   *
   * @default - every log group of the key's account and Region
   */
  readonly logGroupArnPattern?: string;
}

/**
 * Which trails CloudTrail may encrypt log files for.
 */
export interface CloudTrailAccessOptions {
  /**
   * The trail's ARN, or an ARN pattern naming the trail's account. For an organization trail, the
   * management account's trail; for another account's trail, that account's.
   *
   * @default - every trail of `trailAccount` in the key's Region
   */
  readonly trailArn?: string;

  /**
   * The account whose trails may use the key: the trail owner's, or the organization's management
   * account for an organization trail. Must match the account of `trailArn` when both are set.
   *
   * @default - the account of `trailArn`, else the key's account
   */
  readonly trailAccount?: string;
}

/**
 * Which EventBridge resources may use a key.
 */
export interface EventBridgeAccessOptions {
  /**
   * The event bus (or rule, archive) ARN, or an ARN pattern.
   *
   * @default - any EventBridge resource of the key's account
   */
  readonly sourceArn?: string;
}

/**
 * Which Auto Scaling service-linked role may use a key.
 */
export interface AutoScalingAccessOptions {
  /**
   * The suffix of a custom service-linked role (`AWSServiceRoleForAutoScaling_<suffix>`).
   *
   * @default - the default role, `AWSServiceRoleForAutoScaling`
   */
  readonly roleSuffix?: string;
}

/**
 * Grants, written once for created, replica and imported keys: every method goes through the key's
 * `KeyGrants`, the one path to the key policy and the IAM policy.
 */
export abstract class EncryptionKeyBase extends Resource implements IEncryptionKey {
  /**
   * The tag every key created by this library carries (`cdk-kms-patterns:key`), whose value
   * identifies the key in IAM policies of other accounts and Regions (`aws:ResourceTag`).
   */
  public static readonly KEY_TAG = KEY_TAG;

  public abstract readonly keyArn: string;
  public abstract readonly keyId: string;
  public abstract readonly keySpec: kms.KeySpec;
  public abstract readonly keyUsage: kms.KeyUsage;

  /**
   * The one path from grants to the key policy and IAM policies.
   *
   * @internal
   */
  public abstract readonly _grants: KeyGrants;

  private readonly aliases: kms.Alias[] = [];

  /**
   * @param scope the scope in which to define this construct
   * @param id the construct id
   * @param props the account and Region of a key created elsewhere
   */
  constructor(scope: Construct, id: string, props: ResourceProps = {}) {
    super(scope, id, props);
  }

  /** A reference to this key. */
  public get keyRef(): kms.KeyReference {
    return { keyArn: this.keyArn, keyId: this.keyId };
  }

  /** Whether this library can edit the key's policy. */
  public get policyEditable(): boolean {
    return this._grants.policyEditable;
  }

  /**
   * Defines a new alias for the key.
   *
   * @param aliasName the alias; `alias/` is added when missing
   */
  public addAlias(aliasName: string): kms.Alias {
    const alias = new kms.Alias(this, `Alias${this.aliases.length === 0 ? '' : this.aliases.length + 1}`, {
      aliasName: normalizeAliasName('aliasName', aliasName),
      targetKey: this,
    });
    this.aliases.push(alias);
    return alias;
  }

  /**
   * Adds a statement to the key policy, through the same rules as every grant: wildcard actions
   * are written out, `kms:CreateGrant` only for AWS resources, service principals only on behalf
   * of the key's account, administrative actions refused, and a statement for the whole account
   * without `kms:ViaService` (such as ECS execute command's `kms:*`) refused unless the key was
   * created with `allowAccountWideStatements`. aws-cdk-lib constructs call it; prefer the grant
   * methods, which write the IAM side too.
   *
   * @param statement the statement
   * @param allowNoOp when false, throw if the policy cannot be edited (imported keys)
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp: boolean = true): iam.AddToResourcePolicyResult {
    if (!this.policyEditable && !allowNoOp) {
      fail(`the key policy of ${this.node.path} cannot be edited (imported key); add the statement to the key's policy in its owner account`);
    }
    return this._grants.addStatement(statement, callerOf(new Error().stack));
  }

  /**
   * Grants raw KMS actions, on both the key policy and the grantee's IAM policy. Wildcards are
   * written out as explicit actions; `kms:CreateGrant` is only ever for AWS resources; administrative
   * actions are refused (declare administrators instead).
   *
   * @param grantee the principal
   * @param actions KMS actions such as `kms:Decrypt`
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this._grants.grantActions(grantee, actions, 'grant');
  }

  /** Grants `kms:Decrypt` (aws-cdk-lib's `grantDecrypt` contract). */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantContract(grantee, false, true, 'grantDecrypt');
  }

  /**
   * Grants aws-cdk-lib's `grantEncrypt` contract, written out: `kms:Encrypt`, `kms:ReEncryptFrom`,
   * `kms:ReEncryptTo`, and for symmetric keys `kms:GenerateDataKey`,
   * `kms:GenerateDataKeyWithoutPlaintext`, `kms:GenerateDataKeyPair` and
   * `kms:GenerateDataKeyPairWithoutPlaintext`. aws-cdk-lib constructs handed this key rely on it;
   * grant `KeyCapability.ENCRYPT` for `kms:Encrypt` alone.
   */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantContract(grantee, true, false, 'grantEncrypt');
  }

  /** Grants `grantEncrypt` and `grantDecrypt` together. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantContract(grantee, true, true, 'grantEncryptDecrypt');
  }

  /** Grants `kms:ReEncryptFrom` and `kms:ReEncryptTo`. */
  public grantReEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.REENCRYPT);
  }

  /** Grants envelope encryption: `kms:GenerateDataKey`, `kms:GenerateDataKeyWithoutPlaintext` and `kms:Decrypt`. */
  public grantEnvelopeEncryption(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.ENVELOPE);
  }

  /** Grants `kms:GenerateDataKey`. */
  public grantGenerateDataKey(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.GENERATE_DATA_KEY);
  }

  /** Grants `kms:GenerateDataKeyWithoutPlaintext`. */
  public grantGenerateDataKeyWithoutPlaintext(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT);
  }

  /** Grants `kms:GenerateDataKeyPair` and `kms:GenerateDataKeyPairWithoutPlaintext`. */
  public grantGenerateDataKeyPair(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.GENERATE_DATA_KEY_PAIR);
  }

  /** Grants `kms:Sign`. */
  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.SIGN);
  }

  /** Grants `kms:Verify`. */
  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.VERIFY);
  }

  /** Grants `kms:Sign` and `kms:Verify`. */
  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.SIGN_VERIFY);
  }

  /** Grants `kms:GetPublicKey`. */
  public grantGetPublicKey(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.GET_PUBLIC_KEY);
  }

  /** Grants `kms:GenerateMac`. */
  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.GENERATE_MAC);
  }

  /** Grants `kms:VerifyMac`. */
  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.VERIFY_MAC);
  }

  /** Grants `kms:DeriveSharedSecret`. */
  public grantDeriveSharedSecret(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.DERIVE_SHARED_SECRET);
  }

  /** Grants `kms:DescribeKey`. */
  public grantDescribe(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.DESCRIBE);
  }

  /**
   * Grants what importing key material takes: `kms:DescribeKey`, `kms:GetParametersForImport` and
   * `kms:ImportKeyMaterial`. Administrative actions: give them only to whoever imports the material.
   */
  public grantImportKeyMaterial(grantee: iam.IGrantable): iam.Grant {
    return this._grants.grantAdministrative(grantee, perms.IMPORT_KEY_MATERIAL_ACTIONS, 'grantImportKeyMaterial', 'ImportKeyMaterial');
  }

  /**
   * Grants `kms:CreateGrant`, `kms:ListGrants` and `kms:RevokeGrant` for grants that AWS services
   * create for AWS resources only (`kms:GrantIsForAWSResource`).
   */
  public grantForAwsResources(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.GRANT_FOR_AWS_RESOURCE);
  }

  /**
   * Lets CloudWatch Logs of this key's Region encrypt and decrypt log groups of this account with
   * the key, and only log groups: the `kms:EncryptionContext:aws:logs:arn` must match.
   *
   * @param options which log groups
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   */
  public allowCloudWatchLogs(options: CloudWatchLogsAccessOptions = {}): void {
    this._allow(cloudWatchLogsAccess(Stack.of(this), options.logGroupArnPattern));
  }

  /**
   * Lets CloudTrail encrypt log files of a trail's account with the key: data keys only with the
   * `aws:cloudtrail:arn` encryption context of a trail of that account (this one's, another
   * account's, or an organization's management account), and only on behalf of the named trails
   * (`aws:SourceArn`).
   *
   * @param options which trails
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
   */
  public allowCloudTrail(options: CloudTrailAccessOptions = {}): void {
    this._allow(cloudTrailAccess(Stack.of(this), { trailArn: options.trailArn, trailAccount: options.trailAccount }));
  }

  /**
   * Lets EventBridge use the key for encrypted event buses and archives of this account
   * (`aws:SourceAccount`, and `aws:SourceArn` when given).
   *
   * @param options which EventBridge resources
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
   */
  public allowEventBridge(options: EventBridgeAccessOptions = {}): void {
    this._allow(eventBridgeAccess(Stack.of(this), options.sourceArn));
  }

  /**
   * Lets the EC2 Auto Scaling service-linked role use this key for encrypted EBS volumes:
   * envelope encryption and re-encryption, and grants for AWS resources.
   *
   * The statements name the role with `aws:PrincipalArn` (and `Principal: *` limited to this
   * account), not in `Principal`: KMS rejects a key policy that names a role that does not exist
   * yet (`MalformedPolicyDocumentException: invalid principals`), and the service-linked role is
   * created only when Auto Scaling is first used. Its own IAM policy grants nothing on KMS, so the
   * key policy must grant directly.
   *
   * @param options which service-linked role
   * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
   */
  public allowAutoScaling(options: AutoScalingAccessOptions = {}): void {
    this._allow(autoScalingAccess(Stack.of(this), options.roleSuffix));
  }

  /**
   * Lets every principal of the key's account use the key through EC2 only (`kms:ViaService` and
   * `kms:CallerAccount`) for EBS volumes and snapshots, as the AWS managed `aws/ebs` key does: what
   * EBS encryption by default needs so that every launch in the account works. Warns on the key:
   * EBS gets a key of its own where other data must not be reachable this way.
   *
   * @see https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html
   */
  public allowEbsForAccount(): void {
    const stack = Stack.of(this);
    this._allow(ebsAccountDefaultAccess(stack));
    Annotations.of(this).addWarningV2(WarningIds.EBS_DEFAULT_ACCOUNT_ACCESS,
      `every principal of account ${stack.account} may create, attach and copy EBS volumes and snapshots under this key through EC2 `
      + '(EBS encryption by default): any data encrypted under this key through EC2 is reachable that way; give EBS a key of its own');
  }

  /**
   * Grants capabilities on this key for use through one AWS service only (`kms:ViaService` and
   * `kms:CallerAccount`), on both the key policy and the grantee's IAM policy.
   *
   * @param grantee the principal
   * @param service the service the principal uses the key through
   * @param capabilities what it may do
   */
  public grantThroughService(grantee: iam.IGrantable, service: KeyService, ...capabilities: KeyCapability[]): iam.Grant {
    return this._grants.withService(service, this).grantCapabilities(grantee, capabilities, 'grantThroughService',
      { labelSuffix: `Via${capitalize(service.endpointPrefix)}` });
  }

  /**
   * Grants capabilities on this key: a key policy statement and an IAM policy statement.
   *
   * @param grantee the principal
   * @param capabilities what it may do
   */
  public grantCapabilities(grantee: iam.IGrantable, ...capabilities: KeyCapability[]): iam.Grant {
    return this._grants.grantCapabilities(grantee, capabilities, 'grantCapabilities');
  }

  /**
   * A view of this key whose grants all go through one AWS service (`kms:ViaService` and
   * `kms:CallerAccount` on both the key policy and the IAM policy). Pass it to aws-cdk-lib
   * constructs (`s3.Bucket`, `ssm`, `secretsmanager.Secret`...) so that the grants they make
   * (`bucket.grantRead`) never allow direct use of the key.
   *
   * @param service the service
   */
  public forService(service: KeyService): IEncryptionKey {
    const id = `Via${service.endpointPrefix}`;
    const existing = this.node.tryFindChild(id) as IEncryptionKey | undefined;
    return existing ?? new ServiceScopedKey(this, id, service);
  }

  /**
   * Writes a service recipe through the grant path.
   *
   * @internal
   */
  protected _allow(recipe: ServiceAccess): void {
    this._grants.allowService(recipe.source, recipe.capabilities, recipe.entries, recipe.grantLabel);
  }
}

/**
 * The aws-cdk-lib module and function that called `addToResourcePolicy`, read from the call stack,
 * so that a refusal names the construct that asked.
 */
function callerOf(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').slice(2);
  for (const frame of frames) {
    const match = /at (?:(\S+) \()?.*[\\/]aws-cdk-lib[\\/]((?:aws-[a-z0-9-]+)[\\/]lib[\\/][^:)]+)/.exec(frame);
    if (match && !/[\\/](aws-kms|aws-iam)[\\/]/.test(match[2])) {
      return `aws-cdk-lib ${match[2].replace(/\\/g, '/').replace(/\.js$/, '')}${match[1] ? ` (${match[1]})` : ''}`;
    }
  }
  return 'a construct (through addToResourcePolicy)';
}

function capitalize(word: string): string {
  return word.replace(/[^A-Za-z0-9]/g, '').replace(/^./, c => c.toUpperCase());
}

/**
 * A key seen through one AWS service: every grant carries `kms:ViaService` and
 * `kms:CallerAccount`. Its statements land in the parent key's policy, through the parent's path.
 */
class ServiceScopedKey extends EncryptionKeyBase {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly keySpec: kms.KeySpec;
  public readonly keyUsage: kms.KeyUsage;
  public readonly _grants: KeyGrants;

  constructor(private readonly parent: EncryptionKeyBase, id: string, service: KeyService) {
    super(parent, id, { account: parent.env.account, region: parent.env.region });
    this.keyArn = parent.keyArn;
    this.keyId = parent.keyId;
    this.keySpec = parent.keySpec;
    this.keyUsage = parent.keyUsage;
    this._grants = parent._grants.withService(service, this);
  }

  public addAlias(aliasName: string): kms.Alias {
    return this.parent.addAlias(aliasName);
  }

  public forService(service: KeyService): IEncryptionKey {
    return this.parent.forService(service);
  }
}
