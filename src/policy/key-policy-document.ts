import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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
 * (principals grouped), then by principals and conditions (actions grouped), and rendered lazily
 * so that grants made after the key was created still land in its policy.
 */
export class KeyPolicyDocument {
  private readonly entries: KeyPolicyEntry[] = [];
  private readonly extraStatements: iam.PolicyStatement[] = [];
  private readonly deferred: Array<() => KeyPolicyEntry[]> = [];
  private settled = false;

  private sealedBecause?: string;

  /** Adds an allow rule. */
  public add(entry: KeyPolicyEntry): void {
    this.assertOpen(entry.label);
    this.entries.push(entry);
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

  /** The merged entries, in a stable order. */
  public mergedEntries(): KeyPolicyEntry[] {
    this.settle();
    return mergeByActions(mergeByPrincipals(this.entries.map(normalize)));
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

/** The longest values pseudo parameters can take, for a size estimate that is never too small. */
const PSEUDO_WORST_CASE: Record<string, string> = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-44',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
};

/** Length counted for a reference to another resource's attribute (a role or key ARN). */
export const REFERENCE_SIZE_ESTIMATE = 200;

/**
 * The size in bytes the policy will have once CloudFormation resolves it, estimated from above:
 * pseudo parameters count at their longest value, references to other resources at
 * `REFERENCE_SIZE_ESTIMATE` bytes.
 */
export function estimatePolicySize(stack: Stack, document: any): number {
  const resolved = stack.resolve(document);
  return Buffer.byteLength(JSON.stringify(substitute(resolved)), 'utf8');
}

function substitute(value: any): any {
  if (Array.isArray(value)) {
    return value.map(substitute);
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      const fn = keys[0];
      const arg = value[fn];
      if (fn === 'Ref' && typeof arg === 'string' && arg in PSEUDO_WORST_CASE) {
        return PSEUDO_WORST_CASE[arg];
      }
      if (fn === 'Fn::Sub' && typeof arg === 'string') {
        // Pseudo parameters at their longest; any other variable at the reference estimate.
        return arg.replace(/\$\{([^}]+)\}/g, (_, name: string) => PSEUDO_WORST_CASE[name] ?? 'r'.repeat(REFERENCE_SIZE_ESTIMATE));
      }
      if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
        return arg[1].map((part: any) => {
          const s = substitute(part);
          return typeof s === 'string' ? s : JSON.stringify(s);
        }).join(arg[0]);
      }
      return 'r'.repeat(REFERENCE_SIZE_ESTIMATE);
    }
    const result: any = {};
    for (const key of keys) {
      result[key] = substitute(value[key]);
    }
    return result;
  }
  return value;
}
