/**
 * Turns the service request model (`service-requests.ts`) into simulated requests for one
 * encrypted resource, and runs them.
 *
 * For a resource (its key, the services that use the key for it, its flags and the facts that fill
 * the placeholders) and its actors (who makes the requests of which steps: the stack's
 * CloudFormation execution role for `create`, each declared reader and writer, a rotation
 * function...), {@link serviceAccessRows} derives:
 *
 * - `declared`: every `caller` and `grant` row of a step, by each actor of that step (its
 *   synthesized IAM policies, plus `extraIdentityPolicies`), and every row with a fixed caller
 *   (the Auto Scaling service-linked role): expected allowed;
 * - `service`: every `service` row by its service principal: expected allowed;
 * - `foreign-source`: every `service` row on behalf of a resource of another account (the facts
 *   rendered with the other account): expected denied (confused deputy);
 * - `undeclared`: every distinct request above, made by a principal of the key's account that no
 *   grant names, with IAM `kms:*`: expected denied, except where the key promises the whole account
 *   access through a service ({@link AccountAccess}, from the construct's documentation);
 * - `other-account`: the same, by a principal of another account with IAM `kms:*`: denied.
 *
 * {@link keyDeploymentRows} adds, for every key of a template, the requests CloudFormation makes on
 * the key itself (CreateKey's lockout safety check: the execution role may `kms:PutKeyPolicy`; the
 * AWS::KMS::Key handlers; aliases), by the execution role of the key's stack.
 *
 * Nothing here looks at what the library grants: expectations come from the model only.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  DOCUMENTED_ACCOUNT_ACCESS, DocumentedAccountAccess, SERVICE_REQUESTS, ServiceName, ServiceRequestRow, Step,
} from './service-requests';
import {
  AccessMismatch, AccessRow, Decision, formatAccessMismatches, KeyRef, LogicalRef, PolicyDocument,
  PolicyWorld, PrincipalRef,
} from './simulate';

export { DOCUMENTED_ACCOUNT_ACCESS };

/** An identity policy allowing everything: what `cdk bootstrap` attaches to the execution role. */
export const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** An identity policy allowing every KMS action on every key. */
export const KMS_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
/** The account of the "other account" principals and sources, unless a test picks another. */
export const OTHER_ACCOUNT = '333333333333';

/** The ARN of the default synthesizer's CloudFormation execution role (qualifier hnb659fds). */
export function cfnExecutionRoleArn(account: string, region: string): string {
  return `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`;
}

/** Who makes the requests of some steps of a resource's life. */
export interface ResourceActor {
  readonly label: string;
  readonly principal: PrincipalRef;
  readonly steps: readonly Step[];
  /** Identity policies beyond the synthesized ones (the execution role's `*`). */
  readonly extraIdentityPolicies?: readonly PolicyDocument[];
}

/** The stack's CloudFormation execution role, with its bootstrapped `*` on `*`, for `steps`. */
export function deployer(stack: Stack, steps: readonly Step[] = ['create']): ResourceActor {
  return { label: 'CloudFormation execution role', principal: cfnExecutionRoleArn(stack.account, stack.region), steps, extraIdentityPolicies: [ALLOW_ALL] };
}

/**
 * Access a key promises every principal of its account through one service, as the construct's
 * documentation says (for example EBS encryption by default). Undeclared principals of the account
 * are expected to get exactly these requests, nothing more.
 */
export interface AccountAccess {
  /** The first label of `kms:ViaService`, e.g. `ec2`. */
  readonly via: string;
  readonly operations: readonly string[];
  /** Where the promise is written (construct documentation, AWS documentation). */
  readonly source: string;
}

/** An {@link AccountAccess} from a set AWS documents. */
export function documentedAccountAccess(set: DocumentedAccountAccess, source: string): AccountAccess {
  return { via: set.via, operations: set.operations, source: `${source} (${set.doc})` };
}

/** An encrypted resource and who uses its key for it. */
export interface EncryptedResource {
  /** Shown in every row's label. */
  readonly label: string;
  readonly key: KeyRef;
  /** The resource's account and Region (placeholders `{account}`, `{region}`). */
  readonly account: string;
  readonly region: string;
  /** The services whose rows apply. */
  readonly services: readonly ServiceName[];
  /** Flags that select rows (`when` / `unless`). */
  readonly flags?: readonly string[];
  /** Values of the resource placeholders; they may use `{account}` and `{region}`. */
  readonly facts?: Readonly<Record<string, string>>;
  readonly actors: readonly ResourceActor[];
}

