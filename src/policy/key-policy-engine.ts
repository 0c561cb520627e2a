import { Annotations, Aws, DefaultStackSynthesizer, Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import {
  callerAccount, Conditions, encryptionContext, grantIsForAwsResource, mergeConditions,
  principalArnLike, principalOrgId, principalTags, viaService,
} from './conditions';
import { KeyAccess, KeyPolicyMode } from './key-access';
import { CAPABILITIES, capabilityMismatch, KeyCapability } from './key-capability';
import { estimatePolicySize, KEY_POLICY_MAX_BYTES, KeyPolicyDocument } from './key-policy-document';
import { compareAccounts, keyPolicyPrincipal } from './principals';
import * as perms from '../private/perms';
import { invalid, validateAccountId } from '../private/validation';

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
 * Generates one key's policy from declared roles: administrators, access rules and grants.
 * Shared by `EncryptionKey` and `ReplicaKey`.
 */
export class KeyPolicyEngine {
  /** The document grants write into. */
  public readonly document = new KeyPolicyDocument();
  private readonly administrators: iam.IPrincipal[] = [];
  private rendered?: any;

  constructor(private readonly key: IConstruct, private readonly options: KeyPolicyEngineOptions) {
    key.node.addValidation({ validate: () => this.validate() });
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
   * Adds an access rule. Roles and users of the app that live in other stacks also get the
   * matching IAM policy (KMS needs both when the key policy names them through their account).
   *
   * @param access the rule
   * @param grantIdentity writes the IAM side for a principal
   */
  public addAccess(access: KeyAccess, grantIdentity: (principal: iam.IPrincipal, actions: string[], conditions?: Conditions) => void): void {
    this.assertOpen('addAccess');
    this.validateAccess('access', access);
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
        for (const rendered of keyPolicyPrincipal(principal, this.key)) {
          const crossAccount = rendered.principalType === 'AWS' && compareAccounts(rendered.account, stack.account) === 'DIFFERENT';
          const actions = crossAccountActions(group.actions, crossAccount, `access principal ${principal}`);
          const conditions = mergeConditions(rendered.conditions, group.extra, this.accessConditions(access, rendered.account ?? stack.account));
          this.document.add({
            label: group.label,
            principalType: rendered.principalType,
            principals: rendered.principals,
            principalArns: rendered.principalArns,
            actions,
            conditions,
          });
          if (rendered.needsIdentityPolicy && rendered.principalArns) {
            grantIdentity(principal, actions, mergeConditions(group.extra, this.accessConditions(access, rendered.account ?? stack.account)));
          }
        }
      }
      if ((access.principalArnPatterns ?? []).length > 0) {
        this.document.add({
          label: group.label,
          principalType: '*',
          principals: [],
          actions: group.actions,
          conditions: mergeConditions(group.extra, principalArnLike(access.principalArnPatterns!), this.accessConditions(access, undefined)),
        });
      }
      for (const account of access.accounts ?? []) {
        const crossAccount = compareAccounts(account, stack.account) === 'DIFFERENT';
        this.document.add({
          label: group.label,
          principalType: 'AWS',
          principals: [`arn:${Aws.PARTITION}:iam::${account}:root`],
          actions: crossAccountActions(group.actions, crossAccount, `access account ${account}`),
          conditions: mergeConditions(group.extra, this.accessConditions(access, account)),
        });
      }
    }
  }

  /** The rendered policy document (rendered once, at synth). */
  public render(): any {
    if (this.rendered) return this.rendered;
    this.administratorEntries();
    if (this.options.mode === KeyPolicyMode.AWS_DEFAULT) {
      this.document.add({
        label: 'EnableIamUserPermissions',
        principalType: 'AWS',
        principals: [`arn:${Aws.PARTITION}:iam::${Stack.of(this.key).account}:root`],
        actions: ['kms:*'],
      });
    }
    this.rendered = this.document.render();
    return this.rendered;
  }

  private assertOpen(what: string): void {
    if (this.rendered) {
      throw new Error(`${what} was called on ${this.key.node.path} after its key policy was rendered`);
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
    if (deployRole) {
      principals.push(new iam.ArnPrincipal(deployRole));
    }
    for (const principal of principals) {
      for (const rendered of keyPolicyPrincipal(principal, this.key)) {
        const crossAccount = rendered.principalType === 'AWS' && compareAccounts(rendered.account, stack.account) === 'DIFFERENT';
        const actions = crossAccount
          ? perms.ADMIN_ACTIONS.filter(a => perms.CROSS_ACCOUNT_ACTIONS.includes(a))
          : perms.ADMIN_ACTIONS;
        if (crossAccount) {
          Annotations.of(this.key).addWarningV2('cdk-kms-patterns:crossAccountAdministrator',
            `administrator ${principal} is in account ${rendered.account}: KMS honours only ${actions.join(', ')} across accounts, `
            + 'so it can inspect but not administer the key');
        }
        this.document.add({
          label: crossAccount ? 'InspectFromOtherAccount' : 'Administer',
          principalType: rendered.principalType,
          principals: rendered.principals,
          principalArns: rendered.principalArns,
          actions,
          conditions: rendered.conditions,
        });
      }
    }
  }

  private deploymentRoleArn(): string | undefined {
    if (!this.options.deploymentRoleAdministers) return undefined;
    const synthesizer = Stack.of(this.key).synthesizer;
    if (synthesizer instanceof DefaultStackSynthesizer) {
      // The synthesizer writes ${AWS::Partition} and friends for Fn::Sub.
      return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
    }
    return undefined;
  }

  private validate(): string[] {
    const errors: string[] = [];
    const document = this.render();
    const administered = this.options.mode === KeyPolicyMode.AWS_DEFAULT
      || this.document.allEntries.some(e => e.actions.includes('kms:PutKeyPolicy'))
      || this.document.allStatements.some(s => s.actions.includes('kms:PutKeyPolicy') || s.actions.includes('kms:*'));
    if (!administered) {
      errors.push(`nobody could ever administer key ${this.key.node.path}: declare administrators (the stack's synthesizer has no known `
        + 'CloudFormation execution role, or deploymentRoleAdministers is false), or choose KeyPolicyMode.AWS_DEFAULT');
    }
    const size = estimatePolicySize(Stack.of(this.key), document);
    if (size > KEY_POLICY_MAX_BYTES) {
      errors.push(`the key policy of ${this.key.node.path} is about ${size} bytes, over KMS's limit of ${KEY_POLICY_MAX_BYTES}: `
        + 'match principals by pattern (KeyAccess.principalArnPatterns, e.g. every role under an IAM path) or by tag instead of listing them one by one');
    }
    return errors;
  }
}

function crossAccountActions(actions: string[], crossAccount: boolean, what: string): string[] {
  if (!crossAccount) return actions;
  const refused = actions.filter(a => !perms.CROSS_ACCOUNT_ACTIONS.includes(a));
  if (refused.length > 0) {
    throw new Error(`${what}: KMS does not honour ${refused.join(', ')} across accounts; allowed across accounts: ${perms.CROSS_ACCOUNT_ACTIONS.join(', ')}`);
  }
  return actions;
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
      throw new Error(`${prop}: unknown field '${field}'${hint}; fields: ${KEY_ACCESS_FIELDS.join(', ')}`);
    }
  }
  if (!access.capabilities || access.capabilities.length === 0) {
    invalid(`${prop}.capabilities`, 'must name at least one capability', access.capabilities ?? []);
  }
  const subjects = (access.principals?.length ?? 0) + (access.principalArnPatterns?.length ?? 0) + (access.accounts?.length ?? 0);
  if (subjects === 0) {
    throw new Error(`${prop} must set principals, principalArnPatterns or accounts`);
  }
  for (const pattern of access.principalArnPatterns ?? []) {
    if (!Token.isUnresolved(pattern) && !/^arn:[^:]+:(iam|sts)::\d{12}:.+/.test(pattern)) {
      invalid(`${prop}.principalArnPatterns`, 'must be IAM or STS ARN patterns naming an account (arn:aws:iam::111122223333:role/app/*)', pattern);
    }
  }
  (access.accounts ?? []).forEach(a => validateAccountId(`${prop}.accounts`, a));
  if (access.organizationId !== undefined && !Token.isUnresolved(access.organizationId) && !/^o-[a-z0-9]{10,32}$/.test(access.organizationId)) {
    invalid(`${prop}.organizationId`, 'must be an organization id (o- and 10 to 32 lowercase letters or digits)', access.organizationId);
  }
  if (access.principalTags && Object.keys(access.principalTags).length > 0 && !access.principalArnPatterns?.length && !access.accounts?.length) {
    throw new Error(`${prop}.principalTags needs principalArnPatterns or accounts: tags restrict a group of principals`);
  }
  for (const capability of access.capabilities) {
    if (!CAPABILITIES[capability]) {
      invalid(`${prop}.capabilities`, `must hold KeyCapability values (${Object.values(KeyCapability).join(', ')})`, capability);
    }
    const mismatch = capabilityMismatch(capability, keySpec, keyUsage);
    if (mismatch) {
      throw new Error(`${prop}.capabilities: ${mismatch}`);
    }
  }
  for (const principal of access.principals ?? []) {
    const json = principal.policyFragment.principalJson;
    if ((json.AWS ?? []).includes('*')) {
      throw new Error(`${prop}.principals: principal '*' (AnyPrincipal) is not allowed; name the principals, or use principalArnPatterns or accounts`);
    }
    for (const other of ['Federated', 'CanonicalUser']) {
      if ((json[other] ?? []).length > 0) {
        throw new Error(`${prop}.principals: a principal of type ${other} cannot be used in a key policy; use an IAM role or user`);
      }
    }
  }
}
