import { Annotations, Arn, ArnFormat, Duration, Expiration, Lazy, Names, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EncryptionKeyBase, IEncryptionKey, KEY_TAG } from './encryption-key-base';
import { ImportedKeyMaterial } from './imported-key-material';
import { IMPORTABLE_SPECS, isSymmetric, resolveKeyUsage } from './key-specs';
import { validateImportedKeyMaterial } from './private/imported-key-material-options';
import { KeyAccess, KeyPolicyMode } from '../policy/key-access';
import { KeyCapability } from '../policy/key-capability';
import { KeyGrants } from '../policy/key-grants';
import { KeyPolicyEngine, validateKeyAccess } from '../policy/key-policy-engine';
import { KeyReferences } from '../policy/key-references';
import { acknowledge } from '../private/acknowledge';
import { NagRules, WarningIds } from '../private/ids';
import * as perms from '../private/perms';
import { fail, invalid, normalizeAliasName, validateDays } from '../private/validation';

/**
 * Key material that the user holds and imports into the key (bring your own key).
 */
export interface ImportedKeyMaterialOptions {
  /**
   * The Secrets Manager secret holding the material: raw bytes as a binary secret, or their base64
   * encoding as a string secret. 32 bytes for SYMMETRIC_DEFAULT, the HMAC key for HMAC specs, a
   * DER PKCS#8 private key for asymmetric specs. The material never appears in the template.
   */
  readonly secret: secretsmanager.ISecret;

  /**
   * The secret version to import. Changing it imports again.
   *
   * @default - the AWSCURRENT version at deploy time
   */
  readonly secretVersionId?: string;

  /**
   * When the imported material expires and KMS deletes it (at most 365 days ahead).
   *
   * @default - the material does not expire
   */
  readonly expiration?: Expiration;
}

/**
 * Properties of an `EncryptionKey`.
 */
export interface EncryptionKeyProps {
  /**
   * A description of the key.
   *
   * @default - 'Managed by cdk-kms-patterns: ' followed by the construct path
   */
  readonly description?: string;

  /**
   * The kind of key.
   *
   * IMPORTANT: changing it replaces the key.
   *
   * @default kms.KeySpec.SYMMETRIC_DEFAULT
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * What the key is for. Each spec allows only some usages.
   *
   * IMPORTANT: changing it replaces the key.
   *
   * @default - ENCRYPT_DECRYPT for symmetric and RSA keys, SIGN_VERIFY for ECC and ML-DSA keys,
   * GENERATE_VERIFY_MAC for HMAC keys
   */
  readonly keyUsage?: kms.KeyUsage;

  /**
   * Whether the key is enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Automatic rotation of the key material. Only symmetric keys with KMS-generated material
   * rotate; asking for it on another key is an error.
   *
   * @default - true for symmetric keys, false for the others
   */
  readonly rotation?: boolean;

  /**
   * How often the key material rotates, 90 to 2560 days.
   *
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;

  /**
   * How long the key waits before deletion once scheduled, 7 to 30 days.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the key when it leaves the stack. DESTROY schedules its deletion (and every
   * piece of data encrypted under it becomes unreadable once deleted).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Aliases for the key; `alias/` is added when missing.
   *
   * @default - none
   */
  readonly aliases?: string[];

  /**
   * Make this a multi-Region primary key, to replicate with `ReplicaKey`.
   *
   * IMPORTANT: changing it replaces the key.
   *
   * @default false
   */
  readonly multiRegion?: boolean;

  /**
   * Import key material instead of letting KMS generate it (Origin EXTERNAL).
   *
   * @default - KMS generates the material
   */
  readonly importedKeyMaterial?: ImportedKeyMaterialOptions;

  /**
   * How the key policy is generated.
   *
   * @default KeyPolicyMode.LEAST_PRIVILEGE
   */
  readonly policyMode?: KeyPolicyMode;