/** What kind of expectation a row checks. */
export type RowKind = 'declared' | 'service' | 'foreign-source' | 'undeclared' | 'other-account' | 'deployment';

/** An access row derived from a model row. */
export interface ServiceAccessRow extends AccessRow {
  readonly label: string;
  readonly action: string;
  readonly kind: RowKind;
  readonly model: ServiceRequestRow;
}

/** Options of {@link serviceAccessRows}. */
export interface ServiceAccessOptions {
  /** What the key promises the whole account (see {@link AccountAccess}). */
  readonly accountAccess?: readonly AccountAccess[];
  /** @default OTHER_ACCOUNT */
  readonly otherAccount?: string;
}

/** The model rows that apply to a resource: its services, filtered by its flags. */
export function applicableRows(services: readonly ServiceName[], flags: readonly string[] = [], steps?: readonly Step[]): ServiceRequestRow[] {
  return SERVICE_REQUESTS.filter(row => services.includes(row.service)
    && (row.when === undefined || flags.includes(row.when))
    && (row.unless === undefined || !flags.includes(row.unless))
    && (steps === undefined || steps.includes(row.step)));
}

/** Derives every row described in this module's comment for one resource. */
export function serviceAccessRows(world: PolicyWorld, resource: EncryptedResource, options: ServiceAccessOptions = {}): ServiceAccessRow[] {
  const other = options.otherAccount ?? OTHER_ACCOUNT;
  const keyAccount = accountOfArn(world.keyArn(resource.key));
  const model = applicableRows(resource.services, resource.flags);
  if (model.length === 0) throw new Error(`${resource.label}: no row of the model applies (services ${resource.services.join(', ')})`);
  const facts = (account: string): Record<string, string> => renderFacts(resource, account);
  // KMS evaluates aws:ResourceTag from the key's own tags, whoever asks: part of every request.
  const tags = keyTagContext(world, resource.key);
  const out: ServiceAccessRow[] = [];
  const requests = new Map<string, { row: ServiceRequestRow; context: Record<string, string> }>();
  const remember = (row: ServiceRequestRow, context: Record<string, string>, callerAccount: string): void => {
    // The same request by someone else: the caller account is theirs, everything else unchanged.
    const neutral = Object.fromEntries(Object.entries(context).map(([k, v]) => [k, k === 'kms:CallerAccount' && v === callerAccount ? '{callerAccount}' : v]));
    requests.set(`${row.operation} ${JSON.stringify(neutral)}`, { row, context: neutral });
  };

  for (const row of model) {
    const apis = `${row.service} ${row.api}`;
    if (row.as === 'service') {
      const principal = render(required(row.principal, row), facts(resource.account), resource.label);
      const context = renderContext(row, facts(resource.account), undefined, resource.label);
      out.push({ kind: 'service', model: row, label: `${resource.label} | ${principal} | ${apis}`, principal, action: row.operation, key: resource.key, context, expect: 'allow' });
      const foreign = renderContext(row, facts(other), undefined, resource.label);
      const foreignPrincipal = render(row.principal!, facts(other), resource.label);
      out.push({
        kind: 'foreign-source',
        model: row,
        label: `${resource.label} | ${foreignPrincipal} for a resource of ${other} | ${apis}`,
        principal: foreignPrincipal,
        action: row.operation,
        key: resource.key,
        context: foreign,
        expect: 'deny',
      });
      remember(row, context, '');
      continue;
    }
    const actors: ResourceActor[] = row.principal !== undefined
      ? [{ label: 'service-linked role', principal: render(row.principal, facts(resource.account), resource.label), steps: [row.step] }]
      : resource.actors.filter(a => a.steps.includes(row.step));
    for (const actor of actors) {
      const callerAccount = principalAccount(world, actor.principal);
      const context = renderContext(row, facts(resource.account), callerAccount, resource.label);
      out.push({
        kind: 'declared',
        model: row,
        label: `${resource.label} | ${actor.label} | ${row.step} | ${apis}`,
        principal: actor.principal,
        action: row.operation,
        key: resource.key,
        context,
        extraIdentityPolicies: actor.extraIdentityPolicies,
        expect: 'allow',
      });
      remember(row, context, callerAccount);
    }
  }

  for (const { row, context } of requests.values()) {
    const apis = `${row.service} ${row.api}`;
    const undeclared = `arn:aws:iam::${keyAccount}:role/Undeclared`;
    const outsider = `arn:aws:iam::${other}:role/Outsider`;
    const own = fill(context, keyAccount);
    const promised = (options.accountAccess ?? []).find(a => promises(a, row.operation, own));
    out.push({
      kind: 'undeclared',
      model: row,
      label: `${resource.label} | undeclared role of ${keyAccount} with kms:*${promised ? ` (account access promised: ${promised.source})` : ''} | ${apis}`,
      principal: undeclared,
      action: row.operation,
      key: resource.key,
      context: own,
      extraIdentityPolicies: [KMS_ALL],
      expect: promised ? 'allow' : 'deny',
    });
    out.push({
      kind: 'other-account',
      model: row,
      label: `${resource.label} | role of ${other} with kms:* | ${apis}`,
      principal: outsider,
      action: row.operation,
      key: resource.key,
      context: fill(context, other),
      extraIdentityPolicies: [KMS_ALL],
      expect: 'deny',
    });
  }
  return out.map(row => ({ ...row, context: { ...tags, ...row.context } }));
}

