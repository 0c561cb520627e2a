import { Arn, ArnFormat, Aws, CfnResource, CustomResource, IResolvable, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import {
  MAX_CIPHERTEXT_BYTES,
  MAX_USER_TAGS,
  OWNER_RESOURCE_TAG,
  OWNER_STACK_TAG,
  ParameterNameError,
  RESERVED_TAG_PREFIX,
  parameterArnPrefix,
  validateParameterName,
} from './private/secure-string-values';
import { SecureStringParameterFunction } from './secure-string-parameter-function';
import { EncryptionKey } from '../keys/encryption-key';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { mergeConditions, resourceTag } from '../policy/conditions';
import { KeyCapability } from '../policy/key-capability';
import { KeyService } from '../policy/key-service';
import { acknowledge } from '../private/acknowledge';
import { checkEncryptionKey, encryptionKeyOrDefault, removalPolicyOf } from '../private/encrypted-resource';
import { HandlerProvider } from '../private/handler-provider';
import { NagRules, WarningIds } from '../private/ids';
import * as perms from '../private/perms';
import { invalid } from '../private/validation';

/**
 * Options of a generated value.
 */
export interface GeneratedValueOptions {
  /**
   * How many characters.
   *
   * @default 32
   */
  readonly length?: number;

  /**
   * The characters to draw from (uniformly, from KMS GenerateRandom).
   *
   * @default - letters and digits
   */
  readonly characters?: string;
}

/**
 * Options of a value decrypted from a ciphertext.
 */
export interface CiphertextValueOptions {
  /**
   * The key the ciphertext was encrypted with, when it is not the parameter's key. The handler is
   * granted `kms:Decrypt` on it.
   *
   * @default - the parameter's key
   */
  readonly decryptionKey?: IEncryptionKey;

  /**
   * The encryption context given to `aws kms encrypt`.
   *
   * @default - none
   */
  readonly encryptionContext?: { [key: string]: string };
}

/**
 * Where the value of a `SecureStringParameter` comes from. It is produced at deploy time,
 * inside the handler: it never appears in the template, in a Lambda environment variable or in
 * logs. The handler checks the value's size against the tier (4096 bytes Standard, 8192 bytes
 * Advanced) before writing it.
 */
export class SecureStringValue {
  /**
   * A random value generated at deploy time from KMS GenerateRandom. It is generated once and kept
   * across updates until the generation options change.
   *
   * @param options length and characters
   */
  public static generated(options: GeneratedValueOptions = {}): SecureStringValue {
    const length = options.length ?? 32;
    if (!Token.isUnresolved(length) && (!Number.isInteger(length) || length < 1 || length > 4096)) {
      invalid('length', 'must be a whole number from 1 to 4096', length);
    }
    const characters = options.characters;
    if (characters !== undefined) {
      const unique = new Set([...characters]);
      if (unique.size < 2 || unique.size !== [...characters].length || unique.size > 256) {
        invalid('characters', 'must hold 2 to 256 distinct characters, each once', characters);
      }
    }
    return new SecureStringValue('generate', { Type: 'generate', Length: String(length), Characters: characters });
  }

  /**
   * A value encrypted offline (`aws kms encrypt --plaintext fileb://value --output text --query
   * CiphertextBlob`), decrypted at deploy time: encrypted secrets can live in code.
   *
   * @param ciphertextBase64 the base64 `CiphertextBlob`
   * @param options the decryption key and encryption context
   */
  public static fromCiphertext(ciphertextBase64: string, options: CiphertextValueOptions = {}): SecureStringValue {
    if (!Token.isUnresolved(ciphertextBase64)) {
      const compact = ciphertextBase64.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
        invalid('ciphertextBase64', 'must be base64 (the CiphertextBlob printed by aws kms encrypt)', `${compact.slice(0, 16)}...`);
      }
      const bytes = Buffer.from(compact, 'base64').length;
      if (bytes > MAX_CIPHERTEXT_BYTES) {
        invalid('ciphertextBase64', `must decode to at most ${MAX_CIPHERTEXT_BYTES} bytes (a KMS ciphertext)`, `${bytes} bytes`);
      }
    }
    return new SecureStringValue('ciphertext', {
      Type: 'ciphertext',
      CiphertextBlob: ciphertextBase64.replace(/\s+/g, ''),
      EncryptionContext: options.encryptionContext,
      // The handler's Decrypt names this key; without it, the parameter's key.
      KeyId: options.decryptionKey?.keyArn,
    }, options.decryptionKey, options.encryptionContext);
  }

  /**
   * A value copied from a Secrets Manager secret at deploy time (the whole secret string, or one
   * field of a JSON secret).
   *
   * @param secret the secret
   * @param jsonField the field of a JSON secret
   */
  public static fromSecret(secret: secretsmanager.ISecret, jsonField?: string): SecureStringValue {
    return new SecureStringValue('secret', { Type: 'secret', SecretArn: secret.secretArn, JsonField: jsonField }, undefined, undefined, secret);
  }

  private constructor(
    /** @internal */ public readonly _kind: string,
    /** @internal */ public readonly _source: { [key: string]: any },
    /** @internal */ public readonly _decryptionKey?: IEncryptionKey,
    /** @internal */ public readonly _encryptionContext?: { [key: string]: string },
    /** @internal */ public readonly _secret?: secretsmanager.ISecret,
  ) {}
}