  /**
   * Principals that administer the key: manage its policy, aliases, tags, rotation and deletion,
   * but never use it. Principals of another account get only what KMS honours across accounts.
   *
   * @default - only the stack's deployment role (see `deploymentRoleAdministers`)
   */
  readonly administrators?: iam.IPrincipal[];

  /**
   * Whether the CloudFormation execution role of the stack's synthesizer administers the key, so
   * that later deployments can still update its policy.
   *
   * @default true
   */
  readonly deploymentRoleAdministers?: boolean;

  /**
   * Who may use the key for what.
   *
   * @default - nobody but the grants made later
   */
  readonly access?: KeyAccess[];

  /**
   * Accept statements that other constructs add with `addToResourcePolicy` for the key's whole
   * account without `kms:ViaService` (for example ECS execute command's account root with
   * `kms:*`): any principal of the account whose IAM policy allows it then gets that access. When
   * accepted, they are narrowed to explicit cryptographic actions (administration is never
   * delegated) and warned about; when not, synth fails naming the statement and who asked.
   *
   * @default false
   */
  readonly allowAccountWideStatements?: boolean;
}

/**
 * Attributes of a key created elsewhere.
 */
export interface EncryptionKeyAttributes {
  /**
   * The key spec, if known.
   *
   * @default kms.KeySpec.SYMMETRIC_DEFAULT
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * The key usage, if known.
   *
   * @default - the default usage of the key spec
   */
  readonly keyUsage?: kms.KeyUsage;
}

/**
 * How to look a key up.
 */
export interface EncryptionKeyLookupOptions extends EncryptionKeyAttributes {
  /**
   * The alias to look up; `alias/` is added when missing.
   */
  readonly aliasName: string;
}

/**
 * A customer managed KMS key, safe by default: least-privilege key policy, rotation on for
 * symmetric keys, retained on removal, 30-day deletion window.
 *
 * It implements `kms.IKey`, so it works with every aws-cdk-lib construct that takes an
 * `encryptionKey`.
 */
