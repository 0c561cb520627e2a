import { Annotations, Aws, CfnElement, CfnResource, Names, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { Conditions } from './conditions';
import { WarningIds } from '../private/ids';
import { fail } from '../private/validation';

/**
 * How one principal appears in a key policy.
 */
export interface KeyPolicyPrincipal {
  /** `AWS` or `Service`. */
  readonly principalType: 'AWS' | 'Service';
  /** What goes in the `Principal` element. */
  readonly principals: string[];
  /** When set, the principals are account roots restricted to these ARNs with `aws:PrincipalArn`. */
  readonly principalArns?: string[];
  /** Conditions the principal carries (e.g. `OrganizationPrincipal`). */
  readonly conditions?: Conditions;
  /** The principal's account, when known (a literal or a pseudo-parameter token). */
  readonly account?: string;
  /** True when KMS also needs an IAM policy in the principal's account for access to work. */
  readonly needsIdentityPolicy: boolean;
  /** True when the principal is a whole account (its root), delegating to that account's IAM. */
  readonly accountRoot?: boolean;
}

const ROLE = 'AWS::IAM::Role';
const USER = 'AWS::IAM::User';
const GROUP = 'AWS::IAM::Group';

/**
 * Renders a principal for the key policy of a key in `keyScope`.
 *
 * - Account roots, literal ARNs and principals of the key's own stack: named in `Principal`.
 * - Roles and users created in another stack: the account root in `Principal`, restricted with
 *   `aws:PrincipalArn` to the role's ARN, written as a literal (the role gets a deterministic
 *   name if it had none). So the key's stack never depends on the grantee's stack (no circular
 *   dependency), and KMS does not reject the policy when the role does not exist yet.
 */
export function keyPolicyPrincipal(principal: iam.IPrincipal, keyScope: IConstruct): KeyPolicyPrincipal[] {
  const fragment = principal.policyFragment;
  const conditions = fragment.conditions && Object.keys(fragment.conditions).length > 0 ? fragment.conditions as Conditions : undefined;
  const result: KeyPolicyPrincipal[] = [];
  const keyStack = Stack.of(keyScope);
  const json = fragment.principalJson;

  for (const service of json.Service ?? []) {
    result.push({ principalType: 'Service', principals: [service], conditions, needsIdentityPolicy: false });
  }
  checkKeyPolicyPrincipal(principal);
  for (const arn of json.AWS ?? []) {
    const account = principalAccount(unwrap(principal), arn, keyStack);
    const cfn = iamResourceOf(unwrap(principal));
    if (cfn && Stack.of(cfn) !== keyStack) {
      const literalArn = ensureLiteralArn(cfn);
      const principalStack = Stack.of(cfn);
      result.push({
        principalType: 'AWS',
        principals: [`arn:${Aws.PARTITION}:iam::${principalStack.account}:root`],
        principalArns: [literalArn],
        conditions,
        account: principalStack.account,
        needsIdentityPolicy: true,
      });
      continue;
    }
    if (cfn || !referencesOtherStacks(keyStack, arn)) {
      const accountRoot = !cfn && isAccountRoot(keyStack, arn);
      result.push({ principalType: 'AWS', principals: [arn], conditions, account, needsIdentityPolicy: accountRoot, accountRoot });
      continue;
    }
    Annotations.of(keyScope).addWarningV2(WarningIds.PRINCIPAL_REFERENCE,
      `principal ${principal.toString()} lives in another stack and is not an IAM role or user created in this app; `
      + 'the key policy references it directly, which makes the key\'s stack depend on the principal\'s stack');
    result.push({ principalType: 'AWS', principals: [arn], conditions, account, needsIdentityPolicy: false });
  }
  return result;
}

/**
 * Throws for a principal KMS rejects in a key policy, before anything is written: `*`, IAM groups,
 * wildcard ARNs, federated and canonical-user principals.
 */
export function checkKeyPolicyPrincipal(principal: iam.IPrincipal): void {
  const json = principal.policyFragment.principalJson;
  for (const other of ['Federated', 'CanonicalUser']) {
    if ((json[other] ?? []).length > 0) {
      fail(`principal of type ${other} cannot be used in a key policy; use an IAM role or user`);
    }
  }
  const construct = unwrap(principal) as unknown as IConstruct;
  const child = construct && typeof construct === 'object' && 'node' in construct ? construct.node.defaultChild : undefined;
  if (child && CfnResource.isCfnResource(child) && child.cfnResourceType === GROUP) {
    fail(`principal ${construct.node.path} is an IAM group, which a key policy cannot name (KMS rejects it): grant the `
      + 'group\'s roles or users, or use KeyAccess.principalArnPatterns with an IAM policy on the group');
  }
  for (const arn of json.AWS ?? []) {
    if (arn === '*') {
      fail('principal \'*\' (AnyPrincipal) is not allowed; name the principals, or use principalArnPatterns or accounts');
    }
    if (Token.isUnresolved(arn)) continue;
    if (/^arn:[^:]+:iam::[^:]*:group\//.test(arn)) {
      fail(`principal ${arn} is an IAM group, which a key policy cannot name (KMS rejects it): grant the group's roles or users, `
        + 'or use KeyAccess.principalArnPatterns with an IAM policy on the group');
    }
    if (/[*?]/.test(arn)) {
      fail(`principal ${arn} has a wildcard, which KMS rejects in a key policy principal: name the principals, or match them `
        + 'with KeyAccess.principalArnPatterns (aws:PrincipalArn) or grant whole accounts with KeyAccess.accounts');
    }
  }
}

/**
 * The account of a principal, as a literal or token, if it can be known. `Aws.ACCOUNT_ID` in a key
 * policy is the key's own account.
 */
function principalAccount(principal: iam.IPrincipal, arn: string, keyStack: Stack): string | undefined {
  if (principal.principalAccount) {
    const resolved = keyStack.resolve(principal.principalAccount);
    if (typeof resolved === 'string') return resolved;
    return resolved && typeof resolved === 'object' && resolved.Ref === 'AWS::AccountId' ? keyStack.account : principal.principalAccount;
  }
  // Tokens in the partition alone leave the account readable.
  const match = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn);
  if (match) return match[1];
  if (/^\d{12}$/.test(arn)) return arn;
  return undefined;
}

