import { CfnDeletionPolicy, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { parseKeyPolicy, ParsedEntry, ParsedKeyPolicy } from './policy-parser';
import { Conditions } from '../policy/conditions';
import * as perms from '../private/perms';

/**
 * What the KmsChecks rules share: reading a resource as CloudFormation will see it (escape hatches
 * included), turning intrinsics in ARNs into what they stand for where the stack knows it, and
 * evaluating who a key policy statement lets in. Never exported from the package.
 */

/** Thresholds of the pack, resolved to plain numbers. */
export interface KmsRuleOptions {
  /** A symmetric key must rotate at least this often (days). */
  readonly maxRotationDays: number;
  /** The pending window must be at least this long (days). */
  readonly minPendingWindowDays: number;
  /** A key policy over this fraction of KMS's 32 KB limit is reported (0 to 1). */
  readonly policySizeRatio: number;
  /** Words that make an SSM String parameter look like a secret (regular expressions, case-insensitive). */
  readonly secretWords: string[];
}

/** A resource as CloudFormation sees it. */
export interface ResolvedResource {
  readonly type: string;
  readonly logicalId: string;
  readonly properties: any;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
}

/**
 * Reads the resource with its overrides, intrinsics resolved as far as the stack resolves them.
 * Falls back to the typed properties when the resource cannot be rendered.
 */
export function resolveResource(node: CfnResource): ResolvedResource {
  const stack = Stack.of(node);
  const logicalId = stack.resolve(node.logicalId);
  try {
    const rendered = stack.resolve((node as any)._toCloudFormation());
    const body = rendered?.Resources?.[logicalId] ?? Object.values<any>(rendered?.Resources ?? {})[0] ?? {};
    return {
      type: node.cfnResourceType,
      logicalId,
      properties: body.Properties ?? {},
      deletionPolicy: body.DeletionPolicy,
      updateReplacePolicy: body.UpdateReplacePolicy,
    };
  } catch {
    return {
      type: node.cfnResourceType,
      logicalId,
      properties: stack.resolve((node as any)._cfnProperties ?? {}),
      deletionPolicy: deletionPolicyName(node.cfnOptions.deletionPolicy),
      updateReplacePolicy: deletionPolicyName(node.cfnOptions.updateReplacePolicy),
    };
  }
}

function deletionPolicyName(policy: CfnDeletionPolicy | undefined): string | undefined {
  return policy === undefined ? undefined : String(policy);
}

/** The marker an account that is the stack's own (`AWS::AccountId` of an environment-agnostic stack) becomes. */
export const OWN_ACCOUNT = '<own account>';
/** The marker for a part of a value the stack cannot tell. */
export const UNKNOWN = '<unknown>';

const typesOfStack = new WeakMap<Stack, Map<string, string>>();

/** The CloudFormation type of a resource of the stack, by logical id. */
function typeOfLogicalId(stack: Stack, logicalId: string): string | undefined {
  let types = typesOfStack.get(stack);
  if (!types) {
    types = new Map();
    for (const child of stack.node.findAll()) {
      if (CfnResource.isCfnResource(child) && Stack.of(child) === stack) {
        types.set(stack.resolve(child.logicalId), child.cfnResourceType);
      }
    }
    typesOfStack.set(stack, types);
  }
  return types.get(logicalId);
}

/** The stack's account, or {@link OWN_ACCOUNT} when it is not known at synth. */
export function stackAccount(stack: Stack): string {
  return Token.isUnresolved(stack.account) ? OWN_ACCOUNT : stack.account;
}

/**
 * A value as a string: literal strings as they are; `Fn::Join`, `Fn::Sub` and pseudo parameters put
 * together with what the stack knows (partition `aws` when unknown, the stack's account and Region);
 * `Fn::GetAtt <Role|User>.Arn` of the same stack as `arn:aws:iam::<account>:<role|user>/<logical id>`;
 * anything else (imports, parameters, other attributes) as {@link UNKNOWN}.
 */
export function flatten(stack: Stack, value: any): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!value || typeof value !== 'object') return UNKNOWN;
  if ('Ref' in value) return pseudo(stack, value.Ref);
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'];
    return Array.isArray(parts) ? parts.map((p: any) => flatten(stack, p)).join(separator) : UNKNOWN;
  }
  if ('Fn::Sub' in value) {
    const template = Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'][0] : value['Fn::Sub'];
    const variables = Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'][1] ?? {} : {};
    if (typeof template !== 'string') return UNKNOWN;
    return template.replace(/\$\{([^}!]+)\}/g, (_m, name: string) =>
      (name in variables ? flatten(stack, variables[name]) : pseudo(stack, name)));
  }
  if ('Fn::GetAtt' in value) {
    const [logicalId, attribute] = Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'] : String(value['Fn::GetAtt']).split('.');
    const type = typeOfLogicalId(stack, logicalId);
    if (attribute === 'Arn' && (type === 'AWS::IAM::Role' || type === 'AWS::IAM::User')) {
      return `arn:aws:iam::${stackAccount(stack)}:${type === 'AWS::IAM::Role' ? 'role' : 'user'}/${logicalId}`;
    }
    return UNKNOWN;
  }
  return UNKNOWN;
}