export class EncryptionKey extends EncryptionKeyBase {
  /**
   * A key created elsewhere, by ARN. Grants write the IAM policy; the key policy cannot be
   * changed from here, so each grant warns with the statement its owner must add.
   *
   * @param scope the scope
   * @param id the construct id
   * @param keyArn the key's ARN
   * @param attributes its spec and usage, when not symmetric
   */
  public static fromKeyArn(scope: Construct, id: string, keyArn: string, attributes: EncryptionKeyAttributes = {}): IEncryptionKey {
    if (!Token.isUnresolved(keyArn) && !/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+$/.test(keyArn)) {
      invalid('keyArn', 'must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>)', keyArn);
    }
    const keySpec = attributes.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    const keyUsage = resolveKeyUsage(keySpec, attributes.keyUsage);
    const parts = Token.isUnresolved(keyArn) ? undefined : Arn.split(keyArn, ArnFormat.SLASH_RESOURCE_NAME);
    return new ImportedEncryptionKey(scope, id, {
      keyArn,
      keyId: parts?.resourceName ?? Arn.split(keyArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!,
      keySpec,
      keyUsage,
      account: parts?.account,
      region: parts?.region,
    });
  }

  /**
   * A key known by its alias. The IAM side of grants names every key of the account and Region
   * and restricts it with `kms:ResourceAliases`; the key policy cannot be changed from here.
   *
   * @param scope the scope
   * @param id the construct id
   * @param aliasName the alias; `alias/` is added when missing
   * @param attributes its spec and usage, when not symmetric
   */
  public static fromAliasName(scope: Construct, id: string, aliasName: string, attributes: EncryptionKeyAttributes = {}): IEncryptionKey {
    const name = normalizeAliasName('aliasName', aliasName);
    const keySpec = attributes.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    const stack = Stack.of(scope);
    return new ImportedEncryptionKey(scope, id, {
      // What services take as the key (S3, EBS, SSM accept an alias ARN); IAM statements name every
      // key of the account and Region restricted by kms:ResourceAliases.
      keyArn: Arn.format({ service: 'kms', resource: name, arnFormat: ArnFormat.NO_RESOURCE_NAME }, stack),
      keyId: name,
      keySpec,
      keyUsage: resolveKeyUsage(keySpec, attributes.keyUsage),
      aliasName: name,
    });
  }

  /**
   * A key looked up at synth time by alias, with the CDK context provider (the result is cached
   * in cdk.context.json; without credentials a dummy key is returned). Same shape as
   * `kms.Key.fromLookup`.
   *
   * @param scope the scope
   * @param id the construct id
   * @param options the alias to look up, and the key's spec and usage when not symmetric
   */
  public static fromLookup(scope: Construct, id: string, options: EncryptionKeyLookupOptions): IEncryptionKey {
    const found = kms.Key.fromLookup(scope, `${id}Lookup`, { aliasName: normalizeAliasName('aliasName', options.aliasName) });
    return EncryptionKey.fromKeyArn(scope, id, found.keyArn, { keySpec: options.keySpec, keyUsage: options.keyUsage });
  }

  /**
   * Grants `kms:GenerateRandom`, the one KMS operation without a key (so its IAM statement names
   * `Resource: *`).
   *
   * @param grantee the principal
   */
  public static grantGenerateRandom(grantee: iam.IGrantable): iam.Grant {
    const scope = grantee.grantPrincipal as unknown as Partial<Construct>;
    if (scope && typeof scope === 'object' && 'node' in scope) {
      acknowledge(scope as Construct, [NagRules.iam5('*')], perms.GENERATE_RANDOM_REASON);
    }
    return iam.Grant.addToPrincipal({ grantee, actions: perms.GENERATE_RANDOM_ACTIONS, resourceArns: ['*'] });
  }

  /** The key's ARN. */
  public readonly keyArn: string;
  /** The key's id. */
  public readonly keyId: string;
  /** The key spec. */
  public readonly keySpec: kms.KeySpec;
  /** The key usage. */
  public readonly keyUsage: kms.KeyUsage;
  /** Whether the key material rotates automatically. */
  public readonly rotationEnabled: boolean;
  /** Whether this is a multi-Region primary key. */
  public readonly multiRegion: boolean;
  /** Whether the key material is imported (Origin EXTERNAL). */
  public readonly importedMaterial: boolean;
  /** How the key policy is generated. */
  public readonly policyMode: KeyPolicyMode;
  /** The underlying CloudFormation resource. */
  public readonly cfnKey: kms.CfnKey;

  /** @internal */
  public readonly _grants: KeyGrants;

  private readonly engine: KeyPolicyEngine;
  private readonly keyTagValue: string;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: EncryptionKeyProps = {}) {
    // Validate everything before the construct joins the tree: nothing is created for bad input.
    const checked = checkProps(props);
    super(scope, id);
    const { keySpec, keyUsage, rotationEnabled, rotationDays, pendingDays, aliases, policyMode } = checked;
    const imported = props.importedKeyMaterial !== undefined;
    const rotatable = isSymmetric(keySpec) && !imported;

    this.engine = new KeyPolicyEngine(this, {
      keySpec,
      keyUsage,
      mode: policyMode,
      deploymentRoleAdministers: props.deploymentRoleAdministers ?? true,
    });
    this.keySpec = keySpec;
    this.keyUsage = keyUsage;
    this.rotationEnabled = rotationEnabled;
    this.multiRegion = props.multiRegion ?? false;
    this.importedMaterial = imported;
    this.policyMode = policyMode;
    this.keyTagValue = Names.uniqueResourceName(this, { maxLength: 200, separator: '/' });
    this._grants = new KeyGrants({
      subject: this,
      document: this.engine.document,
      keyTagValue: () => this.keyTagValue,
      allowAccountWideStatements: props.allowAccountWideStatements,
    });
    this.engine.bind(this._grants);

    this.cfnKey = new kms.CfnKey(this, 'Resource', {
      description: props.description ?? `Managed by cdk-kms-patterns: ${this.node.path}`,
      keySpec,
      keyUsage,
      enabled: props.enabled ?? true,
      enableKeyRotation: rotationEnabled,
      rotationPeriodInDays: rotationEnabled ? rotationDays : undefined,
      pendingWindowInDays: pendingDays,
      multiRegion: props.multiRegion,
      origin: imported ? 'EXTERNAL' : undefined,
      keyPolicy: Lazy.uncachedAny({ produce: () => this.engine.renderForTemplate() }),
    });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.cfnKey.applyRemovalPolicy(removalPolicy);
    if (removalPolicy !== RemovalPolicy.RETAIN) {
      Annotations.of(this).addWarningV2(WarningIds.KEY_REMOVAL_POLICY,
        `removalPolicy is ${removalPolicy}: removing the key from the stack schedules its deletion after ${pendingDays} days, `
        + 'and every piece of data encrypted under it becomes unreadable once it is deleted');
    }
    if (this.policyMode === KeyPolicyMode.AWS_DEFAULT) {
      Annotations.of(this).addWarningV2(WarningIds.AWS_DEFAULT_KEY_POLICY,
        'policyMode is AWS_DEFAULT: the account root gets kms:*, so any principal of the account whose IAM policy allows it can use and administer the key');
    }
    if (props.rotation === false && rotatable) {
      Annotations.of(this).addWarningV2(WarningIds.ROTATION_DISABLED,
        'rotation is off for a symmetric key: its material never changes; enable rotation unless a standard forbids it');
    }
    Tags.of(this).add(KEY_TAG, this.keyTagValue);
    if (!rotatable) {
      const why = imported ? 'its key material is imported' : `it is a ${keySpec} key`;
      acknowledge(this, [NagRules.KMS_ROTATION, ...NagRules.KMS_ROTATION_COMPLIANCE],
        `KMS cannot rotate this key automatically: ${why}; only symmetric keys with KMS-generated material rotate`);
    }

    this.keyArn = this.cfnKey.attrArn;
    this.keyId = this.cfnKey.attrKeyId;
    KeyReferences.of(this).register(this);
    this.engine.report(`${keySpec} / ${keyUsage}${imported ? ' / imported material' : ''}${this.multiRegion ? ' / multi-Region primary' : ''}`,
      rotationEnabled, 'key');

    (props.administrators ?? []).forEach(principal => this.addAdministrator(principal));
    (props.access ?? []).forEach(access => this.addAccess(access));
    aliases.forEach(alias => this.addAlias(alias));

    if (props.importedKeyMaterial) {
      new ImportedKeyMaterial(this, 'KeyMaterial', { key: this, ...props.importedKeyMaterial });
    }
  }

