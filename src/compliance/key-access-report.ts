import * as fs from 'fs';
import * as path from 'path';
import { attachCustomSynthesis, CfnElement, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { KeyCapability } from '../policy/key-capability';
import { KeyPolicyEntry } from '../policy/key-policy-document';
import { CAPABILITIES } from '../private/capabilities';
import { ACCESS_REPORT_CONTEXT } from '../private/ids';
import * as perms from '../private/perms';

/** KMS list prices used for the estimate (USD). */
const PRICE_PER_KEY_MONTH = 1;
const PRICE_PER_10K_REQUESTS = 0.03;

/**
 * What the report needs to know of a key.
 */
export interface ReportedKey {
  /** The key construct. */
  readonly construct: IConstruct;
  /** The key's kind, e.g. `SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT`. */
  readonly kind: string;
  /** Whether its material rotates automatically. */
  readonly rotates: boolean;
  /** `key`, `replica` or `imported`. */
  readonly role: 'key' | 'replica' | 'imported';
  /** The merged policy entries (after rendering). */
  readonly entries: () => KeyPolicyEntry[];
  /** Hand-written statements of the policy. */
  readonly statements: () => any[];
}

/**
 * A statement the owner of an imported key must add to its key policy.
 */
export interface OwnerStatement {
  /** The imported key construct. */
  readonly construct: IConstruct;
  /** The statement, as JSON with tokens resolved where possible. */
  readonly statement: any;
}

const REGISTRY_ID = 'CdkKmsPatternsKeyAccessReport';

/**
 * Collects every key of an app and, at synth, writes `key-access-report.json` and
 * `key-access-report.md` next to the templates: who can do what with each key (principal ×
 * capability, with conditions), the statements owners of imported keys must add, and a monthly
 * cost estimate at KMS's list prices.
 *
 * Set the context value `cdk-kms-patterns:accessReport` to `false` to skip it.
 */
export class KeyAccessReportRegistry extends Construct {
  /** The registry of the app that holds `scope`, created on first use. */
  public static of(scope: IConstruct): KeyAccessReportRegistry {
    const root = scope.node.root;
    const existing = root.node.tryFindChild(REGISTRY_ID) as KeyAccessReportRegistry | undefined;
    return existing ?? new KeyAccessReportRegistry(root, REGISTRY_ID);
  }

  private readonly keys: ReportedKey[] = [];
  private readonly ownerStatements: OwnerStatement[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    attachCustomSynthesis(this, {
      onSynthesize: session => {
        if (this.node.tryGetContext(ACCESS_REPORT_CONTEXT) === false
          || this.node.tryGetContext(ACCESS_REPORT_CONTEXT) === 'false') {
          return;
        }
        const report = this.build();
        fs.writeFileSync(path.join(session.outdir, 'key-access-report.json'), JSON.stringify(report, undefined, 2));
        fs.writeFileSync(path.join(session.outdir, 'key-access-report.md'), renderMarkdown(report));
      },
    });
  }

  /** Adds a key to the report. */
  public addKey(key: ReportedKey): void {
    this.keys.push(key);
  }

  /** Adds a statement an imported key's owner must add. */
  public addOwnerStatement(statement: OwnerStatement): void {
    this.ownerStatements.push(statement);
  }

  /** The report as data. */
  public build(): KeyAccessReportData {
    const keys = this.keys.map(key => {
      const stack = Stack.of(key.construct);
      const entries = key.entries();
      // Every value of the key resolved in one pass (one stack.resolve per key, not per principal).
      const [principals, conditions, statements] = readable(stack, [
        entries.map(entry => entry.principalArns ?? (entry.principalType === '*' ? [] : entry.principals)),
        entries.map(entry => (entry.conditions && Object.keys(entry.conditions).length > 0 ? entry.conditions : null)),
        key.statements(),
      ]) as [any[][], any[], any[]];
      const rows: AccessRow[] = entries.map((entry, i) => ({
        statement: entry.label,
        principals: entry.principalType === '*' && !entry.principalArns ? ['any principal matching the conditions'] : principals[i].map(p => String(p)),
        capabilities: capabilitiesOf(entry.actions),
        actions: entry.actions,
        conditions: conditions[i] ?? undefined,
      }));
      for (const resolved of statements) {
        rows.push({
          statement: resolved.Sid ?? `${resolved.Effect} statement`,
          principals: [JSON.stringify(resolved.Principal ?? resolved.NotPrincipal ?? '?')],
          capabilities: [resolved.Effect === 'Deny' ? 'DENY' : 'statement added by hand'],
          actions: ([] as string[]).concat(resolved.Action ?? resolved.NotAction ?? []),
          conditions: resolved.Condition,
        });
      }
      return {
        path: key.construct.node.path,
        stack: stack.stackName,
        account: stack.account,
        region: stack.region,
        kind: key.kind,
        rotates: key.rotates,
        role: key.role,
        rows,
      };
    });
    const managed = keys.filter(k => k.role !== 'imported');
    const rotating = managed.filter(k => k.rotates).length;
    return {
      keys,
      ownerStatements: this.ownerStatements.map(o => ({
        key: o.construct.node.path,
        statement: readable(Stack.of(o.construct), o.statement),
      })),
      cost: {
        keys: managed.length,
        monthlyUsd: managed.length * PRICE_PER_KEY_MONTH,
        monthlyUsdAfterTwoRotations: (managed.length + 2 * rotating) * PRICE_PER_KEY_MONTH,
        note: `$${PRICE_PER_KEY_MONTH} per key per month (replicas included); each of the first two rotations of a key adds `
          + `$${PRICE_PER_KEY_MONTH} per month; requests cost $${PRICE_PER_10K_REQUESTS} per 10,000 (20,000 free per month)`,
      },
    };
  }
}

/** One row of the report: principals × capability. */
export interface AccessRow {
  /** The statement's Sid: the grant method or recipe that wrote it. */
  readonly statement: string;
  readonly principals: string[];
  readonly capabilities: string[];
  readonly actions: string[];
  readonly conditions?: any;
}

/** The report of one key. */
export interface KeyReport {
  readonly path: string;
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly kind: string;
  readonly rotates: boolean;
  readonly role: string;
  readonly rows: AccessRow[];
}

/** The whole report. */
export interface KeyAccessReportData {
  readonly keys: KeyReport[];
  readonly ownerStatements: Array<{ key: string; statement: any }>;
  readonly cost: { keys: number; monthlyUsd: number; monthlyUsdAfterTwoRotations: number; note: string };
}

/** The capabilities whose actions an entry holds, largest first; the rest as raw actions. */
function capabilitiesOf(actions: string[]): string[] {
  if (actions.includes(perms.PUT_KEY_POLICY_ACTION)) {
    const extra = actions.filter(a => !perms.ADMIN_ACTIONS.includes(a));
    return ['ADMINISTER', ...extra];
  }
  if (perms.REPLICATE_ACTIONS.every(a => actions.includes(a)) && actions.length === perms.REPLICATE_ACTIONS.length) {
    return ['REPLICATE'];
  }
  const remaining = new Set(actions);
  const found: string[] = [];
  const candidates = (Object.keys(CAPABILITIES) as KeyCapability[])
    .sort((a, b) => CAPABILITIES[b].actions.length - CAPABILITIES[a].actions.length);
  for (const capability of candidates) {
    const needed = CAPABILITIES[capability].actions;
    if (needed.every(a => remaining.has(a))) {
      found.push(capability);
      needed.forEach(a => remaining.delete(a));
    }
  }
  return [...found, ...remaining];
}

/** Resolves a value to JSON with references shown as construct paths and pseudo parameters as names. */
function readable(stack: Stack, value: any): any {
  return simplify(stack, stack.resolve(value));
}

function simplify(stack: Stack, value: any): any {
  if (Array.isArray(value)) {
    return value.map(v => simplify(stack, v));
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = value[fn];
      if (fn === 'Ref') {
        if (arg === 'AWS::Partition') return 'aws';
        if (typeof arg === 'string' && arg.startsWith('AWS::')) return `\${${arg}}`;
        return `<${pathOfLogicalId(stack, arg)}>`;
      }
      if (fn === 'Fn::GetAtt') {
        return `<${pathOfLogicalId(stack, arg[0])}.${arg[1]}>`;
      }
      if (fn === 'Fn::Join') {
        return (arg[1] as any[]).map(part => {
          const s = simplify(stack, part);
          return typeof s === 'string' ? s : JSON.stringify(s);
        }).join(arg[0]);
      }
      if (fn === 'Fn::Sub' && typeof arg === 'string') {
        return arg.replace(/\$\{AWS::Partition\}/g, 'aws');
      }
      if (fn === 'Fn::ImportValue') {
        return `<import ${JSON.stringify(simplify(stack, arg))}>`;
      }
    }
    const result: any = {};
    for (const key of keys) {
      result[key] = simplify(stack, value[key]);
    }
    return result;
  }
  return value;
}