function pseudo(stack: Stack, name: string): string {
  switch (name) {
    case 'AWS::Partition': return 'aws';
    case 'AWS::AccountId': return stackAccount(stack);
    case 'AWS::Region': return Token.isUnresolved(stack.region) ? UNKNOWN : stack.region;
    case 'AWS::URLSuffix': return 'amazonaws.com';
    default: return UNKNOWN;
  }
}

/** What an `AWS` principal is, once flattened. */
export interface PrincipalInfo {
  /** The principal as flattened. */
  readonly text: string;
  /** Its account, {@link OWN_ACCOUNT}, or {@link UNKNOWN}. */
  readonly account: string;
  /** Whether it is an account (root) rather than one role or user. */
  readonly isAccount: boolean;
}

/** Reads an `AWS` principal (an ARN, an account id, flattened or not). */
export function principalInfo(stack: Stack, principal: string): PrincipalInfo {
  let text = principal;
  if (text.startsWith('{')) {
    try {
      text = flatten(stack, JSON.parse(text));
    } catch {
      text = UNKNOWN;
    }
  }
  if (/^\d{12}$/.test(text)) return { text, account: text, isAccount: true };
  if (text === OWN_ACCOUNT) return { text, account: OWN_ACCOUNT, isAccount: true };
  const parts = text.split(':');
  if (parts.length >= 6 && parts[0] === 'arn') {
    const account = parts[4] || UNKNOWN;
    return { text, account: account.includes(UNKNOWN) ? UNKNOWN : account, isAccount: parts.slice(5).join(':') === 'root' };
  }
  return { text, account: UNKNOWN, isAccount: false };
}

/** Whether an account is another than the stack's own. Unknown accounts are not "other". */
export function isOtherAccount(stack: Stack, account: string): boolean {
  if (account === UNKNOWN || account === OWN_ACCOUNT) return false;
  const own = stackAccount(stack);
  return own !== OWN_ACCOUNT && account !== own;
}

/** The key policy of an `AWS::KMS::Key` or `AWS::KMS::ReplicaKey`, or undefined for any other resource. */
export function keyPolicyOf(node: CfnResource): { resource: ResolvedResource; policy: any; parsed: ParsedKeyPolicy } | undefined {
  if (node.cfnResourceType !== 'AWS::KMS::Key' && node.cfnResourceType !== 'AWS::KMS::ReplicaKey') return undefined;
  const resource = resolveResource(node);
  // A key without KeyPolicy gets KMS's default key policy: the account root holds kms:*.
  const policy = resource.properties.KeyPolicy ?? (node.cfnResourceType === 'AWS::KMS::Key' ? defaultKeyPolicy() : undefined);
  return { resource, policy, parsed: parseKeyPolicy(policy) };
}

/**
 * The policy KMS gives a key created without one.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
function defaultKeyPolicy(): any {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'DefaultKeyPolicy', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' }],
  };
}

/**
 * The operators under which a condition key narrows who matches: the positive string and ARN
 * operators, without `IfExists` (a request without the key would match anyway).
 */
const NARROWING_OPERATORS = /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

/** The values a condition gives a key under narrowing operators, flattened. */
export function narrowingValues(stack: Stack, conditions: Conditions | undefined, key: string): string[] | undefined {
  let found: string[] | undefined;
  for (const [operator, pairs] of Object.entries(conditions ?? {})) {
    if (!NARROWING_OPERATORS.test(operator)) continue;
    for (const [k, v] of Object.entries(pairs ?? {})) {
      if (k.toLowerCase() !== key.toLowerCase()) continue;
      const values = ([] as any[]).concat(v).map(x => flatten(stack, typeof x === 'string' && x.startsWith('{') ? safeParse(x) : x));
      found = found ? found.filter(f => values.includes(f)) : values;
    }
  }
  return found;
}

function safeParse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Whether a value holds an IAM wildcard (`*` or `?`). */
function hasWildcard(value: string): boolean {
  return /[*?]/.test(value);
}

/**
 * Whether an ARN pattern names one account: an ARN whose account field is a literal, with no
 * wildcard in it or before it (a `*` in an earlier field could match colons, and so any account:
 * `arn:aws:*:111122223333:x` matches an ARN whose account field is another). Wildcards after the
 * account field are fine (`arn:aws:iam::111122223333:role/*`).
 */