  /**
   * Adds an administrator: manages the key, never uses it.
   *
   * @param principal the principal
   */
  public addAdministrator(principal: iam.IPrincipal): void {
    this.engine.addAdministrator(principal);
  }

  /**
   * Adds a rule of who may use the key for what. Roles and users created in the app in other
   * stacks also get the matching IAM policy.
   *
   * @param access the rule
   */
  public addAccess(access: KeyAccess): void {
    this.engine.addAccess(access);
  }

  /**
   * Lets a principal replicate this multi-Region key (`kms:ReplicateKey`, `kms:DescribeKey`).
   * `ReplicaKey` calls it for its stack's deployment role.
   *
   * @param principalArn the ARN of the principal that creates replicas
   */
  public addAccessForReplication(principalArn: string): void {
    if (!this.multiRegion) {
      fail(`${this.node.path} is not a multi-Region key; create it with multiRegion: true to replicate it`);
    }
    this.engine.addReplicator(principalArn);
  }

  /**
   * The key policy. Reading it renders the policy: grants and access rules added afterwards are
   * refused.
   */
  public get keyPolicy(): iam.PolicyDocument {
    return iam.PolicyDocument.fromJson(this.engine.render());
  }
}

interface CheckedProps {
  readonly keySpec: kms.KeySpec;
  readonly keyUsage: kms.KeyUsage;
  readonly rotationEnabled: boolean;
  readonly rotationDays?: number;
  readonly pendingDays: number;
  readonly aliases: string[];
  readonly policyMode: KeyPolicyMode;
}