/** Construct paths by logical id, one map per stack, built once. */
const PATHS = new WeakMap<Stack, Map<string, string>>();

function pathOfLogicalId(stack: Stack, logicalId: string): string {
  let paths = PATHS.get(stack);
  if (!paths) {
    paths = new Map();
    for (const construct of stack.node.findAll()) {
      if (CfnElement.isCfnElement(construct) && Stack.of(construct) === stack) {
        paths.set(stack.resolve(stack.getLogicalId(construct)), (construct.node.scope ?? construct).node.path);
      }
    }
    PATHS.set(stack, paths);
  }
  return paths.get(logicalId) ?? logicalId;
}

const OPERATOR_WORDS: Record<string, string> = {
  'StringEquals': '=',
  'ArnEquals': '=',
  'Bool': '=',
  'StringLike': 'matches',
  'ArnLike': 'matches',
  'ForAnyValue:StringEquals': 'includes',
  'StringNotEquals': '≠',
  'Null': 'is null:',
};

/** Conditions as a reader says them: `kms:ViaService = s3.eu-west-1.amazonaws.com; ...`. */
export function readableConditions(conditions: any): string {
  const parts: string[] = [];
  for (const [operator, pairs] of Object.entries<any>(conditions ?? {})) {
    for (const [key, value] of Object.entries<any>(pairs)) {
      const values = ([] as any[]).concat(value).map(v => (typeof v === 'string' ? v : JSON.stringify(v)));
      parts.push(`${key} ${OPERATOR_WORDS[operator] ?? operator} ${values.join(' or ')}`);
    }
  }
  return parts.join('; ');
}