/**
 * The principal a wrapper (`PrincipalWithConditions`, `kms.ViaServicePrincipal`, ...) stands for.
 */
function unwrap(principal: iam.IPrincipal): iam.IPrincipal {
  let current: any = principal;
  for (let depth = 0; depth < 5; depth++) {
    const inner = current?.wrapped ?? current?.basePrincipal;
    if (!inner || typeof inner !== 'object' || !('policyFragment' in inner)) break;
    current = inner;
  }
  return current as iam.IPrincipal;
}

/** True when the value references a resource that is not in `stack`. */
export function referencesOtherStacks(stack: Stack, value: string): boolean {
  if (!Token.isUnresolved(value)) {
    return false;
  }
  const ids = new Set<string>();
  collectLogicalIds(stack.resolve(value), ids);
  if (ids.size === 0) {
    return false;
  }
  let own = OWN_LOGICAL_IDS.get(stack);
  if (!own || [...ids].some(id => !own!.has(id))) {
    // Built once per stack; built again only when an id is missing (an element added since).
    own = ownLogicalIds(stack);
    OWN_LOGICAL_IDS.set(stack, own);
  }
  return [...ids].some(id => !own!.has(id));
}

/** The logical ids of a stack's own elements, per stack. */
const OWN_LOGICAL_IDS = new WeakMap<Stack, Set<string>>();

function ownLogicalIds(stack: Stack): Set<string> {
  const own = new Set<string>();
  for (const construct of stack.node.findAll()) {
    if (CfnElement.isCfnElement(construct) && Stack.of(construct) === stack) {
      own.add(stack.resolve(construct.logicalId));
    }
  }
  return own;
}

function collectLogicalIds(value: any, ids: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach(v => collectLogicalIds(v, ids));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') {
        if (!v.startsWith('AWS::')) ids.add(v);
      } else if (k === 'Fn::GetAtt' && Array.isArray(v)) {
        ids.add(String(v[0]));
      } else if (k === 'Fn::ImportValue') {
        ids.add(`import:${JSON.stringify(v)}`);
      } else {
        collectLogicalIds(v, ids);
      }
    }
  }
}

/** True when the value references a resource (not only literals and pseudo parameters). */
export function referencesResources(stack: Stack, value: string): boolean {
  if (!Token.isUnresolved(value)) {
    return false;
  }
  return containsReference(stack.resolve(value));
}