/** Every check of EncryptionKeyProps, run before anything is created. */
function checkProps(props: EncryptionKeyProps): CheckedProps {
  const keySpec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
  const keyUsage = resolveKeyUsage(keySpec, props.keyUsage);
  const imported = props.importedKeyMaterial !== undefined;
  if (imported && !IMPORTABLE_SPECS.includes(keySpec)) {
    invalid('keySpec', `cannot be used with importedKeyMaterial; importable specs: ${IMPORTABLE_SPECS.join(', ')}`, keySpec);
  }
  if (props.importedKeyMaterial) {
    validateImportedKeyMaterial('importedKeyMaterial', props.importedKeyMaterial);
  }
  const rotatable = isSymmetric(keySpec) && !imported;
  if (props.rotation === true && !rotatable) {
    fail(`rotation cannot be enabled for ${imported ? 'a key with imported material' : `a ${keySpec} key`}: `
      + 'KMS rotates only symmetric keys with KMS-generated material automatically');
  }
  const rotationEnabled = props.rotation ?? rotatable;
  if (props.rotationPeriod !== undefined && !rotationEnabled) {
    fail('rotationPeriod is set but rotation is off; remove rotationPeriod or enable rotation');
  }
  const rotationDays = validateDays('rotationPeriod', props.rotationPeriod, 90, 2560) ?? (rotationEnabled ? 365 : undefined);
  const pendingDays = validateDays('pendingWindow', props.pendingWindow, 7, 30) ?? 30;
  const aliases = (props.aliases ?? []).map((a, i) => normalizeAliasName(`aliases[${i}]`, a));
  const duplicate = aliases.find((a, i) => aliases.indexOf(a) !== i);
  if (duplicate) {
    invalid('aliases', 'must not repeat an alias', duplicate);
  }
  if (aliases.length > 50) {
    invalid('aliases', 'may hold at most 50 aliases per key (KMS quota)', aliases.length);
  }
  (props.access ?? []).forEach((access, i) => validateKeyAccess(`access[${i}]`, access, keySpec, keyUsage));
  (props.administrators ?? []).forEach((principal, i) => validateKeyAccess(`administrators[${i}]`,
    { capabilities: [KeyCapability.DESCRIBE], principals: [principal] }, keySpec, keyUsage));
  if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.length > 8192) {
    invalid('description', 'must be at most 8192 characters', `${props.description.length} characters`);
  }
  return {
    keySpec,
    keyUsage,
    rotationEnabled,
    rotationDays,
    pendingDays,
    aliases,
    policyMode: props.policyMode ?? KeyPolicyMode.LEAST_PRIVILEGE,
  };
}

interface ImportedEncryptionKeyProps {
  readonly keyArn: string;
  readonly keyId: string;
  readonly keySpec: kms.KeySpec;
  readonly keyUsage: kms.KeyUsage;
  readonly account?: string;
  readonly region?: string;
  readonly aliasName?: string;
}

/**
 * A key this library did not create: grants write IAM policies and warn with the key policy
 * statement the key's owner must add.
 */
class ImportedEncryptionKey extends EncryptionKeyBase {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly keySpec: kms.KeySpec;
  public readonly keyUsage: kms.KeyUsage;
  public readonly _grants: KeyGrants;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: ImportedEncryptionKeyProps) {
    super(scope, id, { account: props.account, region: props.region });
    this.keyArn = props.keyArn;
    this.keyId = props.keyId;
    this.keySpec = props.keySpec;
    this.keyUsage = props.keyUsage;
    this._grants = new KeyGrants({ subject: this, aliasName: props.aliasName });
  }
}