/** `aws:ResourceTag/<key>` for every literal tag of the key in its template. */
export function keyTagContext(world: PolicyWorld, key: KeyRef): Record<string, string> {
  const arn = world.keyArn(key);
  const [, , , region, account] = arn.split(':');
  const logicalId = arn.split('/').pop()!;
  const entry = world.stacks.find(s => s.account === account && s.region === region && s.template.Resources?.[logicalId] !== undefined);
  if (!entry) throw new Error(`no template holds the key ${arn}`);
  const tags = entry.template.Resources![logicalId].Properties?.Tags;
  if (!Array.isArray(tags)) return {};
  return Object.fromEntries((tags as Array<{ Key?: unknown; Value?: unknown }>)
    .filter(t => typeof t.Key === 'string' && typeof t.Value === 'string')
    .map(t => [`aws:ResourceTag/${t.Key as string}`, t.Value as string]));
}

/**
 * ReplicateKey: the execution role of the replica's stack replicates the primary key (the `kms`
 * rows with flag `replicatedPrimary`, on the primary key).
 */
export function replicationRows(primaryKey: KeyRef, primaryLabel: string, replicaStack: Stack): ServiceAccessRow[] {
  return applicableRows(['kms'], ['replicatedPrimary'], ['deploy']).filter(r => r.when === 'replicatedPrimary').map((row): ServiceAccessRow => ({
    kind: 'deployment',
    model: row,
    label: `${primaryLabel} | CloudFormation execution role of ${replicaStack.stackName} (${replicaStack.region}) | ${row.api}`,
    principal: cfnExecutionRoleArn(replicaStack.account, replicaStack.region),
    action: row.operation,
    key: primaryKey,
    context: {},
    extraIdentityPolicies: [ALLOW_ALL],
    expect: 'allow',
  }));
}

/** Keys of a world, with the flags that select their deployment rows. */
export interface WorldKey {
  readonly ref: LogicalRef;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly flags: string[];
}

/** Every AWS::KMS::Key and AWS::KMS::ReplicaKey of the world (`aliases` when an alias targets it). */
export function worldKeys(world: PolicyWorld): WorldKey[] {
  const keys: WorldKey[] = [];
  for (const entry of world.stacks) {
    const resources = entry.template.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::KMS::Key' && resource.Type !== 'AWS::KMS::ReplicaKey') continue;
      const aliased = Object.values(resources).some(r => r.Type === 'AWS::KMS::Alias' && JSON.stringify(r.Properties?.TargetKeyId ?? '').includes(`"${logicalId}"`));
      const flags = [...(resource.Type === 'AWS::KMS::ReplicaKey' ? ['replica'] : []), ...(aliased ? ['aliases'] : [])];
      keys.push({ ref: { stackName: entry.stackName, logicalId }, stackName: entry.stackName, account: entry.account, region: entry.region, flags });
    }
  }
  return keys;
}

/**
 * The requests CloudFormation makes on each key of the world (the `kms` rows of steps `deploy` and
 * `delete`), by the execution role of the key's stack with its bootstrapped `*`.
 */
export function keyDeploymentRows(world: PolicyWorld, keys: readonly WorldKey[] = worldKeys(world)): ServiceAccessRow[] {
  if (keys.length === 0) throw new Error('the world has no KMS key');
  return keys.flatMap(key => applicableRows(['kms'], key.flags, ['deploy', 'delete']).map((row): ServiceAccessRow => ({
    kind: 'deployment',
    model: row,
    label: `${key.stackName}/${key.ref.logicalId} | CloudFormation execution role | ${row.api}`,
    principal: cfnExecutionRoleArn(key.account, key.region),
    action: row.operation,
    key: key.ref,
    context: keyTagContext(world, key.ref),
    extraIdentityPolicies: [ALLOW_ALL],
    expect: 'allow',
  })));
}

