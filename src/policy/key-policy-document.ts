import { CfnElement, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { canonicalConditions, Conditions, principalArnEquals } from './conditions';

/** KMS's limit on a key policy document, in bytes. */
export const KEY_POLICY_MAX_BYTES = 32768;

/**
 * One allow rule of a generated key policy, before merging.
 */
export interface KeyPolicyEntry {
  /** A readable name, used for the statement's Sid. */
  readonly label: string;
  /** `AWS` principals (ARNs or account roots), `Service` principals, or `*` (with conditions). */
  readonly principalType: 'AWS' | 'Service' | '*';
  /** The principals; empty for `*`. */
  readonly principals: string[];
  /**
   * Restrict the principals to exactly these ARNs with `aws:PrincipalArn` (the principals are then
   * account roots). Used where a principal may not exist yet, or lives in another stack.
   */
  readonly principalArns?: string[];
  /** The actions, any order. */
  readonly actions: string[];
  /** Further conditions. */
  readonly conditions?: Conditions;
}

/**
 * The key policy engine's document: entries are merged by effect, actions and conditions
 * (principals grouped), then by principals and conditions (actions grouped), then by everything
 * but their `kms:ViaService` value (services listed), and rendered lazily
 * so that grants made after the key was created still land in its policy.
 */
export class KeyPolicyDocument {
  private readonly entries: KeyPolicyEntry[] = [];
  private readonly extraStatements: iam.PolicyStatement[] = [];
  private readonly deferred: Array<() => KeyPolicyEntry[]> = [];
  private settled = false;

  private sealedBecause?: string;
  /** The last merged entries; read again only once sealed (nothing can be added then). */
  private merged?: KeyPolicyEntry[];

  /** Adds an allow rule. */
  public add(entry: KeyPolicyEntry): void {
    this.assertOpen(entry.label);
    this.entries.push(entry);
    this.merged = undefined;
  }

  /**
   * Refuses further rules: once the policy is rendered, a rule added later would be lost silently.
   *
   * @param reason why, for the message
   */
  public seal(reason: string): void {
    this.sealedBecause = reason;
  }

  private assertOpen(what: string): void {
    if (this.sealedBecause) {
      throw new Error(`cannot add ${what} to the key policy: ${this.sealedBecause}; make every grant before reading keyPolicy`);
    }
  }

  /**
   * Adds allow rules known only at synth (actions another construct adds to a grant's statement
   * after the grant). Produced once, the first time the entries are read.
   */
  public addDeferred(produce: () => KeyPolicyEntry[]): void {
    this.deferred.push(produce);
    this.merged = undefined;
  }

  /** Adds a statement written by hand (or by another construct through `addToResourcePolicy`). */
  public addStatement(statement: iam.PolicyStatement): void {
    this.assertOpen(statement.sid ?? 'a statement');
    this.extraStatements.push(statement);
  }

  /** The entries added so far. */
  public get allEntries(): KeyPolicyEntry[] {
    this.settle();
    return [...this.entries];
  }

  /** The hand-written statements added so far. */
  public get allStatements(): iam.PolicyStatement[] {
    return [...this.extraStatements];
  }

  /** The merged entries, in a stable order (computed once when the document is sealed). */
  public mergedEntries(): KeyPolicyEntry[] {
    if (this.sealedBecause && this.merged) return this.merged;
    this.settle();
    const merged = mergeByPrincipals(mergeByViaService(mergeByActions(mergeByPrincipals(this.entries.map(normalize)))));
    this.merged = merged;
    return merged;
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    for (const produce of this.deferred) {
      this.entries.push(...produce());
    }
  }

  /** The policy document as CloudFormation JSON (may contain tokens). */
  public render(): any {
    const statements: any[] = [];
    const sids = new Set<string>();
    for (const entry of this.mergedEntries()) {
      statements.push(renderEntry(entry, uniqueSid(entry.label, sids)));
    }
    for (const statement of this.extraStatements) {
      statements.push(statement.toStatementJson());
    }
    return { Version: '2012-10-17', Statement: statements };
  }
}

function normalize(entry: KeyPolicyEntry): KeyPolicyEntry {
  return {
    ...entry,
    principals: uniqueSorted(entry.principals),
    principalArns: entry.principalArns ? uniqueSorted(entry.principalArns) : undefined,
    actions: uniqueSorted(entry.actions),
    conditions: entry.conditions ? canonicalConditions(entry.conditions) : undefined,
  };
}

/**
 * Groups entries by a key; entries of a group are folded into the first one.
 */
function mergeBy(
  entries: KeyPolicyEntry[],
  keyOf: (e: KeyPolicyEntry) => unknown,
  fold: (into: KeyPolicyEntry, e: KeyPolicyEntry) => KeyPolicyEntry,
): KeyPolicyEntry[] {
  const groups = new Map<string, KeyPolicyEntry>();
  for (const entry of entries) {
    const key = JSON.stringify(keyOf(entry));
    const existing = groups.get(key);
    groups.set(key, existing ? fold(existing, entry) : entry);
  }
  return [...groups.values()];
}

/** Entries with the same type, actions and conditions: one statement, principals grouped. */
function mergeByPrincipals(entries: KeyPolicyEntry[]): KeyPolicyEntry[] {
  return mergeBy(entries,
    e => [e.principalType, e.principalArns !== undefined, e.actions, e.conditions ?? {}],
    (into, e) => ({
      ...into,
      principals: uniqueSorted([...into.principals, ...e.principals]),
      principalArns: into.principalArns ? uniqueSorted([...into.principalArns, ...(e.principalArns ?? [])]) : undefined,
    }));
}

/** Entries with the same principals and conditions: one statement, actions grouped. */
function mergeByActions(entries: KeyPolicyEntry[]): KeyPolicyEntry[] {
  return mergeBy(entries,
    // Administration stays in statements of its own, so that a reader sees separation of duties.
    e => [ADMIN_LABELS.includes(e.label) ? e.label : '', e.principalType, e.principals, e.principalArns ?? null, e.conditions ?? {}],
    (into, e) => ({
      ...into,
      label: [...new Set([...into.label.split('And'), ...e.label.split('And')])].join('And'),
      actions: uniqueSorted([...into.actions, ...e.actions]),
    }));
}

const ADMIN_LABELS = ['Administer', 'InspectFromOtherAccount'];

const VIA_SERVICE_KEY = 'kms:ViaService';

/**
 * Entries the same but for their `kms:ViaService` value: one statement, services listed. Exact:
 * within `StringEquals` the keys are ANDed and a key's values ORed, so `{CallerAccount: a,
 * ViaService: [s1, s2]}` allows exactly what `{CallerAccount: a, ViaService: s1}` and
 * `{CallerAccount: a, ViaService: s2}` allow together. Only entries whose one `kms:ViaService`
 * condition is in `StringEquals` are merged; every other key and operator must be equal.
 */
function mergeByViaService(entries: KeyPolicyEntry[]): KeyPolicyEntry[] {
  const services = (e: KeyPolicyEntry): string[] | undefined => {
    const conditions = e.conditions ?? {};
    const value = conditions.StringEquals?.[VIA_SERVICE_KEY];
    const elsewhere = Object.entries(conditions).some(([operator, pairs]) => operator !== 'StringEquals' && VIA_SERVICE_KEY in pairs);
    if (value === undefined || elsewhere || ADMIN_LABELS.includes(e.label)) return undefined;
    return Array.isArray(value) ? value : [value];
  };
  const withoutViaService = (conditions: Conditions): Conditions => {
    const { [VIA_SERVICE_KEY]: _, ...rest } = conditions.StringEquals;
    return { ...conditions, StringEquals: rest };
  };
  return mergeBy(entries,
    e => (services(e) === undefined
      // Not mergeable: a key of its own (entries are unique after the earlier merges).
      ? ['', entries.indexOf(e)]
      : ['via', e.principalType, e.principals, e.principalArns ?? null, e.actions, withoutViaService(e.conditions!)]),
    (into, e) => ({
      ...into,
      label: mergedViaServiceLabel(into.label, e.label),
      conditions: canonicalConditions({
        ...into.conditions!,
        StringEquals: { ...into.conditions!.StringEquals, [VIA_SERVICE_KEY]: uniqueSorted([...services(into)!, ...services(e)!]) },
      }),
    }));
}

/**
 * The label of two entries merged by `kms:ViaService`: `DecryptViaSsm` and `DecryptViaSecretsmanager`
 * make `DecryptViaSsmAndSecretsmanager`; labels of another shape are joined with `And`.
 */
function mergedViaServiceLabel(a: string, b: string): string {
  const shape = /^(.+?Via)([A-Z][A-Za-z0-9]*)$/;
  const ma = shape.exec(a);
  const mb = shape.exec(b);
  if (ma && mb && ma[1] === mb[1]) {
    const services = [...new Set([...ma[2].split('And'), ...mb[2].split('And')])];
    return `${ma[1]}${services.join('And')}`;
  }
  return a === b ? a : `${a}And${b}`;
}

function renderEntry(entry: KeyPolicyEntry, sid: string): any {
  let principal: any;
  if (entry.principalType === '*') {
    principal = { AWS: '*' };
  } else {
    const list = entry.principals;
    principal = { [entry.principalType]: list.length === 1 ? list[0] : list };
  }
  const conditions = entry.principalArns
    ? mergeCanonical(entry.conditions, principalArnEquals(entry.principalArns))
    : entry.conditions;
  const statement: any = {
    Sid: sid,
    Effect: 'Allow',
    Principal: principal,
    Action: entry.actions.length === 1 ? entry.actions[0] : entry.actions,
    Resource: '*',
  };
  if (conditions && Object.keys(conditions).length > 0) {
    statement.Condition = conditions;
  }
  return statement;
}

function mergeCanonical(a: Conditions | undefined, b: Conditions): Conditions {
  const result: Conditions = {};
  for (const block of [a ?? {}, b]) {
    for (const [operator, pairs] of Object.entries(block)) {
      result[operator] = { ...(result[operator] ?? {}), ...pairs };
    }
  }
  return canonicalConditions(result);
}

function uniqueSid(label: string, used: Set<string>): string {
  const base = label.replace(/[^A-Za-z0-9]/g, '').slice(0, 100) || 'Statement';
  let sid = base;
  for (let i = 2; used.has(sid); i++) {
    sid = `${base}${i}`;
  }
  used.add(sid);
  return sid;
}

/**
 * Literal values sorted, then tokens in the order they were added: sorting token placeholders
 * would order them by token number, which differs between languages and runs.
 */
function uniqueSorted(values: string[]): string[] {
  const unique = [...new Set(values)];
  return [...unique.filter(v => !Token.isUnresolved(v)).sort(), ...unique.filter(v => Token.isUnresolved(v))];
}

/**
 * The longest value a pseudo parameter can take in any partition (from aws-cdk-lib's region
 * information), for a size estimate that is never too small where the stack's Region is not known.
 */
function worstCasePseudo(): Record<string, string> {
  const regions = RegionInfo.regions;
  const longest = (values: string[]) => values.reduce((a, b) => (b.length > a.length ? b : a), '');
  return {
    'AWS::Partition': longest(regions.map(r => r.partition ?? 'aws')),
    'AWS::AccountId': '123456789012',
    'AWS::Region': longest(regions.map(r => r.name)),
    'AWS::URLSuffix': longest(regions.map(r => r.domainSuffix ?? 'amazonaws.com')),
    'AWS::StackName': 'x'.repeat(128),
  };
}

/**
 * Length counted for a reference whose value the estimate cannot bound more tightly (an attribute
 * of a resource other than an IAM role or user, an import): the longest ARN IAM accepts.
 */
export const REFERENCE_SIZE_ESTIMATE = 2048;

/** The longest name IAM gives a role or user (CloudFormation's generated names included). */
export const IAM_NAME_MAX_LENGTH = 64;

/**
 * The size in bytes the policy will have once CloudFormation resolves it (minified JSON, as KMS
 * counts it against its 32 KB limit):
 *
 * - exact where the values are known at synth: the partition, Region and URL suffix from the
 *   stack's Region, the account and stack name when literal, IAM roles and users of the stack with
 *   literal names;
 * - otherwise from above, never too small: pseudo parameters at their longest value in any
 *   partition, the ARN of a role or user with a generated name with the longest name IAM allows
 *   (64 characters), any other reference at `REFERENCE_SIZE_ESTIMATE` bytes.
 *
 * So a policy is refused only when it could exceed the limit once deployed, and passed only when it
 * cannot.
 */
export function estimatePolicySize(stack: Stack, document: any): number {
  return estimateResolvedPolicySize(stack, stack.resolve(document));
}

/**
 * A resolved policy with the partition (and URL suffix) written out where the stack's Region tells
 * them: `{"Ref": "AWS::Partition"}` becomes `aws` (or `aws-cn`, ...), a `Fn::Join` of literal
 * parts becomes its string, an `Fn::Sub` left without variables its string. What CloudFormation
 * would compute when deploying the stack in that Region, in fewer bytes (the principal
 * `arn:aws:iam::111111111111:root` is 32 bytes, its `Fn::Join` 78). Unchanged where the stack's
 * Region is a token or unknown to aws-cdk-lib.
 */
export function withPartitionWrittenOut(stack: Stack, resolved: any): any {
  const known = partitionValues(stack);
  return known ? writeOut(resolved, known) : resolved;
}

/**
 * `AWS::Partition` and `AWS::URLSuffix` as the stack's Region tells them; undefined where the Region
 * is a token or unknown to aws-cdk-lib.
 */
function partitionValues(stack: Stack): Record<string, string> | undefined {
  if (Token.isUnresolved(stack.region)) return undefined;
  const info = RegionInfo.get(stack.region);
  if (!info.partition) return undefined;
  return { 'AWS::Partition': info.partition, ...(info.domainSuffix ? { 'AWS::URLSuffix': info.domainSuffix } : {}) };
}

function writeOut(value: any, known: Record<string, string>): any {
  if (Array.isArray(value)) {
    return value.map(v => writeOut(v, known));
  }
  if (!value || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref' && typeof value.Ref === 'string' && value.Ref in known) {
    return known[value.Ref];
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join' && Array.isArray(value['Fn::Join']) && Array.isArray(value['Fn::Join'][1])) {
    const [separator, parts] = value['Fn::Join'];
    const written: any[] = parts.map((part: any) => writeOut(part, known));
    if (typeof separator === 'string' && written.every(part => typeof part === 'string')) {
      return written.join(separator);
    }
    return { 'Fn::Join': [separator, written] };
  }
  if (keys.length === 1 && keys[0] === 'Fn::Sub' && typeof value['Fn::Sub'] === 'string') {
    const text = (value['Fn::Sub'] as string).replace(/\$\{([^}!][^}]*)\}/g, (whole, name: string) => known[name] ?? whole);
    // Variables left (references, other pseudo parameters): still an Fn::Sub. `${!Literal}` is written `${Literal}`.
    return /\$\{[^}!]/.test(text) ? { 'Fn::Sub': text } : text.replace(/\$\{!/g, '${');
  }
  const result: any = {};
  for (const key of keys) {
    result[key] = writeOut(value[key], known);
  }
  return result;
}