function renderMarkdown(report: KeyAccessReportData): string {
  const lines: string[] = ['# Key access report', ''];
  for (const key of report.keys) {
    lines.push(`## ${key.path}`, '');
    lines.push(`${key.kind}, ${key.role}, ${key.rotates ? 'rotates automatically' : 'does not rotate'}; stack ${key.stack} (${key.account}/${key.region})`, '');
    lines.push('| principal | can | when | statement |', '|---|---|---|---|');
    for (const row of key.rows) {
      const conditions = row.conditions ? readableConditions(row.conditions) : '';
      lines.push(`| ${row.principals.map(escape).join('<br>')} | ${row.capabilities.join(', ')} | ${escape(conditions)} | ${escape(row.statement)} |`);
    }
    lines.push('');
  }
  if (report.ownerStatements.length > 0) {
    lines.push('## Statements the owners of imported keys must add', '');
    for (const owner of report.ownerStatements) {
      lines.push(`- ${owner.key}: \`${JSON.stringify(owner.statement)}\``);
    }
    lines.push('');
  }
  lines.push('## Monthly cost estimate', '');
  lines.push(`${report.cost.keys} keys: $${report.cost.monthlyUsd} per month now, at most $${report.cost.monthlyUsdAfterTwoRotations} `
    + 'once every rotating key has rotated twice, plus requests.', '', report.cost.note, '');
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}