export function arnNamesAccount(value: string): boolean {
  const parts = value.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[4] !== '' && !parts.slice(0, 5).some(hasWildcard);
}

/** The account field of an ARN pattern that {@link arnNamesAccount names one}, else undefined. */
export function arnAccount(value: string): string | undefined {
  return arnNamesAccount(value) ? value.split(':')[4] : undefined;
}

/**
 * Whether an organization path pins an organization: its first segment (the organization id) holds
 * no wildcard (`o-a1b2c3d4e5/*` does; `o-*` does not).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
 */
function orgPathPinsOrganization(value: string): boolean {
  const first = value.split('/')[0];
  return first !== '' && !hasWildcard(first);
}

/** How a statement's conditions pin its principal. */
export interface Pin {
  /** Whether the conditions pin the principal to one account, organization, source or ARN. */
  readonly pinned: boolean;
  /** Whether they pin it to individual principals by ARN (not a whole account). */
  readonly toPrincipalArns: boolean;
  /** The accounts they pin it to, when they do by account. */
  readonly accounts: string[];
}

/**
 * Evaluates whether `Principal: *` under these conditions is still public: it is not when a
 * narrowing operator pins
 * - `aws:PrincipalAccount`, `kms:CallerAccount` or `aws:SourceAccount` to account ids without any
 *   wildcard (`1*` or `*1` match many accounts);
 * - `aws:PrincipalOrgID` / `aws:SourceOrgID` to organization ids without any wildcard (`o-*` matches
 *   every organization), or `aws:PrincipalOrgPaths` / `aws:SourceOrgPaths` to paths whose
 *   organization id holds none;
 * - `aws:PrincipalArn` / `aws:SourceArn` to ARNs that name an account ({@link arnNamesAccount}).
 * - `aws:userid` to unique ids whose id part (before any `:`) holds no wildcard (`AROAEXAMPLE:*`).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
export function pinOf(stack: Stack, conditions: Conditions | undefined): Pin {
  const accounts: string[] = [];
  let pinned = false;
  for (const key of ['aws:PrincipalAccount', 'kms:CallerAccount', 'aws:SourceAccount']) {
    const values = narrowingValues(stack, conditions, key);
    if (values && values.length > 0 && values.every(v => v !== '' && !hasWildcard(v))) {
      pinned = true;
      accounts.push(...values);
    }
  }
  for (const key of ['aws:PrincipalOrgID', 'aws:SourceOrgID']) {
    const values = narrowingValues(stack, conditions, key);
    if (values && values.length > 0 && values.every(v => v !== '' && !hasWildcard(v))) pinned = true;
  }
  for (const key of ['aws:PrincipalOrgPaths', 'aws:SourceOrgPaths']) {
    const values = narrowingValues(stack, conditions, key);
    if (values && values.length > 0 && values.every(orgPathPinsOrganization)) pinned = true;
  }
  let toPrincipalArns = false;
  const principalArns = narrowingValues(stack, conditions, 'aws:PrincipalArn');
  if (principalArns && principalArns.length > 0 && principalArns.every(v => arnNamesAccount(v) || (v.includes(UNKNOWN) && !hasWildcard(v)))) {
    pinned = true;
    toPrincipalArns = principalArns.every(v => !v.split(':').slice(5).join(':').startsWith('root'));
  }
  const sourceArns = narrowingValues(stack, conditions, 'aws:SourceArn');
  if (sourceArns && sourceArns.length > 0 && sourceArns.every(v => arnNamesAccount(v) || (v.includes(UNKNOWN) && !hasWildcard(v)))) pinned = true;
  const userIds = narrowingValues(stack, conditions, 'aws:userid');
  if (userIds && userIds.length > 0 && userIds.every(v => v.split(':')[0] !== '' && !hasWildcard(v.split(':')[0]))) {
    pinned = true;
    toPrincipalArns = true;
  }
  return { pinned, toPrincipalArns, accounts };
}

/**
 * Whether the conditions limit the encryption context to resources of the key's own account: a
 * narrowing operator gives a `kms:EncryptionContext:<key>` only ARNs that name the stack's account
 * ({@link arnNamesAccount}). This is how AWS documents pinning CloudWatch Logs to log groups
 * (`kms:EncryptionContext:aws:logs:arn`), where no source condition is documented.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function pinsEncryptionContextToOwnAccount(stack: Stack, conditions: Conditions | undefined): boolean {
  const own = stackAccount(stack);
  const contextKeys = new Set<string>();
  for (const [operator, pairs] of Object.entries(conditions ?? {})) {
    if (!NARROWING_OPERATORS.test(operator)) continue;
    for (const k of Object.keys(pairs ?? {})) {
      if (/^kms:EncryptionContext:.+/i.test(k)) contextKeys.add(k);
    }
  }
  return [...contextKeys].some(k => {
    const values = narrowingValues(stack, conditions, k) ?? [];
    return values.length > 0 && values.every(v => arnAccount(v) === own);
  });
}

/**
 * Who an Allow entry lets in, after its conditions:
 * - `named`: individual roles or users (by principal ARN or by an `aws:PrincipalArn` condition);
 * - `account`: whole accounts, i.e. whoever their IAM policies allow (the account root, or `*`
 *   pinned to accounts or an organization);
 * - `service`: AWS service principals;
 * - `public`: anyone (a `*` that no condition pins).
 */