/** Tallies of {@link runServiceAccess}, per kind of row. */
export class ServiceAccessStats {
  public simulated = 0;
  public mismatches = 0;
  public readonly byKind = new Map<RowKind, { requests: number; denied: number }>();

  /** Requests by undeclared principals (same account, other account, foreign sources) that were denied. */
  public get deniedToUndeclared(): number {
    return (['undeclared', 'other-account', 'foreign-source'] as RowKind[]).reduce((n, k) => n + (this.byKind.get(k)?.denied ?? 0), 0);
  }

  /** Requests by undeclared principals. */
  public get undeclaredRequests(): number {
    return (['undeclared', 'other-account', 'foreign-source'] as RowKind[]).reduce((n, k) => n + (this.byKind.get(k)?.requests ?? 0), 0);
  }

  public record(kind: RowKind, decision: Decision | undefined): void {
    const tally = this.byKind.get(kind) ?? { requests: 0, denied: 0 };
    tally.requests++;
    if (decision !== undefined && decision !== 'Allowed') tally.denied++;
    this.byKind.set(kind, tally);
    this.simulated++;
  }

  public summary(file: string): string {
    const kinds = [...this.byKind.entries()].map(([k, t]) => `${k} ${t.requests} (denied ${t.denied})`).join(', ');
    return `${file}: ${this.simulated} service requests simulated; ${this.deniedToUndeclared} of ${this.undeclaredRequests} requests by undeclared principals denied; `
      + `${this.mismatches} not as the model expects [${kinds}]`;
  }
}

/**
 * Simulates every row, records the decisions in `stats`, and throws one table of every row whose
 * decision differs from the model's expectation. Returns the number of requests simulated.
 */
export async function runServiceAccess(world: PolicyWorld, rows: readonly ServiceAccessRow[], stats: ServiceAccessStats): Promise<number> {
  if (rows.length === 0) throw new Error('runServiceAccess needs at least one row');
  const mismatches: AccessMismatch[] = [];
  for (const row of rows) {
    let decision: Decision | undefined;
    try {
      const outcome = await world.simulateDetailed(row);
      decision = outcome.decision;
      const ok = row.expect === 'allow' ? decision === 'Allowed' : decision !== 'Allowed';
      if (!ok) mismatches.push({ row: { ...row, label: `${row.label} [${row.model.doc}]` }, action: row.action, got: decision, outcome });
    } catch (e) {
      mismatches.push({ row, action: row.action, got: `error: ${(e as Error).message}` });
    }
    stats.record(row.kind, decision);
  }
  stats.mismatches += mismatches.length;
  if (mismatches.length > 0) throw new Error(formatAccessMismatches(mismatches, rows.length));
  return rows.length;
}

/** Groups rows into named checks (one test each): by kind, and declared rows by actor and step. */
export function groupRows(rows: readonly ServiceAccessRow[]): Array<[string, ServiceAccessRow[]]> {
  const groups = new Map<string, ServiceAccessRow[]>();
  for (const row of rows) {
    const [resource, who] = row.label.split(' | ');
    const name = row.kind === 'declared' ? `${resource}: ${who} (${row.model.step})`
      : row.kind === 'deployment' ? `${resource}: CloudFormation deploys and manages the key`
        : row.kind === 'service' ? `${resource}: service principals`
          : row.kind === 'foreign-source' ? `${resource}: service principals for resources of another account are denied`
            : row.kind === 'undeclared' ? `${resource}: undeclared principals of the account`
              : `${resource}: principals of another account are denied`;
    groups.set(name, [...(groups.get(name) ?? []), row]);
  }
  return [...groups.entries()];
}

function promises(access: AccountAccess, operation: string, context: Record<string, string>): boolean {
  const via = context['kms:ViaService'];
  if (!via || !via.startsWith(`${access.via}.`)) return false;
  if (!access.operations.includes(operation)) return false;
  return operation !== 'kms:CreateGrant' || context['kms:GrantIsForAWSResource'] === 'true';
}

