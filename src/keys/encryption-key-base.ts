import { Annotations, Arn, Aws, Resource, ResourceProps, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import {
  callerAccount, Conditions, encryptionContext, encryptionContextArnLike, grantIsForAwsResource, mergeConditions,
  principalArnEquals, resourceTag, sourceAccount, sourceArnLike, viaService,
} from '../policy/conditions';
import { KeyAccessReportRegistry } from '../policy/key-access-report';
import { CAPABILITIES, capabilityMismatch, KeyCapability } from '../policy/key-capability';
import { KeyPolicyDocument, KeyPolicyEntry } from '../policy/key-policy-document';
import { KeyService } from '../policy/key-service';
import { compareAccounts, keyPolicyPrincipal } from '../policy/principals';
import { acknowledge } from '../private/acknowledge';
import * as perms from '../private/perms';
import { normalizeAliasName } from '../private/validation';

/**
 * The tag every key created by this library carries, so that identity policies in other accounts
 * and Regions can name the key without a cross-environment reference.
 */
export const KEY_TAG = 'cdk-kms-patterns:key';

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
   * The trail's ARN, or an ARN pattern.
   *
   * @default - every trail of the key's account and Region
   */
  readonly trailArn?: string;
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
 * Where a grant's IAM statement points.
 */
interface IdentityTarget {
  readonly resourceArns: string[];
  readonly conditions?: Conditions;
}

/**
 * Grants, written once for created, replica and imported keys.
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
   * The key policy, when this library owns it.
   *
   * @internal
   */
  protected abstract readonly _policy?: KeyPolicyDocument;

  /**
   * The value of the `KEY_TAG` tag on the key, when this library created it.
   *
   * @internal
   */
  protected abstract readonly _keyTagValue?: string;

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
    return this._policy !== undefined;
  }

  /**
   * Defines a new alias for the key.
   *
   * @param aliasName the alias; `alias/` is added when missing
   */
  public addAlias(aliasName: string): kms.Alias {
    const alias = new kms.Alias(this, `Alias${this.aliases.length === 0 ? '' : this.aliases.length + 1}`, {
      aliasName: normalizeAlias(aliasName),
      targetKey: this,
    });
    this.aliases.push(alias);
    return alias;
  }

  /**
   * Adds a hand-written statement to the key policy. Prefer the grant methods: they write the
   * IAM side too and check the statement against the key.
   *
   * @param statement the statement
   * @param allowNoOp when false, throw if the policy cannot be edited (imported keys)
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp: boolean = true): iam.AddToResourcePolicyResult {
    if (!this._policy) {
      if (!allowNoOp) {
        throw new Error(`the key policy of ${this.node.path} cannot be edited (imported key); add the statement to the key's policy in its owner account`);
      }
      this.warnImported(JSON.stringify(Stack.of(this).resolve(statement.toStatementJson())));
      return { statementAdded: false };
    }
    if (statement.actions.includes('kms:*') || statement.actions.includes('*')) {
      Annotations.of(this).addWarningV2('cdk-kms-patterns:wildcardKeyStatement',
        'a statement granting kms:* was added to a least-privilege key policy; prefer grant methods or KeyAccess capabilities');
    }
    this._policy.addStatement(statement);
    return { statementAdded: true, policyDependable: this };
  }

  /**
   * Grants raw KMS actions, on both the key policy and the grantee's IAM policy.
   *
   * @param grantee the principal
   * @param actions KMS actions such as `kms:Decrypt`
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    // Grants may only ever be created for AWS resources: a grant for a principal would hand out
    // key access outside the key policy.
    const grantActions = actions.filter(a => a === 'kms:CreateGrant');
    const others = actions.filter(a => a !== 'kms:CreateGrant');
    let grant: iam.Grant | undefined;
    if (others.length > 0) {
      grant = this.grantActions(grantee, 'Grant', others, undefined);
    }
    if (grantActions.length > 0) {
      const resourceGrant = this.grantActions(grantee, 'GrantsForAwsResources', grantActions, grantIsForAwsResource());
      grant = grant ? grant.combine(resourceGrant) : resourceGrant;
    }
    if (!grant) {
      throw new Error('grant needs at least one action');
    }
    return grant;
  }

  /** Grants `kms:Decrypt`. */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.DECRYPT);
  }

  /** Grants `kms:Encrypt`. */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.ENCRYPT);
  }

  /** Grants `kms:Encrypt` and `kms:Decrypt`. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantCapabilities(grantee, KeyCapability.ENCRYPT_DECRYPT);
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
    const logGroupArnPattern = options.logGroupArnPattern;
    this._checkCapabilities('allowCloudWatchLogs', [KeyCapability.ENVELOPE]);
    const stack = Stack.of(this);
    const pattern = logGroupArnPattern ?? `arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:*`;
    this._addPolicyEntry({
      label: 'CloudWatchLogs',
      principalType: 'Service',
      principals: [`logs.${stack.region}.amazonaws.com`],
      // No kms:DescribeKey: it carries no encryption context, so under this condition it could never be allowed.
      actions: [...perms.ENCRYPT_ACTIONS, ...perms.DECRYPT_ACTIONS, ...perms.REENCRYPT_ACTIONS,
        ...perms.GENERATE_DATA_KEY_ACTIONS, ...perms.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT_ACTIONS],
      conditions: encryptionContextArnLike('aws:logs:arn', [pattern]),
    });
  }

  /**
   * Lets CloudTrail encrypt log files of this account's trails with the key: data keys only with
   * the `aws:cloudtrail:arn` encryption context of a trail of this account, and only on behalf of
   * the named trail (`aws:SourceArn`).
   *
   * @param options which trails
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
   */
  public allowCloudTrail(options: CloudTrailAccessOptions = {}): void {
    const trailArn = options.trailArn;
    this._checkCapabilities('allowCloudTrail', [KeyCapability.ENVELOPE]);
    const stack = Stack.of(this);
    const source = trailArn ?? `arn:${Aws.PARTITION}:cloudtrail:${stack.region}:${stack.account}:trail/*`;
    this._addPolicyEntry({
      label: 'CloudTrailEncryptLogs',
      principalType: 'Service',
      principals: ['cloudtrail.amazonaws.com'],
      actions: [...perms.GENERATE_DATA_KEY_ACTIONS, ...perms.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT_ACTIONS],
      conditions: mergeConditions(
        encryptionContext({ 'aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${stack.account}:trail/*` }),
        sourceArnLike([source])),
    });
    this._addPolicyEntry({
      label: 'CloudTrailDescribeKey',
      principalType: 'Service',
      principals: ['cloudtrail.amazonaws.com'],
      actions: perms.DESCRIBE_ACTIONS,
      conditions: sourceArnLike([source]),
    });
  }

  /**
   * Lets EventBridge use the key for encrypted event buses and archives of this account
   * (`aws:SourceAccount`, and `aws:SourceArn` when given).
   *
   * @param options which EventBridge resources
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
   */
  public allowEventBridge(options: EventBridgeAccessOptions = {}): void {
    const sourceArn = options.sourceArn;
    this._checkCapabilities('allowEventBridge', [KeyCapability.ENVELOPE]);
    const stack = Stack.of(this);
    this._addPolicyEntry({
      label: 'EventBridge',
      principalType: 'Service',
      principals: ['events.amazonaws.com'],
      actions: [...perms.DECRYPT_ACTIONS, ...perms.GENERATE_DATA_KEY_ACTIONS, ...perms.DESCRIBE_ACTIONS],
      conditions: mergeConditions(sourceAccount(stack.account), sourceArn ? sourceArnLike([sourceArn]) : undefined),
    });
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
    const roleSuffix = options.roleSuffix;
    if (roleSuffix !== undefined && !Token.isUnresolved(roleSuffix) && !/^[\w+=,.@-]{1,56}$/.test(roleSuffix)) {
      throw new Error(`roleSuffix must be 1 to 56 characters of letters, digits and +=,.@_-, got '${roleSuffix}'`);
    }
    this._checkCapabilities('allowAutoScaling', [KeyCapability.ENVELOPE]);
    const account = Stack.of(this).account;
    const name = roleSuffix ? `AWSServiceRoleForAutoScaling_${roleSuffix}` : 'AWSServiceRoleForAutoScaling';
    const arn = `arn:${Aws.PARTITION}:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/${name}`;
    const conditions = mergeConditions(principalArnEquals([arn]), callerAccount([account]));
    this._addPolicyEntry({
      label: 'AutoScalingServiceLinkedRole',
      principalType: '*',
      principals: [],
      actions: [...perms.ENCRYPT_ACTIONS, ...perms.DECRYPT_ACTIONS, ...perms.REENCRYPT_ACTIONS,
        ...perms.GENERATE_DATA_KEY_ACTIONS, ...perms.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT_ACTIONS, ...perms.DESCRIBE_ACTIONS],
      conditions,
    });
    this._addPolicyEntry({
      label: 'AutoScalingServiceLinkedRoleGrants',
      principalType: '*',
      principals: [],
      actions: ['kms:CreateGrant'],
      conditions: mergeConditions(conditions, grantIsForAwsResource()),
    });
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
    if (capabilities.length === 0) {
      throw new Error('grantThroughService needs at least one capability');
    }
    this._checkCapabilities('grantThroughService', capabilities);
    const stack = Stack.of(this);
    const account = grantee.grantPrincipal.principalAccount ?? stack.account;
    const via = mergeConditions(viaService([service.viaService(stack.region)]), callerAccount([account]));
    const plain = capabilities.filter(c => c !== KeyCapability.GRANT_FOR_AWS_RESOURCE);
    let grant: iam.Grant | undefined;
    if (plain.length > 0) {
      grant = this.grantActions(grantee, `${labelOf(plain)}Via${capitalize(service.endpointPrefix)}`, plain.flatMap(c => CAPABILITIES[c].actions), via);
    }
    if (capabilities.includes(KeyCapability.GRANT_FOR_AWS_RESOURCE)) {
      const resourceGrant = this.grantActions(grantee, `GrantsForAwsResourcesVia${capitalize(service.endpointPrefix)}`,
        CAPABILITIES[KeyCapability.GRANT_FOR_AWS_RESOURCE].actions, mergeConditions(via, grantIsForAwsResource()));
      grant = grant ? grant.combine(resourceGrant) : resourceGrant;
    }
    return grant!;
  }

  /**
   * Grants capabilities on this key: a key policy statement and an IAM policy statement.
   *
   * @param grantee the principal
   * @param capabilities what it may do
   */
  public grantCapabilities(grantee: iam.IGrantable, ...capabilities: KeyCapability[]): iam.Grant {
    if (capabilities.length === 0) {
      throw new Error('grantCapabilities needs at least one capability');
    }
    this._checkCapabilities('grantCapabilities', capabilities);
    const plain = capabilities.filter(c => c !== KeyCapability.GRANT_FOR_AWS_RESOURCE);
    let grant: iam.Grant | undefined;
    if (plain.length > 0) {
      grant = this.grantActions(grantee, labelOf(plain), plain.flatMap(c => CAPABILITIES[c].actions), undefined);
    }
    if (capabilities.includes(KeyCapability.GRANT_FOR_AWS_RESOURCE)) {
      const resourceGrant = this.grantActions(grantee, 'GrantsForAwsResources',
        CAPABILITIES[KeyCapability.GRANT_FOR_AWS_RESOURCE].actions, grantIsForAwsResource());
      grant = grant ? grant.combine(resourceGrant) : resourceGrant;
    }
    return grant!;
  }

  /**
   * Throws when a capability does not fit this key.
   *
   * @internal
   */
  protected _checkCapabilities(prop: string, capabilities: KeyCapability[]): void {
    for (const capability of capabilities) {
      const mismatch = capabilityMismatch(capability, this.keySpec, this.keyUsage);
      if (mismatch) {
        throw new Error(`${prop}: cannot grant ${capability} on ${this.node.path}: ${mismatch}`);
      }
    }
  }

  /**
   * Conditions every grant of this key carries (a service view adds `kms:ViaService`).
   *
   * @internal
   */
  protected _grantConditions(_grantee: iam.IGrantable): Conditions | undefined {
    return undefined;
  }

  /**
   * The key policy document, for views of this key.
   *
   * @internal
   */
  public _document(): KeyPolicyDocument | undefined {
    return this._policy;
  }

  /**
   * The value of the key's identifying tag, for views of this key.
   *
   * @internal
   */
  public _tagValue(): string | undefined {
    return this._keyTagValue;
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
    const id = `Via${service.endpointPrefix.replace(/[^A-Za-z0-9]/g, '')}`;
    const existing = this.node.tryFindChild(id) as IEncryptionKey | undefined;
    return existing ?? new ServiceScopedKey(this, id, service);
  }

  /**
   * Adds an entry to the key policy, or warns with the statement the owner must add.
   *
   * @internal
   */
  protected _addPolicyEntry(entry: KeyPolicyEntry): void {
    if (this._policy) {
      this._policy.add(entry);
      return;
    }
    const document = new KeyPolicyDocument();
    document.add(entry);
    const statement = document.render().Statement[0];
    KeyAccessReportRegistry.of(this).addOwnerStatement({ construct: this, statement });
    this.warnImported(JSON.stringify(Stack.of(this).resolve(statement)));
  }

  private warnImported(statementJson: string): void {
    Annotations.of(this).addWarningV2('cdk-kms-patterns:importedKeyPolicy',
      `the key policy of imported key ${this.node.path} cannot be changed from here; the IAM side of the grant was written, `
      + `but access works only once the key's owner adds this statement to its key policy: ${statementJson}`);
  }

  private grantActions(grantee: iam.IGrantable, label: string, actions: string[], extraConditions: Conditions | undefined): iam.Grant {
    const conditions = mergeConditions(extraConditions, this._grantConditions(grantee));
    const principals = keyPolicyPrincipal(grantee.grantPrincipal, this);
    const keyAccount = this.env.account;
    let kept = [...new Set(actions)].sort();
    for (const principal of principals) {
      if (this._policy && principal.accountRoot && compareAccounts(principal.account, keyAccount) === 'SAME') {
        Annotations.of(this).addWarningV2('cdk-kms-patterns:accountWideGrant',
          `${kept.join(', ')} was granted to the whole account ${keyAccount}${describeVia(principal.conditions)} (for example by an aws-cdk-lib construct `
          + 'such as secretsmanager.Secret): any principal of the account whose IAM policy allows it gets this access; '
          + 'give such resources a key of their own if that is too wide');
      }
      if (principal.principalType === 'AWS' && compareAccounts(principal.account, keyAccount) === 'DIFFERENT') {
        const refused = kept.filter(a => !perms.CROSS_ACCOUNT_ACTIONS.includes(a));
        if (refused.length > 0) {
          throw new Error(`cannot grant ${refused.join(', ')} on ${this.node.path} to a principal of account ${principal.account}: `
            + `KMS does not honour these across accounts; allowed across accounts: ${perms.CROSS_ACCOUNT_ACTIONS.join(', ')}`);
        }
      }
      this._addPolicyEntry({
        label,
        principalType: principal.principalType,
        principals: principal.principals,
        principalArns: principal.principalArns,
        actions: kept,
        conditions: mergeConditions(principal.conditions, conditions),
      });
    }
    const identity = this._grantIdentity(grantee, kept, conditions);
    if (!this._policy) {
      return identity;
    }
    // Record the key policy half on the Grant too, so that callers see where access comes from.
    const resource: iam.IResourceWithPolicyV2 = {
      env: this.env,
      addToResourcePolicy: () => ({ statementAdded: true, policyDependable: this }),
    };
    const keyPolicyGrant = iam.Grant.addStatementToResourcePolicy({
      grantee,
      actions: kept,
      resourceArns: ['*'],
      resource,
      statement: new iam.PolicyStatement({ actions: kept, resources: ['*'], principals: [grantee.grantPrincipal] }),
    });
    return identity.success ? identity.combine(keyPolicyGrant) : keyPolicyGrant;
  }

  /**
   * Writes the IAM half of a grant (nothing for principals without an identity policy: service
   * principals, imported principals, whose access the key policy carries alone).
   *
   * @internal
   */
  protected _grantIdentity(grantee: iam.IGrantable, actions: string[], conditions: Conditions | undefined): iam.Grant {
    const target = this.identityTarget(grantee);
    const identity = iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: target.resourceArns,
      conditions: mergeConditions(target.conditions, conditions),
    });
    return identity;
  }

  /**
   * The resource (and conditions) a grantee's IAM statement names: the key ARN where it can be
   * referenced, otherwise (another account or Region) every key of the key's account and Region
   * carrying this key's `KEY_TAG` tag, so no statement ever falls back to `Resource: *`.
   */
  private identityTarget(grantee: iam.IGrantable): IdentityTarget {
    if (!Token.isUnresolved(this.keyArn)) {
      return { resourceArns: [this.keyArn] };
    }
    const granteeScope = constructOf(grantee.grantPrincipal) ?? constructOf(grantee);
    if (!granteeScope || sameEnvironment(Stack.of(granteeScope), Stack.of(this))) {
      return { resourceArns: [this.keyArn] };
    }
    if (!this._keyTagValue || Token.isUnresolved(this.env.account) || Token.isUnresolved(this.env.region)) {
      throw new Error(`cannot grant ${this.node.path} to ${granteeScope.node.path} in another environment: `
        + 'the key needs a concrete account and Region (set env on its stack), or import it with EncryptionKey.fromKeyArn');
    }
    acknowledge(granteeScope, [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${this.env.region}:${this.env.account}:key/*]`],
      `Grants on ${this.node.path}, a key of another account or Region that cannot be referenced by ARN: the wildcard is restricted `
      + `to that one key by its ${KEY_TAG} tag (aws:ResourceTag)`);
    return {
      resourceArns: [Arn.format({ partition: Aws.PARTITION, service: 'kms', region: this.env.region, account: this.env.account, resource: 'key', resourceName: '*' })],
      conditions: resourceTag(KEY_TAG, this._keyTagValue),
    };
  }
}

function describeVia(conditions: Conditions | undefined): string {
  const via = conditions?.StringEquals?.['kms:ViaService'];
  return via ? ` through ${JSON.stringify(via)}` : '';
}

function constructOf(value: unknown): IConstruct | undefined {
  if (value && typeof value === 'object' && 'node' in value) {
    return value as IConstruct;
  }
  return undefined;
}

function sameEnvironment(a: Stack, b: Stack): boolean {
  return compareAccounts(a.account, b.account) === 'SAME' && compareAccounts(a.region, b.region) === 'SAME';
}

function labelOf(capabilities: KeyCapability[]): string {
  return capabilities.map(c => c.toLowerCase().split('_').map(w => w[0].toUpperCase() + w.slice(1)).join('')).join('And');
}

function capitalize(word: string): string {
  return word.replace(/[^A-Za-z0-9]/g, '').replace(/^./, c => c.toUpperCase());
}

function normalizeAlias(aliasName: string): string {
  return normalizeAliasName('aliasName', aliasName);
}

/**
 * A key seen through one AWS service: every grant carries `kms:ViaService` and
 * `kms:CallerAccount`. Its statements land in the parent key's policy.
 */
class ServiceScopedKey extends EncryptionKeyBase {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly keySpec: kms.KeySpec;
  public readonly keyUsage: kms.KeyUsage;
  protected readonly _policy?: KeyPolicyDocument;
  protected readonly _keyTagValue?: string;

  constructor(private readonly parent: EncryptionKeyBase, id: string, private readonly service: KeyService) {
    super(parent, id);
    this.keyArn = parent.keyArn;
    this.keyId = parent.keyId;
    this.keySpec = parent.keySpec;
    this.keyUsage = parent.keyUsage;
    this._policy = parent._document();
    this._keyTagValue = parent._tagValue();
  }

  public addAlias(aliasName: string): kms.Alias {
    return this.parent.addAlias(aliasName);
  }

  public forService(service: KeyService): IEncryptionKey {
    return this.parent.forService(service);
  }

  protected _grantConditions(grantee: iam.IGrantable): Conditions | undefined {
    const stack = Stack.of(this);
    return mergeConditions(
      viaService([this.service.viaService(stack.region)]),
      callerAccount([grantee.grantPrincipal.principalAccount ?? stack.account]),
    );
  }
}
