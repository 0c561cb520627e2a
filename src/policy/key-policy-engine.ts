import { Annotations, Aws, DefaultStackSynthesizer, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import {
  callerAccount, Conditions, encryptionContext, grantIsForAwsResource, mergeConditions,
  principalAccount, principalArnLike, principalOrgId, principalTags, throughAnyService, viaService,
} from './conditions';
import { KeyAccess, KeyPolicyMode } from './key-access';
import { KeyCapability } from './key-capability';
import { KeyGrants } from './key-grants';
import { estimateResolvedPolicySize, KEY_POLICY_MAX_BYTES, KeyPolicyDocument, withPartitionWrittenOut } from './key-policy-document';
import { checkKeyPolicyPrincipal, comparableArn, compareAccounts } from './principals';
import { KeyAccessReportRegistry } from '../compliance/key-access-report';
import { CAPABILITIES, capabilityMismatch } from '../private/capabilities';
import { deploymentRoleArn } from '../private/deployer';
import { WarningIds } from '../private/ids';
import * as perms from '../private/perms';
import { fail, invalid, validateAccountId } from '../private/validation';

/**
 * Options of the key policy engine.
 */
export interface KeyPolicyEngineOptions {
  /** The key spec, to check capabilities against. */
  readonly keySpec: kms.KeySpec;
  /** The key usage, to check capabilities against. */
  readonly keyUsage: kms.KeyUsage;
  /** How the policy is generated. */
  readonly mode: KeyPolicyMode;
  /** Whether the synthesizer's CloudFormation execution role administers the key. */
  readonly deploymentRoleAdministers: boolean;
}

/**
 * Generates one key's policy from declared roles: administrators, access rules and grants, all
 * written through the key's `KeyGrants`. Shared by `EncryptionKey` and `ReplicaKey`.
 */
export class KeyPolicyEngine {
  /** The document grants write into. */
  public readonly document = new KeyPolicyDocument();
  private readonly administrators: iam.IPrincipal[] = [];
  private rendered?: any;
  private resolvedForTemplate?: any;
  private grants?: KeyGrants;

  constructor(private readonly key: IConstruct, private readonly options: KeyPolicyEngineOptions) {
    key.node.addValidation({ validate: () => this.validate() });
  }

  /** Connects the engine to the key's grant path (once the key exists). */
  public bind(grants: KeyGrants): void {
    this.grants = grants;
  }

  /**
   * Lists the key in the key access report, with this engine's policy.
   *
   * @param kind the key's kind, e.g. `SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT`
   */
  public report(kind: string, rotates: boolean, role: 'key' | 'replica'): void {
    KeyAccessReportRegistry.of(this.key).addKey({
      construct: this.key,
      kind,
      rotates,
      role,
      entries: () => this.document.mergedEntries(),
      statements: () => this.document.allStatements.map(st => st.toStatementJson()),
    });
  }

  /** Adds an administrator. */
  public addAdministrator(principal: iam.IPrincipal): void {
    this.assertOpen('addAdministrator');
    this.administrators.push(principal);
  }

  /**
   * Checks an access rule without adding it.
   *
   * @param prop the prop name for error messages
   */
  public validateAccess(prop: string, access: KeyAccess): void {
    validateKeyAccess(prop, access, this.options.keySpec, this.options.keyUsage);
  }

  /**
   * Adds an access rule through the key's grant path. Roles and users of the app that live in
   * other stacks also get the matching IAM policy (KMS needs both when the key policy names them
   * through their account).
   *
   * @param access the rule
   */
  public addAccess(access: KeyAccess): void {
    this.assertOpen('addAccess');
    this.validateAccess('access', access);
    const grants = this.bound();
    const stack = Stack.of(this.key);
    const plain = access.capabilities.filter(c => c !== KeyCapability.GRANT_FOR_AWS_RESOURCE);
    const groups: Array<{ actions: string[]; extra?: Conditions; label: string }> = [];
    if (plain.length > 0) {
      groups.push({ actions: [...new Set(plain.flatMap(c => CAPABILITIES[c].actions))].sort(), label: 'Use' });
    }
    if (access.capabilities.includes(KeyCapability.GRANT_FOR_AWS_RESOURCE)) {
      groups.push({ actions: CAPABILITIES[KeyCapability.GRANT_FOR_AWS_RESOURCE].actions, extra: grantIsForAwsResource(), label: 'GrantsForAwsResources' });
    }
    for (const group of groups) {
      for (const principal of access.principals ?? []) {
        const account = principal.principalAccount ?? accountOfPrincipalArn(principal) ?? stack.account;
        grants.grantAccess(principal, group.actions, mergeConditions(group.extra, this.accessConditions(access, account)), group.label);
      }
      // ARN patterns: the account root of each pattern's account, restricted to the matching
      // principals (aws:PrincipalArn) of that account (aws:PrincipalAccount). The principals' IAM
      // policies must allow the actions too.
      for (const [account, patterns] of patternsByAccount(access.principalArnPatterns ?? [])) {
        grants.addEntries('access', [{
          label: group.label,
          principalType: 'AWS',
          principals: [`arn:${Aws.PARTITION}:iam::${account}:root`],
          actions: group.actions,
          conditions: mergeConditions(group.extra, principalArnLike(patterns), principalAccount([account]), this.accessConditions(access, account)),
        }]);
      }
      for (const account of access.accounts ?? []) {
        grants.addEntries('access', [{
          label: group.label,
          principalType: 'AWS',
          principals: [`arn:${Aws.PARTITION}:iam::${account}:root`],
          actions: group.actions,
          conditions: mergeConditions(group.extra, this.accessConditions(access, account)),
        }]);
      }
    }
  }

  /**
   * Lets a principal replicate this multi-Region key.
   *
   * @param principalArn who replicates (the replica stack's deployment role)
   */
  public addReplicator(principalArn: string): void {
    this.bound().addEntries('replication', [{
      label: 'Replicate',
      principalType: 'AWS',
      principals: [principalArn],
      actions: perms.REPLICATE_ACTIONS,
    }], { administrative: true });
  }

  /** The rendered policy document (rendered once, at synth). */
  public render(): any {
    if (this.rendered) return this.rendered;
    this.administratorEntries();
    if (this.options.mode === KeyPolicyMode.AWS_DEFAULT) {
      this.bound().addEntries('policyMode', [{
        label: 'EnableIamUserPermissions',
        principalType: 'AWS',
        principals: [`arn:${Aws.PARTITION}:iam::${Stack.of(this.key).account}:root`],
        actions: [perms.ALL_ACTIONS_WILDCARD],
      }], { administrative: true });
    }
    this.rendered = this.document.render();
    this.document.seal(`the key policy of ${this.key.node.path} was already rendered (at synth, or by reading keyPolicy)`);
    return this.rendered;
  }

  /**
   * The policy as the template holds it: resolved once, when the key is validated (the size check
   * measures exactly this), with the partition written out where the stack's Region tells it.
   * Before validation (aws-cdk-lib reads every template while preparing the app) it is `render()`.
   */
  public renderForTemplate(): any {
    return this.resolvedForTemplate ?? this.render();
  }

  private resolveForTemplate(): any {
    if (this.resolvedForTemplate === undefined) {
      const stack = Stack.of(this.key);
      this.resolvedForTemplate = withPartitionWrittenOut(stack, stack.resolve(this.render()));
    }
    return this.resolvedForTemplate;
  }

  private bound(): KeyGrants {
    if (!this.grants) {
      fail(`the key policy engine of ${this.key.node.path} is not bound to its key`);
    }
    return this.grants;
  }

  private assertOpen(what: string): void {
    if (this.rendered) {
      fail(`${what} was called on ${this.key.node.path} after its key policy was rendered`);
    }
  }

  private accessConditions(access: KeyAccess, account: string | undefined): Conditions {
    const stack = Stack.of(this.key);
    const parts: Conditions[] = [];
    if (access.viaServices && access.viaServices.length > 0) {
      parts.push(viaService(access.viaServices.map(s => s.viaService(stack.region))));
      parts.push(callerAccount([account ?? stack.account]));
    }
    if (access.principalTags && Object.keys(access.principalTags).length > 0) {
      parts.push(principalTags(access.principalTags));
    }
    if (access.organizationId) {
      parts.push(principalOrgId(access.organizationId));
    }
    if (access.encryptionContext && Object.keys(access.encryptionContext).length > 0) {
      parts.push(encryptionContext(access.encryptionContext));
    }
    return mergeConditions(...parts);
  }

  /** Adds the administrator statements, the deployment role included. */
  private administratorEntries(): void {
    const stack = Stack.of(this.key);
    const principals: iam.IPrincipal[] = [...this.administrators];
    const deployRole = this.deploymentRoleArn();
    if (deployRole && this.options.deploymentRoleAdministers) {
      principals.push(new iam.ArnPrincipal(deployRole));
    }
    if (deployRole && this.options.deploymentRoleAdministers && this.options.keySpec === kms.KeySpec.SYMMETRIC_DEFAULT) {
      // CloudFormation creates the resources encrypted with the key as this role: the services call
      // KMS on its behalf (and create grants for the new resources). Through AWS services only; the
      // role administers the key already, so this adds no power it could not give itself.
      this.bound().addEntries('deployment', [{
        label: 'DeployEncryptedResources',
        principalType: 'AWS',
        principals: [deployRole],
        actions: perms.DEPLOY_THROUGH_SERVICE_ACTIONS,
        conditions: mergeConditions(throughAnyService(), callerAccount([stack.account])),
      }], { grantLabel: 'DeployEncryptedResourcesGrants' });
    }
    for (const principal of principals) {
      const account = principal.principalAccount ?? accountOfPrincipalArn(principal);
      const crossAccount = compareAccounts(account, stack.account) === 'DIFFERENT';
      const actions = crossAccount
        ? perms.ADMIN_ACTIONS.filter(a => perms.CROSS_ACCOUNT_ACTIONS.includes(a))
        : perms.ADMIN_ACTIONS;
      if (crossAccount) {
        Annotations.of(this.key).addWarningV2(WarningIds.CROSS_ACCOUNT_ADMINISTRATOR,
          `administrator ${principal} is in account ${account}: KMS honours only ${actions.join(', ')} across accounts, `
          + 'so it can inspect but not administer the key');
      }
      this.bound().addAdministrator(principal, actions, crossAccount ? 'InspectFromOtherAccount' : 'Administer');
    }
  }

  /** The CloudFormation execution role of the stack's synthesizer, when it is known. */
  private deploymentRoleArn(): string | undefined {
    return deploymentRoleArn(this.key);
  }

  private validate(): string[] {
    const errors: string[] = [];
    const stack = Stack.of(this.key);
    this.render();
    const administered = this.options.mode === KeyPolicyMode.AWS_DEFAULT
      || this.document.allEntries.some(e => e.actions.includes(perms.PUT_KEY_POLICY_ACTION))
      || this.document.allStatements.some(s => s.actions.includes(perms.PUT_KEY_POLICY_ACTION) || s.actions.includes(perms.ALL_ACTIONS_WILDCARD));
    if (!administered) {
      errors.push(`nobody could ever administer key ${this.key.node.path}: declare administrators (the stack's synthesizer has no known `
        + 'CloudFormation execution role, or deploymentRoleAdministers is false), or choose KeyPolicyMode.AWS_DEFAULT');
    }
    // KMS's lockout safety check: CreateKey (and PutKeyPolicy) fail unless the new policy lets the
    // principal that makes the call, the stack's CloudFormation execution role, call PutKeyPolicy.
    const deployRole = this.deploymentRoleArn();
    if (administered && this.options.mode !== KeyPolicyMode.AWS_DEFAULT && (deployRole === undefined || !this.options.deploymentRoleAdministers)) {
      if (deployRole === undefined) {
        Annotations.of(this.key).addWarningV2(WarningIds.LOCKOUT_UNPROVEN,
          `the principal that deploys ${stack.stackName} is not known (custom synthesizer): KMS refuses to create the key unless that `
          + 'principal may call kms:PutKeyPolicy under the new policy; make sure it is among the administrators');
      } else {
        const wanted = comparableArn(stack, deployRole);
        const deployerAdministers = this.administrators.some(p => comparableArn(stack, principalArnOf(p)) === wanted);
        if (!deployerAdministers) {
          errors.push(`KMS would refuse to create key ${this.key.node.path}: its lockout safety check requires the principal that creates `
            + `it, the CloudFormation execution role ${(stack.synthesizer as DefaultStackSynthesizer).cloudFormationExecutionRoleArn}, `
            + 'to be allowed kms:PutKeyPolicy by the new policy, and deploymentRoleAdministers is false; set deploymentRoleAdministers '
            + 'to true, or add that role to administrators');
        }
      }
    }
    const size = estimateResolvedPolicySize(stack, this.resolveForTemplate());
    if (size > KEY_POLICY_MAX_BYTES) {
      errors.push(`the key policy of ${this.key.node.path} is about ${size} bytes, over KMS's limit of ${KEY_POLICY_MAX_BYTES}: `
        + 'match principals by pattern (KeyAccess.principalArnPatterns, e.g. every role under an IAM path) or by tag instead of listing them one by one');
    }
    return errors;
  }
}

/** The ARN an `ArnPrincipal` (or a role, user) stands for, if any. */
function principalArnOf(principal: iam.IPrincipal): string | undefined {
  const aws = principal.policyFragment.principalJson.AWS;
  return aws && aws.length === 1 ? aws[0] : undefined;
}

/** The account in a principal's ARN (`arn:aws:iam::<account>:...`), when literal. */
function accountOfPrincipalArn(principal: iam.IPrincipal): string | undefined {
  const arn = principalArnOf(principal);
  return arn ? /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] : undefined;
}