/**
 * The size in bytes of a policy already resolved (see `estimatePolicySize`).
 */
export function estimateResolvedPolicySize(stack: Stack, resolved: any): number {
  return Buffer.byteLength(JSON.stringify(new SizeEstimator(stack).substitute(resolved)), 'utf8');
}

/** Values of the stack's pseudo parameters where known, worst cases where not. */
function pseudoValues(stack: Stack): Record<string, string> {
  const values = worstCasePseudo();
  const region = stack.region;
  if (!Token.isUnresolved(region)) {
    values['AWS::Region'] = region;
    // A Region aws-cdk-lib does not know keeps the worst cases of partition and URL suffix.
    Object.assign(values, partitionValues(stack));
  }
  if (!Token.isUnresolved(stack.account)) values['AWS::AccountId'] = stack.account;
  if (!Token.isUnresolved(stack.stackName)) values['AWS::StackName'] = stack.stackName;
  return values;
}

const ROLE_OR_USER = ['AWS::IAM::Role', 'AWS::IAM::User'];

/** Substitutes every intrinsic of a resolved value with a string of its (largest possible) length. */
class SizeEstimator {
  private readonly pseudo: Record<string, string>;
  private rebuilt = false;

  constructor(private readonly stack: Stack) {
    this.pseudo = pseudoValues(stack);
  }