/**
 * Properties of a `SecureStringParameter`.
 */
export interface SecureStringParameterProps {
  /**
   * The parameter's name, e.g. `/orders/db/password`: letters, digits and `_.-/`, not starting
   * with `aws` or `ssm`, a leading `/` in a hierarchy of at most 15 levels, and at most 1011
   * characters counting the ARN prefix `arn:<partition>:ssm:<region>:<account>:parameter/`
   * (checked at synth when the stack's account and Region are known).
   *
   * IMPORTANT: changing it creates a new parameter with the same value (the old one follows
   * `removalPolicy`). A parameter of that name that this resource did not create is never
   * overwritten: the deployment fails instead.
   */
  readonly parameterName: string;

  /**
   * Where the value comes from.
   */
  readonly value: SecureStringValue;

  /**
   * The key the value is encrypted with.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * The tier: STANDARD (values up to 4 KB) or ADVANCED (up to 8 KB, charged).
   *
   * @default ssm.ParameterTier.STANDARD
   */
  readonly tier?: ssm.ParameterTier;

  /**
   * A description.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Tags of the parameter: at most 48, since the parameter also carries two ownership tags
   * (`cdk-kms-patterns:stack-id`, `cdk-kms-patterns:logical-id`); keys starting with
   * `cdk-kms-patterns:` are reserved.
   *
   * @default - none
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the parameter when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const PROVIDER_ID = 'CdkKmsPatternsSecureStringParameterProvider';

/**
 * An SSM Parameter Store SecureString parameter encrypted with a customer managed key, created by
 * a custom resource (CloudFormation cannot create SecureString parameters). The value is
 * generated, decrypted or copied inside the handler at deploy time and never appears in the
 * template, a Lambda environment variable or logs.
 *
 * The parameter is tagged with the stack id and the custom resource's logical id. By those tags
 * the handler knows its own parameters: a create that is retried, or the rollback of a failed
 * rename, writes its own parameter again instead of failing; any other parameter of the same name
 * is left alone and the deployment fails.
 */
export class SecureStringParameter extends Construct {
  /** The parameter's name. */
  public readonly parameterName: string;
  /** The parameter's ARN. */
  public readonly parameterArn: string;
  /** The key the value is encrypted with. */
  public readonly encryptionKey: IEncryptionKey;
  /** The custom resource. */
  public readonly resource: CustomResource;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: SecureStringParameterProps) {
    const name = props.parameterName;
    checkName(scope, name);
    const tier = props.tier ?? ssm.ParameterTier.STANDARD;
    if (tier !== ssm.ParameterTier.STANDARD && tier !== ssm.ParameterTier.ADVANCED) {
      invalid('tier', 'must be STANDARD or ADVANCED', tier);
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.length > 1024) {
      invalid('description', 'must be at most 1024 characters', `${props.description.length} characters`);
    }
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'Parameter Store');
    const tags = Object.entries(props.tags ?? {});
    if (tags.length > MAX_USER_TAGS) {
      invalid('tags', `may hold at most ${MAX_USER_TAGS} tags (SSM allows 50, two are the parameter's ownership tags)`, `${tags.length} tags`);
    }
    for (const [key, value] of tags) {
      if (key.length < 1 || key.length > 128 || value.length > 256 || key.startsWith('aws:')) {
        invalid('tags', 'keys must be 1 to 128 characters not starting with aws:, values at most 256', `${key}=${value}`);
      }
      if (key.startsWith(RESERVED_TAG_PREFIX)) {
        invalid('tags', `keys must not start with ${RESERVED_TAG_PREFIX} (reserved for the parameter's ownership tags)`, `${key}=${value}`);
      }
    }
    super(scope, id);
    const stack = Stack.of(this);
    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts the parameter ${name}`);
    this.encryptionKey = key;
    this.parameterName = name;
    this.parameterArn = Arn.format({
      service: 'ssm',
      resource: 'parameter',
      resourceName: name.startsWith('/') ? name.slice(1) : name,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }, stack);
    const removalPolicy = removalPolicyOf(this, props.removalPolicy, {
      warningId: WarningIds.PARAMETER_REMOVAL_POLICY,
      consequence: 'the parameter and its value are deleted when it leaves the stack',
      warnOnlyOnDestroy: true,
    });

    const { provider, handler } = HandlerProvider.of(this, {
      id: PROVIDER_ID,
      description: 'manages SSM SecureString parameters',
      calls: 'the SSM, KMS and Secrets Manager APIs',
      createFunction: (s, i, p) => new SecureStringParameterFunction(s, i, p),
    });
    const ssmActions = ['ssm:AddTagsToResource', 'ssm:GetParameter', 'ssm:ListTagsForResource', 'ssm:PutParameter',
      'ssm:RemoveTagsFromResource', ...(removalPolicy === RemovalPolicy.DESTROY ? ['ssm:DeleteParameter'] : [])].sort();
    iam.Grant.addToPrincipal({ grantee: handler, actions: ssmActions, resourceArns: [this.parameterArn] });
    // Parameter Store encrypts and decrypts with the key on the handler's behalf.
    key.grantThroughService(handler, KeyService.SSM, KeyCapability.ENCRYPT_DECRYPT, KeyCapability.GENERATE_DATA_KEY);
    const value = props.value;
    if (value._kind === 'generate') {
      EncryptionKey.grantGenerateRandom(handler);
    } else if (value._kind === 'ciphertext') {
      (value._decryptionKey ?? key).grantDecrypt(handler);
    } else if (value._secret) {
      value._secret.grantRead(handler);
    }
    acknowledge(handler.role!, [NagRules.iam5('*')], perms.GENERATE_RANDOM_REASON);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SecureStringParameter',
      properties: {
        Name: name,
        KeyId: key.keyArn,
        Tier: tier,
        Description: props.description,
        Tags: props.tags,
        RemovalPolicy: removalPolicy === RemovalPolicy.DESTROY ? 'destroy' : 'retain',
        Source: value._source,
        OwnershipTags: 'true',
      },
    });

    // The parameters this resource had under earlier names, which the statement above no longer
    // names: a rename copies the value from the old one, and the rollback of a failed update writes
    // the old one again. The handler tags every parameter it creates with the stack id and its
    // logical id, and checks those tags itself before overwriting anything.
    const owned = ownedParameters(handler, ssmActions);
    owned.push((this.resource.node.defaultChild as CfnResource).logicalId);
  }

  /**
   * Lets a principal read the parameter: `ssm:GetParameter` on it, and `kms:Decrypt` through
   * Parameter Store only.
   *
   * @param grantee the principal
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameter', 'ssm:GetParameters'], resourceArns: [this.parameterArn] })
      .combine(this.encryptionKey.grantThroughService(grantee, KeyService.SSM, KeyCapability.DECRYPT));
  }
}

/**
 * The logical ids of the parameters a handler owns, resolved at synth: one id as a string, several as
 * a list. Its JSON (what aws-cdk-lib's statement merging compares conditions by) names the handler
 * and action set: a `Lazy` would be "<unresolved-token>" like every other token, and the merging would
 * then join the statements of different action sets.
 */
class OwnedLogicalIds implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly ids: string[], private readonly identity: string) {}

  public resolve(): string | string[] {
    return this.ids.length === 1 ? this.ids[0] : this.ids;
  }

  public toString(): string {
    return Token.asString(this);
  }

  public toJSON(): string {
    return `<logical ids of the parameters of ${this.identity}>`;
  }
}

/** The logical ids in the statement on the stack's own parameters, per handler and action set. */
const OWNED_PARAMETERS = new WeakMap<lambda.IFunction, Map<string, string[]>>();

/**
 * The list of logical ids the handler's statement on parameters it created names (tags `OWNER_STACK_TAG`
 * and `OWNER_RESOURCE_TAG`): one statement per action set for all SecureStringParameters of the stack,
 * its logical-id condition listing them (within `StringEquals` a key's values are ORed, so this
 * allows exactly what one statement per parameter allowed; tested by simulation).
 */
function ownedParameters(handler: lambda.Function, actions: string[]): string[] {
  const byActions = OWNED_PARAMETERS.get(handler) ?? new Map<string, string[]>();
  OWNED_PARAMETERS.set(handler, byActions);
  const actionsKey = actions.join(',');
  const existing = byActions.get(actionsKey);
  if (existing) return existing;
  const ids: string[] = [];
  byActions.set(actionsKey, ids);
  const stack = Stack.of(handler);
  const anyParameter = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  handler.addToRolePolicy(new iam.PolicyStatement({
    actions,
    resources: [anyParameter],
    conditions: mergeConditions(resourceTag(OWNER_STACK_TAG, Aws.STACK_ID),
      resourceTag(OWNER_RESOURCE_TAG, new OwnedLogicalIds(ids, `${handler.node.path} ${actionsKey}`) as unknown as string)),
  }));
  acknowledge(handler.role!, [NagRules.iam5(nagResource(stack, anyParameter))],
    'Only parameters tagged as created by this stack\'s SecureStringParameter resources (aws:ResourceTag on the stack id '
    + 'and logical id): the names they had before a rename, which a rollback writes again');
  return ids;
}

/**
 * Checks a parameter name with the handler's own rules. The 1011-character limit counts the ARN
 * prefix `arn:<partition>:ssm:<region>:<account>:parameter/`, so it is checked when the stack's
 * Region and account are known; when the partition is not (a token), the longest partition is
 * assumed: a name is then refused only if it could be too long.
 */
function checkName(scope: Construct, name: string): void {
  if (Token.isUnresolved(name)) return;
  const stack = Stack.of(scope);
  let arnPrefix: string | undefined;
  let assumedPartition = false;
  if (!Token.isUnresolved(stack.region) && !Token.isUnresolved(stack.account)) {
    assumedPartition = Token.isUnresolved(stack.partition);
    arnPrefix = parameterArnPrefix(assumedPartition ? longestPartition() : stack.partition, stack.region, stack.account);
  }
  try {
    validateParameterName(name, arnPrefix);
  } catch (err) {
    if (!(err instanceof ParameterNameError)) throw err;
    const note = assumedPartition && err.expectation.includes(arnPrefix!)
      ? ' (the longest partition, as the stack\'s partition is not known at synth)'
      : '';
    invalid('parameterName', `${err.expectation}${note}`, name);
  }
}

/**
 * The longest partition name, e.g. `aws-us-gov`: the upper bound of the ARN prefix. Read again for
 * every parameter, never cached: an app may register a Region of another partition at any time
 * (`Fact.register` is public), and a cached answer would then pass names too long for it. The walk
 * costs about 10 microseconds (46 Regions).
 */
function longestPartition(): string {
  return RegionInfo.regions.map(r => r.partition ?? 'aws').reduce((a, b) => (b.length > a.length ? b : a), 'aws');
}

/** An ARN as cdk-nag names it in a finding id: `Ref`s as `<AWS::Partition>`. */
function nagResource(stack: Stack, arn: string): string {
  const resolved = stack.resolve(arn);
  if (typeof resolved === 'string') return resolved;
  const parts: unknown[] = resolved['Fn::Join'][1];
  return parts.map(p => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join('');
}