function containsReference(value: any): boolean {
  if (Array.isArray(value)) {
    return value.some(containsReference);
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string' && v.startsWith('AWS::')) continue;
      if (k === 'Ref' || k === 'Fn::GetAtt' || k === 'Fn::ImportValue') return true;
      if (containsReference(v)) return true;
    }
  }
  return false;
}

function isAccountRoot(stack: Stack, arn: string): boolean {
  if (arn.endsWith(':root')) return true;
  const resolved = stack.resolve(arn);
  return typeof resolved === 'string' ? resolved.endsWith(':root') : JSON.stringify(resolved).endsWith(':root"]]}');
}

/** The CfnRole or CfnUser behind a principal created in this app, if any. */
export function iamResourceOf(principal: iam.IPrincipal): CfnResource | undefined {
  const construct = principal as unknown as IConstruct;
  if (!construct || typeof construct !== 'object' || !('node' in construct) || !Construct.isConstruct(construct)) {
    return undefined;
  }
  const child = construct.node.defaultChild;
  if (child && CfnResource.isCfnResource(child) && (child.cfnResourceType === ROLE || child.cfnResourceType === USER)) {
    return child;
  }
  return undefined;
}

/**
 * The ARN of a role or user as a string that references no resource: the resource gets a
 * deterministic physical name when it has none.
 */
export function ensureLiteralArn(cfn: CfnResource): string {
  const stack = Stack.of(cfn);
  const isRole = cfn.cfnResourceType === ROLE;
  const nameProp = isRole ? 'roleName' : 'userName';
  const props = cfn as unknown as Record<string, any>;
  const declared = props[nameProp];
  // Constructs pass their (lazy) physical name: a token that resolves to undefined when unnamed.
  const resolved = declared === undefined ? undefined : stack.resolve(declared);
  let name: string | undefined = typeof resolved === 'string' ? declared : undefined;
  if (resolved === undefined) {
    // IAM names are global to the account: the Region keeps copies of one stack in several Regions apart.
    name = `${Names.uniqueResourceName(cfn.node.scope ?? cfn, { maxLength: 48, separator: '-' })}-${stack.region}`;
    props[nameProp] = name;
    Annotations.of(cfn.node.scope ?? cfn).addInfo(
      `cdk-kms-patterns gave this ${isRole ? 'role' : 'user'} the name '${name}' so that a key in another stack can name it `
      + 'in its key policy without a circular dependency; setting a name replaces an existing resource once');
  } else if (name === undefined || referencesResources(stack, name)) {
    fail(`the ${isRole ? 'role' : 'user'} ${cfn.node.path} has a name that references other resources; give it a literal name to grant it a key in another stack`);
  }
  const path: string = props.path ?? '/';
  return `arn:${Aws.PARTITION}:iam::${stack.account}:${isRole ? 'role' : 'user'}${path}${name}`;
}

/**
 * An ARN as one comparable string: intrinsics resolved in `stack`, the partition written `aws`.
 */
export function comparableArn(stack: Stack, value: string | undefined): string {
  return flatten(stack.resolve(value));
}

function flatten(value: any): string {
  if (typeof value === 'string') return value.replace(/\$\{AWS::Partition\}/g, 'aws');
  if (value && typeof value === 'object') {
    if (value.Ref === 'AWS::Partition') return 'aws';
    if (typeof value.Ref === 'string' && value.Ref.startsWith('AWS::')) return `\${${value.Ref}}`;
    if (typeof value['Fn::Sub'] === 'string') return flatten(value['Fn::Sub']);
    if (Array.isArray(value['Fn::Join'])) return (value['Fn::Join'][1] as any[]).map(flatten).join(value['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}

/**
 * Whether two account values are the same account: SAME, DIFFERENT, or UNKNOWN when one is a
 * token that cannot be compared.
 */
export function compareAccounts(a: string | undefined, b: string | undefined): 'SAME' | 'DIFFERENT' | 'UNKNOWN' {
  if (a === undefined || b === undefined) return 'UNKNOWN';
  const cmp = Token.compareStrings(a, b);
  if (cmp === TokenComparison.SAME) return 'SAME';
  if (cmp === TokenComparison.DIFFERENT) return 'DIFFERENT';
  if (cmp === TokenComparison.BOTH_UNRESOLVED && a === b) return 'SAME';
  return 'UNKNOWN';
}