  public substitute(value: any): any {
    if (Array.isArray(value)) {
      return value.map(v => this.substitute(v));
    }
    if (value && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
        return this.intrinsic(keys[0], value[keys[0]]);
      }
      const result: any = {};
      for (const key of keys) {
        result[key] = this.substitute(value[key]);
      }
      return result;
    }
    return value;
  }

  private intrinsic(fn: string, arg: any): string {
    if (fn === 'Ref' && typeof arg === 'string') {
      return this.pseudo[arg] ?? this.reference(arg);
    }
    if (fn === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return this.reference(String(logicalId), String(attribute));
    }
    if (fn === 'Fn::Sub' && typeof arg === 'string') {
      // Pseudo parameters and references; `${!Literal}` stays as written minus the `!`.
      return arg.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name.startsWith('!')) return `\${${name.slice(1)}}`;
        if (name in this.pseudo) return this.pseudo[name];
        const [logicalId, ...attribute] = name.split('.');
        return this.reference(logicalId, attribute.length > 0 ? attribute.join('.') : undefined);
      });
    }
    if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
      return arg[1].map((part: any) => {
        const s = this.substitute(part);
        return typeof s === 'string' ? s : JSON.stringify(s);
      }).join(arg[0]);
    }
    return 'r'.repeat(REFERENCE_SIZE_ESTIMATE);
  }

  /**
   * A reference to a resource of the stack (`Ref`, or `Fn::GetAtt` with an attribute): a role's or
   * user's ARN and name exactly when its name is literal, bounded by IAM's longest name when
   * generated; anything else at `REFERENCE_SIZE_ESTIMATE`.
   */
  private reference(logicalId: string, attribute?: string): string {
    const resource = this.resource(logicalId);
    if (!resource || !ROLE_OR_USER.includes(resource.cfnResourceType) || (attribute !== undefined && attribute !== 'Arn')) {
      return 'r'.repeat(REFERENCE_SIZE_ESTIMATE);
    }
    const isRole = resource.cfnResourceType === 'AWS::IAM::Role';
    const props = resource as unknown as Record<string, unknown>;
    const name = this.literal(props[isRole ? 'roleName' : 'userName']) ?? 'n'.repeat(IAM_NAME_MAX_LENGTH);
    if (attribute === undefined) {
      return name;
    }
    // Paths are at most 512 characters; an unresolved one counts at that length.
    const path = props.path === undefined ? '/' : this.literal(props.path) ?? `/${'p'.repeat(510)}/`;
    return `arn:${this.pseudo['AWS::Partition']}:iam::${this.pseudo['AWS::AccountId']}:${isRole ? 'role' : 'user'}${path}${name}`;
  }

  private literal(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    const resolved = this.stack.resolve(value);
    return typeof resolved === 'string' ? resolved : undefined;
  }

  /**
   * The stack's resource of that logical id. The map is built once per stack, and again (at most
   * once per estimate) when an id is missing from it.
   */
  private resource(logicalId: string): CfnResource | undefined {
    let map = RESOURCES.get(this.stack);
    if (!map || (!map.has(logicalId) && !this.rebuilt)) {
      this.rebuilt = true;
      map = new Map<string, CfnElement>();
      for (const construct of this.stack.node.findAll()) {
        if (CfnElement.isCfnElement(construct) && Stack.of(construct) === this.stack) {
          map.set(this.stack.resolve(construct.logicalId), construct);
        }
      }
      RESOURCES.set(this.stack, map);
    }
    const element = map.get(logicalId);
    return element && CfnResource.isCfnResource(element) ? element : undefined;
  }
}

/** Resources by logical id, per stack. */
const RESOURCES = new WeakMap<Stack, Map<string, CfnElement>>();