/**
 * ARN patterns grouped by the account they name (a literal, or a token such as `Aws.ACCOUNT_ID`).
 */
function patternsByAccount(patterns: string[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const pattern of patterns) {
    const account = /^arn:[^:]+:iam::([^:]+):/.exec(pattern)![1];
    result.set(account, [...(result.get(account) ?? []), pattern]);
  }
  return result;
}

/** The fields of `KeyAccess`. */
const KEY_ACCESS_FIELDS = [
  'capabilities', 'principals', 'principalArnPatterns', 'principalTags', 'accounts', 'organizationId', 'viaServices', 'encryptionContext',
];

/**
 * Checks an access rule against a key's spec and usage; throws a message naming the prop.
 */
export function validateKeyAccess(prop: string, access: KeyAccess, keySpec: kms.KeySpec, keyUsage: kms.KeyUsage): void {
  // A Python dict inside a list reaches here with its snake_case keys: refuse what is not a field
  // rather than silently drop a restriction such as via_services.
  for (const field of Object.keys(access)) {
    if (!KEY_ACCESS_FIELDS.includes(field)) {
      const camel = field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint = KEY_ACCESS_FIELDS.includes(camel) ? ` (did you mean ${camel}? In Python, pass KeyAccess(...) objects, not dicts)` : '';
      fail(`${prop}: unknown field '${field}'${hint}; fields: ${KEY_ACCESS_FIELDS.join(', ')}`);
    }
  }
  if (!access.capabilities || access.capabilities.length === 0) {
    invalid(`${prop}.capabilities`, 'must name at least one capability', access.capabilities ?? []);
  }
  const subjects = (access.principals?.length ?? 0) + (access.principalArnPatterns?.length ?? 0) + (access.accounts?.length ?? 0);
  if (subjects === 0) {
    fail(`${prop} must set principals, principalArnPatterns or accounts`);
  }
  for (const pattern of access.principalArnPatterns ?? []) {
    if (/^arn:[^:]+:sts::/.test(pattern)) {
      invalid(`${prop}.principalArnPatterns`, 'must be IAM ARN patterns: aws:PrincipalArn of a role session is the role\'s ARN '
        + '(arn:aws:iam::<account>:role/<path><name>), so an sts assumed-role pattern never matches', pattern);
    }
    const account = /^arn:[^:]+:iam::([^:]+):.+/.exec(pattern)?.[1];
    if (account === undefined || !(/^\d{12}$/.test(account) || /^\$\{Token\[[^\]]+\]\}$/.test(account))) {
      invalid(`${prop}.principalArnPatterns`, 'must be IAM ARN patterns naming an account, literally or as one token such as Aws.ACCOUNT_ID '
        + '(arn:aws:iam::111122223333:role/app/*)', pattern);
    }
  }
  (access.accounts ?? []).forEach(a => validateAccountId(`${prop}.accounts`, a));
  if (access.organizationId !== undefined && !Token.isUnresolved(access.organizationId) && !/^o-[a-z0-9]{10,32}$/.test(access.organizationId)) {
    invalid(`${prop}.organizationId`, 'must be an organization id (o- and 10 to 32 lowercase letters or digits)', access.organizationId);
  }
  if (access.principalTags && Object.keys(access.principalTags).length > 0 && !access.principalArnPatterns?.length && !access.accounts?.length) {
    fail(`${prop}.principalTags needs principalArnPatterns or accounts: tags restrict a group of principals`);
  }
  for (const capability of access.capabilities) {
    if (!CAPABILITIES[capability]) {
      invalid(`${prop}.capabilities`, `must hold KeyCapability values (${Object.values(KeyCapability).join(', ')})`, capability);
    }
    const mismatch = capabilityMismatch(capability, keySpec, keyUsage);
    if (mismatch) {
      fail(`${prop}.capabilities: ${mismatch}`);
    }
  }
  for (const principal of access.principals ?? []) {
    try {
      checkKeyPolicyPrincipal(principal);
    } catch (e) {
      fail(`${prop}.principals: ${(e as Error).message}`);
    }
  }
}