export type Audience = 'named' | 'account' | 'service' | 'public';

/** One principal of an entry, classified. */
export interface EntryPrincipal {
  readonly audience: Audience;
  /** The principal as text (flattened), `*`, or the service name. */
  readonly text: string;
  /** The accounts it belongs to (or is pinned to); empty when unknown or for services and public. */
  readonly accounts: string[];
}

/** Classifies the principals of an entry (see {@link Audience}). */
export function principalsOf(stack: Stack, entry: ParsedEntry): EntryPrincipal[] {
  const pin = pinOf(stack, entry.conditions);
  if (entry.principalType === 'Service') {
    return entry.principals.map(text => ({ audience: 'service' as Audience, text: flattenText(stack, text), accounts: [] }));
  }
  if (entry.principalType === '*') {
    if (!pin.pinned) return [{ audience: 'public', text: '*', accounts: [] }];
    return [{ audience: pin.toPrincipalArns ? 'named' : 'account', text: '*', accounts: pin.accounts }];
  }
  return entry.principals.map(p => {
    const info = principalInfo(stack, p);
    const audience: Audience = info.isAccount && !pin.toPrincipalArns ? 'account' : 'named';
    return { audience, text: info.text, accounts: info.account === UNKNOWN ? [] : [info.account] };
  });
}

function flattenText(stack: Stack, text: string): string {
  return text.startsWith('{') ? flatten(stack, safeParse(text)) : text;
}

/** The administrative actions that change a key (its policy, state, aliases, tags, rotation, material). */
export function mutatingAdminActions(actions: string[]): string[] {
  return actions.filter(a => perms.MUTATING_ADMIN_ACTIONS.includes(a));
}

/**
 * The findings of a rule about administrative actions: the statements of a key policy that hold an
 * action changing the key and have a principal `holder` picks. Not applicable to anything but a key.
 */
export function administrationFindings(node: CfnResource, holder: (stack: Stack, principal: EntryPrincipal) => boolean): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (mutatingAdminActions(entry.actions).length === 0) continue;
    if (principalsOf(stack, entry).some(p => holder(stack, p))) findings.add(findingName(entry));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

/** The cryptographic actions among these (those that use the key). */
export function cryptographicActions(actions: string[]): string[] {
  return actions.filter(a => perms.CRYPTOGRAPHIC_ACTIONS.includes(a) && a !== 'kms:DescribeKey' && a !== perms.CREATE_GRANT_ACTION);
}

/** Whether the conditions limit `kms:CreateGrant` to grants for AWS resources (`Bool` true). */
export function grantsOnlyForAwsResources(conditions: Conditions | undefined): boolean {
  const value = conditions?.Bool?.['kms:GrantIsForAWSResource'];
  return ([] as any[]).concat(value ?? []).length > 0 && ([] as any[]).concat(value).every(v => String(v).toLowerCase() === 'true');
}

/** A finding's name for a statement: its Sid, or `Statement<index>`; characters cdk-nag ids cannot hold are replaced. */
export function findingName(entry: { label: string }): string {
  return entry.label.replace(/[[\]\s]/g, '_');
}

/** Whether a key reference names an AWS managed key (`alias/aws/...`). */
export function isAwsManagedKeyReference(stack: Stack, value: any): boolean {
  if (value === undefined || value === null || value === '') return false;
  const text = flatten(stack, value);
  return /(^|:|\/)alias\/aws\//.test(text) || /^aws\//.test(text);
}

/** Whether a key reference is set and names a customer managed key (or a key the stack cannot tell is AWS managed). */
export function isCustomerManagedKey(stack: Stack, value: any): boolean {
  return value !== undefined && value !== null && value !== '' && !isAwsManagedKeyReference(stack, value);
}

/** The stack of a construct. */
export function stackOf(node: IConstruct): Stack {
  return Stack.of(node);
}