function renderFacts(resource: EncryptedResource, account: string): Record<string, string> {
  const base = { region: resource.region, account };
  const out: Record<string, string> = { ...base };
  for (const [name, value] of Object.entries(resource.facts ?? {})) out[name] = render(value, base, resource.label);
  return out;
}

function renderContext(row: ServiceRequestRow, facts: Record<string, string>, callerAccount: string | undefined,
  where: string): Record<string, string> {
  const values = callerAccount === undefined ? facts : { ...facts, callerAccount };
  return Object.fromEntries(Object.entries(row.context)
    .map(([k, v]) => [k, v === '{callerAccount}' && callerAccount === undefined ? v : render(v, values, where)]));
}

function fill(context: Record<string, string>, callerAccount: string): Record<string, string> {
  return Object.fromEntries(Object.entries(context).map(([k, v]) => [k, v === '{callerAccount}' ? callerAccount : v]));
}

function render(template: string, values: Record<string, string>, where: string): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${where}: the model needs the fact {${name}} (in ${JSON.stringify(template)}); give it in the resource's facts`);
    return value;
  });
}

function required(value: string | undefined, row: ServiceRequestRow): string {
  if (value === undefined) throw new Error(`model row ${row.service} ${row.api} ${row.operation} is a service row without a principal`);
  return value;
}

function accountOfArn(arn: string): string {
  const account = arn.split(':')[4];
  if (!/^\d{12}$/.test(account ?? '')) throw new Error(`no account in ${arn}`);
  return account;
}

function principalAccount(world: PolicyWorld, principal: PrincipalRef): string {
  if (typeof principal === 'string') return /^\d{12}$/.test(principal) ? principal : accountOfArn(principal);
  if (isLogicalRef(principal)) return accountOfArn(world.principalArn(principal));
  return accountOfArn(world.principalArn(principal as IConstruct));
}

function isLogicalRef(value: unknown): value is LogicalRef {
  return typeof (value as LogicalRef).logicalId === 'string' && typeof (value as LogicalRef).stackName === 'string' && !CfnResource.isCfnResource(value as IConstruct) && !('node' in (value as object));
}

/**
 * A known product bug: rows whose `label action` matches get `[PRODUCT-BUG <id>]` in their label
 * and test name; their expectation is untouched (they keep failing until the library is fixed).
 */
export interface KnownProductBug {
  readonly id: string;
  readonly match: RegExp;
}

/** Declares one jest test per group of rows (see {@link groupRows}), tagging known product bugs. */
export function defineServiceChecks(world: PolicyWorld, rows: readonly ServiceAccessRow[], stats: ServiceAccessStats,
  bugs: readonly KnownProductBug[] = []): void {
  const idsOf = (row: ServiceAccessRow): string[] => bugs.filter(b => b.match.test(`${row.label} ${row.action}`)).map(b => b.id);
  for (const [name, group] of groupRows(rows)) {
    const ids = [...new Set(group.flatMap(idsOf))];
    const tagged = group.map(row => {
      const found = idsOf(row);
      return found.length > 0 ? { ...row, label: `[PRODUCT-BUG ${found.join(', ')}] ${row.label}` } : row;
    });
    test(ids.length > 0 ? `${name} [PRODUCT-BUG ${ids.join(', ')}]` : name, async () => {
      await runServiceAccess(world, tagged, stats);
    });
  }
}

/**
 * The service request model's rows of a Redshift snapshot share, on the shareable key: the target
 * account's restore through Redshift in the key's Region (by its receiving workflow and by any
 * principal of that account with IAM `kms:*`), undeclared principals and other accounts denied.
 * The same rows prove the share in one Region and the share of cross-Region copies.
 */
export function redshiftShareRows(world: PolicyWorld, share: {
  readonly label: string;
  readonly key: KeyRef;
  readonly account: string;
  readonly region: string;
  readonly targetAccount: string;
  /** The target's receiving workflow role. */
  readonly targetWorkflow: PrincipalRef;
  /** Any other principal of the target account. */
  readonly recipient: PrincipalRef;
}): ServiceAccessRow[] {
  return serviceAccessRows(world, {
    label: share.label,
    key: share.key,
    account: share.account,
    region: share.region,
    services: ['redshift'],
    flags: ['redshiftShare'],
    facts: {},
    actors: [
      { label: 'receiving workflow of the target account', principal: share.targetWorkflow, steps: ['share'] },
      { label: `principal of target account ${share.targetAccount}`, principal: share.recipient, steps: ['share'], extraIdentityPolicies: [KMS_ALL] },
    ],
  }).filter((r) => r.model.step === 'share');
}
