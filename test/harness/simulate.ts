/**
 * KMS policy simulation over synthesized templates, with `@cloud-copilot/iam-simulate`.
 *
 * iam-simulate is AGPL-3.0-or-later: it is a devDependency used by these test helpers only and must
 * never be imported from `src/`.
 *
 * How a request is built (see {@link PolicyWorld.simulateDetailed}):
 *
 * - the key policy is the key's synthesized `KeyPolicy` with every intrinsic resolved (see
 *   `intrinsics.ts` for the placeholder ARNs), or KMS's default policy when the template has none;
 * - the identity policies are every `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`, inline policy and
 *   group policy that the synthesized templates attach to the principal (in any stack of the same
 *   account), plus `extraIdentityPolicies`;
 * - the resource account is the key's stack account; the principal account is the account in the
 *   principal's ARN. iam-simulate then applies KMS's rules: in the key's account, the key policy must
 *   allow the principal directly, or allow the account (`arn:aws:iam::<account>:root`) and an
 *   identity policy must allow too; from another account both the key policy and an identity policy
 *   must allow. A service principal (`logs.amazonaws.com`) has no identity policies and is allowed
 *   only by the key policy;
 * - context keys iam-simulate does not fill in itself are defaulted (the request's own values win):
 *   `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:PrincipalIsAWSService`,
 *   `kms:CallerAccount` for IAM principals; `aws:PrincipalServiceName` and
 *   `aws:PrincipalIsAWSService` for service principals; `aws:ResourceAccount`, `aws:RequestedRegion`
 *   (the key's) and `aws:SecureTransport` = `true` (KMS is HTTPS only) for every request.
 *
 * Quirk handled here: iam-simulate 0.1.x drops every `kms:EncryptionContext:<key>` context key before
 * evaluating (it only recognises `prefix/${Var}` variable keys), so conditions on the encryption
 * context would never match. When that happens and the action supports encryption context, the
 * request is evaluated again with the validated context plus the encryption context keys through
 * iam-simulate's `runUnsafeSimulation` (policies have been validated by the first run).
 */
import { runSimulation, runUnsafeSimulation, typeForContextKey, isConditionKeyArray, allowedContextKeysForRequest } from '@cloud-copilot/iam-simulate';
import type { Simulation, RunSimulationResults } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import {
  CfnResourceEntry,
  DEFAULT_ACCOUNT,
  DEFAULT_REGION,
  EnvironmentDefaults,
  findCfnResource,
  isResourceActive,
  ResolveContext,
  resolveGetAtt,
  resolveIntrinsics,
  resolveRef,
  SynthesizedStack,
  synthesizeStack,
} from './intrinsics';

export { resolveIntrinsics, DEFAULT_ACCOUNT, DEFAULT_REGION } from './intrinsics';
export type { ResolveContext, SynthesizedStack, CfnTemplate } from './intrinsics';

/** What iam-simulate decided for one request. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** Request context keys and their values, e.g. `{ 'kms:ViaService': 's3.us-east-1.amazonaws.com' }`. */
export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

/** An IAM policy document (identity or resource policy) with its intrinsics resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: unknown;
  readonly [key: string]: unknown;
}

/** A policy document with the name simulation results and error messages use for it. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** A resource of a synthesized stack named by stack name and logical id (for templates without constructs). */
export interface LogicalRef {
  readonly stackName: string;
  readonly logicalId: string;
}

/**
 * A KMS key: its construct (a `kms.Key`, `kms.CfnKey`, `kms.CfnReplicaKey` or any construct holding
 * exactly one of them), a {@link LogicalRef}, or the key's placeholder ARN.
 */
export type KeyRef = IConstruct | LogicalRef | string;

/**
 * Who makes the request: a role or user construct (or {@link LogicalRef}) of the world, an IAM ARN
 * (a role or user of the world gets its synthesized policies; any other ARN is an "undeclared"
 * principal with only `extraIdentityPolicies`), a role session
 * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`: the role's policies apply and key policy
 * statements naming the role match it), a 12-digit account (its root), or a service principal
 * such as `logs.amazonaws.com`.
 */
export type PrincipalRef = IConstruct | LogicalRef | string;

/** One request to simulate. */
export interface SimulationRequest {
  readonly principal: PrincipalRef;
  /** A KMS action, e.g. `kms:Decrypt`. */
  readonly action: string;
  readonly key: KeyRef;
  /** Context keys; they override the defaults described in this module's doc comment. */
  readonly context?: ContextValues;
  /** Identity policies added to the principal's synthesized ones (not allowed for service principals). */
  readonly extraIdentityPolicies?: readonly (PolicyDocument | NamedPolicy)[];
}

/** The decision for one request and everything that went into it. */
export interface SimulationOutcome {
  readonly decision: Decision;
  readonly action: string;
  /** The principal ARN or service principal sent to iam-simulate. */
  readonly principal: string;
  /** The principal's account; undefined for service principals. */
  readonly principalAccount?: string;
  readonly keyArn: string;
  readonly keyAccount: string;
  /** The context sent (defaults merged with the request's context). */
  readonly context: Readonly<Record<string, string | string[]>>;
  /** Context keys iam-simulate ignored because they do not apply to the action. */
  readonly ignoredContextKeys: readonly string[];
  /** Names of the identity policies evaluated. */
  readonly identityPolicyNames: readonly string[];
  /** Managed policy ARNs attached to the principal whose documents are unknown (not evaluated). */
  readonly unmodelledManagedPolicies: readonly string[];
  /** Whether the encryption-context workaround described in this module's doc comment was used. */
  readonly encryptionContextReevaluated: boolean;
}

/** Options for {@link PolicyWorld}. */
export interface PolicyWorldOptions extends EnvironmentDefaults {
  /**
   * Documents of managed policies that are not in the templates (AWS managed policies), by ARN.
   * Attached managed policies not found here or in the templates are reported as unmodelled.
   * @default - none
   */
  readonly managedPolicies?: Readonly<Record<string, PolicyDocument>>;
}

const KEY_TYPES = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'];
const PRINCIPAL_TYPES = ['AWS::IAM::Role', 'AWS::IAM::User'];
const IDENTITY_POLICY_SOURCES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy', 'AWS::IAM::Group'];
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;

let simulations = 0;

/** How many requests iam-simulate has evaluated in this test file (module) so far. */
export function simulationCount(): number {
  return simulations;
}

/** Resets {@link simulationCount} to zero. */
export function resetSimulationCount(): void {
  simulations = 0;
}

interface Located {
  readonly entry: SynthesizedStack;
  readonly logicalId: string;
  readonly resource: CfnResourceEntry;
}

interface PrincipalInfo {
  readonly kind: 'iam' | 'service';
  /** What iam-simulate receives as the principal. */
  readonly value: string;
  /** `aws:PrincipalArn`: the role ARN for an assumed-role session, else `value`. */
  readonly principalArn?: string;
  readonly account?: string;
  readonly located?: Located;
}

interface IdentityLookup {
  readonly policies: NamedPolicy[];
  readonly unmodelled: string[];
}

/**
 * The synthesized templates of one or more stacks (possibly in different accounts and regions),
 * with their intrinsics resolved to placeholders, as a world in which KMS requests are simulated.
 *
 * Build it after the app is complete: the templates are synthesized once, in the constructor.
 */
export class PolicyWorld {
  /** Synthesizes `stacks` (with `Template.fromStack`) and builds a world from their templates. */
  public static fromStacks(stacks: readonly Stack[], options: PolicyWorldOptions = {}): PolicyWorld {
    return new PolicyWorld(stacks, options);
  }

  /**
   * Builds a world from a cloud assembly (`app.synth()`), including stacks of nested stages.
   * Resources are then named with {@link LogicalRef}s or ARNs, since the assembly has no constructs.
   */
  public static fromAssembly(assembly: CloudAssembly, options: PolicyWorldOptions = {}): PolicyWorld {
    return new PolicyWorld(assembly.stacksRecursively.map((artifact) => ({
      stackName: artifact.stackName,
      account: /^\d{12}$/.test(artifact.environment.account) ? artifact.environment.account : options.defaultAccount ?? DEFAULT_ACCOUNT,
      region: /^[a-z]{2}(-[a-z]+)+-\d+$/.test(artifact.environment.region) ? artifact.environment.region : options.defaultRegion ?? DEFAULT_REGION,
      template: artifact.template,
    })), options);
  }

  /** The synthesized stacks of this world. */
  public readonly stacks: readonly SynthesizedStack[];
  private readonly managedPolicies: Readonly<Record<string, PolicyDocument>>;
  private iamPrincipalsByArn?: Map<string, Located>;

  /** Accepts stacks (synthesized here) or already synthesized templates. */
  constructor(stacks: readonly (Stack | SynthesizedStack)[], options: PolicyWorldOptions = {}) {
    if (stacks.length === 0) throw new Error('a PolicyWorld needs at least one stack');
    this.stacks = stacks.map((s) => (Stack.isStack(s) ? synthesizeStack(s, options) : s));
    this.managedPolicies = options.managedPolicies ?? {};
    const names = new Set<string>();
    for (const s of this.stacks) {
      const id = `${s.account}/${s.region}/${s.stackName}`;
      if (names.has(id)) throw new Error(`stack ${s.stackName} appears twice in account ${s.account} region ${s.region}`);
      names.add(id);
    }
  }

  /** The resolution context of a synthesized stack of this world (for `resolveIntrinsics`). */
  public contextOf(entry: SynthesizedStack): ResolveContext {
    return { stack: entry, stacks: this.stacks };
  }

  /**
   * Resolves a value of a construct's stack: CDK tokens first (`stack.resolve`), then intrinsics.
   * E.g. `world.resolve(key.keyArn, key)`.
   */
  public resolve(value: unknown, scope: IConstruct): unknown {
    const stack = Stack.of(scope);
    return resolveIntrinsics(stack.resolve(value), this.contextOf(this.entryOf(stack, scope)));
  }

  /** The key's placeholder ARN: `arn:aws:kms:<region>:<account>:key/<logicalId>`. */
  public keyArn(key: KeyRef): string {
    const located = this.locateKey(key);
    return resolveGetAtt(located.logicalId, 'Arn', this.contextOf(located.entry));
  }

  /**
   * The key's synthesized key policy with intrinsics resolved. A key without `KeyPolicy` gets KMS's
   * default policy (the key's account root may use every KMS action, through IAM).
   */
  public keyPolicy(key: KeyRef): PolicyDocument {
    const located = this.locateKey(key);
    const raw = located.resource.Properties?.KeyPolicy;
    if (raw === undefined) {
      return {
        Version: '2012-10-17',
        Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${located.entry.account}:root` }, Action: 'kms:*', Resource: '*' }],
      };
    }
    const resolved = resolveIntrinsics(raw, this.contextOf(located.entry));
    return asPolicyDocument(typeof resolved === 'string' ? JSON.parse(resolved) : resolved, `${located.entry.stackName}/${located.logicalId}.KeyPolicy`);
  }

  /** The ARN of a role or user of this world. */
  public principalArn(principal: IConstruct | LogicalRef): string {
    const located = this.locate(principal, PRINCIPAL_TYPES, 'an IAM role or user');
    return resolveGetAtt(located.logicalId, 'Arn', this.contextOf(located.entry));
  }

  /**
   * Every identity policy the templates attach to a role or user: `AWS::IAM::Policy` and
   * `AWS::IAM::ManagedPolicy` resources listing it (directly or through a group) in any stack of the
   * same account, its inline `Policies`, and managed policies in `ManagedPolicyArns` whose document
   * is known. An ARN or service principal that is not in the world has none.
   */
  public identityPolicies(principal: PrincipalRef): NamedPolicy[] {
    return this.identityLookup(this.principalInfo(principal)).policies;
  }

  /** Simulates one request and returns iam-simulate's decision. */
  public async simulate(request: SimulationRequest): Promise<Decision> {
    return (await this.simulateDetailed(request)).decision;
  }

  /** Simulates one request and returns the decision with the inputs that produced it. */
  public async simulateDetailed(request: SimulationRequest): Promise<SimulationOutcome> {
    if (!/^kms:[A-Za-z]+$/.test(request.action)) {
      throw new Error(`action must be a single KMS action such as kms:Decrypt, got ${JSON.stringify(request.action)}`);
    }
    const principal = this.principalInfo(request.principal);
    const key = this.locateKey(request.key);
    const keyCtx = this.contextOf(key.entry);
    const keyArn = resolveGetAtt(key.logicalId, 'Arn', keyCtx);
    const keyPolicy = this.keyPolicy(request.key);

    const identity = this.identityLookup(principal);
    const extra = (request.extraIdentityPolicies ?? []).map((p, i): NamedPolicy => (isNamedPolicy(p) ? p : { name: `extra-${i}`, policy: p }));
    if (principal.kind === 'service' && extra.length > 0) {
      throw new Error(`${principal.value} is a service principal: it has no identity policies, so extraIdentityPolicies cannot apply`);
    }
    const identityPolicies = [...identity.policies, ...extra];

    const context = mergeContext(defaultContext(principal, key.entry), request.context ?? {});
    const simulation: Simulation = {
      request: {
        principal: principal.value,
        action: request.action,
        resource: { resource: keyArn, accountId: key.entry.account },
        contextVariables: context,
      },
      identityPolicies: identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: keyPolicy,
    };
    simulations++;
    const response = await runSimulation(simulation, {});
    if (response.resultType === 'error') {
      throw new Error(`iam-simulate rejected the request ${describeRequest(principal.value, request.action, keyArn)}: ${formatSimulationErrors(response)}`);
    }
    let decision: Decision = response.overallResult;
    let ignored = response.resultType === 'single' ? [...response.result.ignoredContextKeys ?? []] : [];
    const droppedEncryptionContext = ignored.filter((k) => /^kms:encryptioncontext:/i.test(k));
    let reevaluated = false;
    if (droppedEncryptionContext.length > 0 && await supportsEncryptionContext(request.action, keyArn)) {
      const kept = Object.fromEntries(Object.entries(context).filter(([k]) => !ignored.includes(k) || droppedEncryptionContext.includes(k)));
      decision = runUnsafeSimulation({
        ...simulation,
        request: { ...simulation.request, contextVariables: await normalizeContext(kept) },
        // runUnsafeSimulation loads the resource policy without a name unless it is handed a
        // validated policy; the first run above has validated it.
        resourcePolicy: { __validated: true, policyDocument: keyPolicy, metadata: { name: 'KeyPolicy' }, errors: [] },
      }, {});
      ignored = ignored.filter((k) => !droppedEncryptionContext.includes(k));
      reevaluated = true;
    }
    return {
      decision,
      action: request.action,
      principal: principal.value,
      principalAccount: principal.account,
      keyArn,
      keyAccount: key.entry.account,
      context,
      ignoredContextKeys: ignored,
      identityPolicyNames: identityPolicies.map((p) => p.name),
      unmodelledManagedPolicies: identity.unmodelled,
      encryptionContextReevaluated: reevaluated,
    };
  }

  private locateKey(key: KeyRef): Located {
    if (typeof key === 'string') {
      for (const entry of this.stacks) {
        const ctx = this.contextOf(entry);
        for (const [logicalId, resource] of Object.entries(entry.template.Resources ?? {})) {
          if (KEY_TYPES.includes(resource.Type) && resolveGetAtt(logicalId, 'Arn', ctx) === key) return { entry, logicalId, resource };
        }
      }
      throw new Error(`no KMS key of this world has the ARN ${key}; keys: ${this.allKeyArns().join(', ') || '(none)'}`);
    }
    return this.locate(key, KEY_TYPES, 'a KMS key');
  }

  private allKeyArns(): string[] {
    return this.stacks.flatMap((entry) => Object.entries(entry.template.Resources ?? {})
      .filter(([, r]) => KEY_TYPES.includes(r.Type))
      .map(([id]) => resolveGetAtt(id, 'Arn', this.contextOf(entry))));
  }

  private locate(ref: IConstruct | LogicalRef, types: readonly string[], what: string): Located {
    if (isLogicalRef(ref)) {
      const candidates = this.stacks.filter((s) => s.stackName === ref.stackName);
      if (candidates.length !== 1) {
        throw new Error(`${candidates.length === 0 ? 'no' : 'more than one'} stack named ${ref.stackName} in this world; stacks: ${this.stacks.map((s) => s.stackName).join(', ')}`);
      }
      return checkType(candidates[0], ref.logicalId, types, what);
    }
    const cfn = findCfnResource(ref, types, what);
    const stack = Stack.of(cfn);
    const logicalId = stack.resolve(cfn.logicalId) as string;
    return checkType(this.entryOf(stack, ref), logicalId, types, what);
  }

  private entryOf(stack: Stack, scope: IConstruct): SynthesizedStack {
    const entry = this.stacks.find((s) => s.stack === stack);
    if (!entry) {
      throw new Error(`${scope.node.path} is in stack ${stack.stackName}, which is not part of this PolicyWorld (stacks: ${this.stacks.map((s) => s.stackName).join(', ')}); pass every stack to the PolicyWorld`);
    }
    return entry;
  }

  private principalInfo(principal: PrincipalRef): PrincipalInfo {
    if (typeof principal !== 'string') {
      const located = this.locate(principal, PRINCIPAL_TYPES, 'an IAM role or user');
      const arn = resolveGetAtt(located.logicalId, 'Arn', this.contextOf(located.entry));
      return { kind: 'iam', value: arn, principalArn: arn, account: located.entry.account, located };
    }
    if (SERVICE_PRINCIPAL.test(principal)) return { kind: 'service', value: principal };
    const arn = /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal;
    const parts = arn.split(':');
    if (parts.length < 6 || parts[0] !== 'arn' || !/^\d{12}$/.test(parts[4])) {
      throw new Error(`principal must be a construct, an IAM ARN with an account, a 12-digit account or a service principal such as logs.amazonaws.com; got ${JSON.stringify(principal)}`);
    }
    const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
    if (session) {
      // A role session: iam-simulate matches it against the role; the role's policies apply.
      const [, account, roleName] = session;
      const role = [...this.iamPrincipals().entries()].find(([candidate]) => candidate.startsWith(`arn:aws:iam::${account}:role/`) && candidate.endsWith(`/${roleName}`));
      return { kind: 'iam', value: arn, principalArn: role?.[0] ?? `arn:aws:iam::${account}:role/${roleName}`, account, located: role?.[1] };
    }
    return { kind: 'iam', value: arn, principalArn: arn, account: parts[4], located: this.iamPrincipals().get(arn) };
  }

  private iamPrincipals(): ReadonlyMap<string, Located> {
    if (!this.iamPrincipalsByArn) {
      this.iamPrincipalsByArn = new Map();
      for (const entry of this.stacks) {
        for (const [logicalId, resource] of Object.entries(entry.template.Resources ?? {})) {
          if (PRINCIPAL_TYPES.includes(resource.Type)) {
            this.iamPrincipalsByArn.set(resolveGetAtt(logicalId, 'Arn', this.contextOf(entry)), { entry, logicalId, resource });
          }
        }
      }
    }
    return this.iamPrincipalsByArn;
  }

  private identityLookup(principal: PrincipalInfo): IdentityLookup {
    const policies: NamedPolicy[] = [];
    const unmodelled: string[] = [];
    const located = principal.located;
    if (principal.kind === 'service' || !located) return { policies, unmodelled };

    const ownCtx = this.contextOf(located.entry);
    const account = located.entry.account;
    const isRole = located.resource.Type === 'AWS::IAM::Role';
    const name = resolveRef(located.logicalId, ownCtx);
    const props = resolveIntrinsics(located.resource.Properties ?? {}, ownCtx) as Record<string, unknown>;
    const groups = isRole ? [] : stringList(props.Groups);
    const managedArns = new Set<string>(stringList(props.ManagedPolicyArns));
    const source = `${located.entry.stackName}/${located.logicalId}`;
    addInline(policies, source, props.Policies);

    const attachedTo = (p: Record<string, unknown>): boolean =>
      stringList(isRole ? p.Roles : p.Users).includes(name) || stringList(p.Groups).some((g) => groups.includes(g));

    const sameAccount = this.stacks.filter((s) => s.account === account).flatMap((entry) => {
      const ctx = this.contextOf(entry);
      return Object.entries(entry.template.Resources ?? {})
        .filter(([logicalId, resource]) => IDENTITY_POLICY_SOURCES.includes(resource.Type) && isResourceActive(logicalId, ctx))
        .map(([logicalId, resource]) => ({
          type: resource.Type,
          where: `${entry.stackName}/${logicalId}`,
          ref: resolveRef(logicalId, ctx),
          props: resolveIntrinsics(resource.Properties ?? {}, ctx) as Record<string, unknown>,
        }));
    });
    // Groups first: their inline policies, and the managed policies they attach by ARN.
    for (const group of sameAccount.filter((r) => r.type === 'AWS::IAM::Group' && groups.includes(r.ref))) {
      addInline(policies, group.where, group.props.Policies);
      stringList(group.props.ManagedPolicyArns).forEach((a) => managedArns.add(a));
    }
    for (const { type, where, ref, props: p } of sameAccount) {
      switch (type) {
        case 'AWS::IAM::Policy':
          if (attachedTo(p)) policies.push({ name: where, policy: asPolicyDocument(p.PolicyDocument, where) });
          break;
        case 'AWS::IAM::ManagedPolicy':
          if (attachedTo(p) || managedArns.has(ref)) {
            policies.push({ name: where, policy: asPolicyDocument(p.PolicyDocument, where) });
            managedArns.delete(ref);
          }
          break;
        case 'AWS::IAM::RolePolicy':
        case 'AWS::IAM::UserPolicy':
        case 'AWS::IAM::GroupPolicy':
          if ((isRole ? p.RoleName : p.UserName) === name || (typeof p.GroupName === 'string' && groups.includes(p.GroupName))) {
            policies.push({ name: where, policy: asPolicyDocument(p.PolicyDocument, where) });
          }
          break;
        default:
          break;
      }
    }
    // Managed policies attached by ARN and not defined in a template of the account: documents
    // given in the options, or unmodelled (reported with every outcome).
    for (const arn of managedArns) {
      const known = this.managedPolicies[arn];
      if (known) policies.push({ name: arn, policy: known });
      else unmodelled.push(arn);
    }
    return { policies, unmodelled };
  }
}

/** What a row of {@link expectAccess} expects: `deny` accepts an implicit or explicit deny. */
export type ExpectedAccess = 'allow' | 'deny' | 'explicit-deny';

/** One expectation of {@link expectAccess}: a request (one per action) and its expected outcome. */
export interface AccessRow {
  /** Shown in the failure table instead of the principal. */
  readonly label?: string;
  readonly principal: PrincipalRef;
  /** One action, or several that must all have the expected outcome. */
  readonly action: string | readonly string[];
  readonly key: KeyRef;
  readonly context?: ContextValues;
  readonly extraIdentityPolicies?: readonly (PolicyDocument | NamedPolicy)[];
  readonly expect: ExpectedAccess;
}

/** A row of {@link expectAccess} whose outcome differed from the expectation. */
export interface AccessMismatch {
  readonly row: AccessRow;
  readonly action: string;
  /** The decision, or `error: <message>` if the request could not be simulated. */
  readonly got: string;
  readonly outcome?: SimulationOutcome;
}

/**
 * Simulates every row (every action of every row) and throws one error listing every row whose
 * decision differs from its expectation, as a table. Returns the number of requests simulated.
 */
export async function expectAccess(world: PolicyWorld, rows: readonly AccessRow[]): Promise<number> {
  if (rows.length === 0) throw new Error('expectAccess needs at least one row');
  const mismatches: AccessMismatch[] = [];
  let count = 0;
  for (const row of rows) {
    const actions = typeof row.action === 'string' ? [row.action] : row.action;
    if (actions.length === 0) throw new Error(`row ${describeRow(row)} has no action`);
    for (const action of actions) {
      count++;
      try {
        const outcome = await world.simulateDetailed({ ...row, action });
        if (!meets(row.expect, outcome.decision)) mismatches.push({ row, action, got: outcome.decision, outcome });
      } catch (e) {
        mismatches.push({ row, action, got: `error: ${(e as Error).message}` });
      }
    }
  }
  if (mismatches.length > 0) throw new Error(formatAccessMismatches(mismatches, count));
  return count;
}

/** Formats mismatches of {@link expectAccess} as a table, one line per request. */
export function formatAccessMismatches(mismatches: readonly AccessMismatch[], total: number): string {
  const header = ['#', 'who', 'action', 'context', 'expected', 'got', 'notes'];
  const lines = mismatches.map((m, i) => [
    String(i + 1),
    describeRow(m.row),
    m.action,
    Object.entries(m.row.context ?? {}).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`).join(' ') || '-',
    m.row.expect,
    m.got,
    notes(m.outcome),
  ]);
  const widths = header.map((h, c) => Math.min(80, Math.max(h.length, ...lines.map((l) => l[c].length))));
  const render = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ').trimEnd();
  return [
    `${mismatches.length} of ${total} simulated KMS requests did not get the expected decision:`,
    render(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...lines.map(render),
  ].join('\n');
}

function notes(outcome: SimulationOutcome | undefined): string {
  if (!outcome) return '';
  const parts: string[] = [];
  if (outcome.ignoredContextKeys.length > 0) parts.push(`ignored context keys: ${outcome.ignoredContextKeys.join(', ')}`);
  if (outcome.unmodelledManagedPolicies.length > 0) parts.push(`unmodelled managed policies: ${outcome.unmodelledManagedPolicies.join(', ')}`);
  if (outcome.principalAccount !== undefined && outcome.principalAccount !== outcome.keyAccount) parts.push(`cross-account ${outcome.principalAccount} -> ${outcome.keyAccount}`);
  return parts.join('; ');
}

function meets(expected: ExpectedAccess, decision: Decision): boolean {
  switch (expected) {
    case 'allow': return decision === 'Allowed';
    case 'deny': return decision !== 'Allowed';
    case 'explicit-deny': return decision === 'ExplicitlyDenied';
  }
}

function describeRow(row: AccessRow): string {
  return row.label ?? describePrincipal(row.principal);
}

function describePrincipal(principal: PrincipalRef): string {
  if (typeof principal === 'string') return principal;
  if (isLogicalRef(principal)) return `${principal.stackName}/${principal.logicalId}`;
  return principal.node.path;
}

function describeRequest(principal: string, action: string, keyArn: string): string {
  return `(${principal} ${action} on ${keyArn})`;
}

function defaultContext(principal: PrincipalInfo, keyStack: SynthesizedStack): Record<string, string> {
  const common = { 'aws:ResourceAccount': keyStack.account, 'aws:RequestedRegion': keyStack.region, 'aws:SecureTransport': 'true' };
  if (principal.kind === 'service') {
    return { 'aws:PrincipalServiceName': principal.value, 'aws:PrincipalIsAWSService': 'true', ...common };
  }
  const resourcePart = principal.value.split(':').slice(5).join(':');
  const type = resourcePart === 'root' ? 'Account' : resourcePart.startsWith('user/') ? 'User' : resourcePart.startsWith('assumed-role/') || resourcePart.startsWith('role/') ? 'AssumedRole' : 'FederatedUser';
  return {
    'aws:PrincipalArn': principal.principalArn ?? principal.value,
    'aws:PrincipalAccount': principal.account ?? '',
    'aws:PrincipalType': type,
    'aws:PrincipalIsAWSService': 'false',
    'kms:CallerAccount': principal.account ?? '',
    ...common,
  };
}

/** Merges context keys case-insensitively: a key of `overrides` replaces any spelling of it in `defaults`. */
function mergeContext(defaults: Readonly<Record<string, string>>, overrides: ContextValues): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const overridden = new Set(Object.keys(overrides).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(defaults)) if (!overridden.has(k.toLowerCase())) out[k] = v;
  for (const [k, v] of Object.entries(overrides)) out[k] = typeof v === 'string' ? v : [...v];
  return out;
}

async function normalizeContext(context: Readonly<Record<string, string | string[]>>): Promise<Record<string, string | string[]>> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(context)) {
    // Every key left here passed iam-simulate's own validation, so its type is known.
    if (isConditionKeyArray(await typeForContextKey(key))) out[key] = [value].flat();
    else out[key] = Array.isArray(value) ? value[0] : value;
  }
  return out;
}

async function supportsEncryptionContext(action: string, keyArn: string): Promise<boolean> {
  const [service, name] = action.split(':');
  const keys = await allowedContextKeysForRequest(service, name, keyArn, false, undefined);
  return keys.includes('kms:encryptioncontext:${encryptioncontextkey}');
}

function formatSimulationErrors(response: Extract<RunSimulationResults, { resultType: 'error' }>): string {
  const { message, ...details } = response.errors;
  const lines = Object.entries(details).map(([kind, value]) => `${kind}: ${JSON.stringify(value)}`);
  const hints: Record<string, string> = {
    'invalid.action': 'the action does not exist in iam-simulate\'s IAM data',
    'invalid.principal': 'the principal is neither an ARN nor a service principal',
    'policy.errors': 'a policy is not valid IAM policy grammar',
  };
  return [`${message}${hints[message] ? ` (${hints[message]})` : ''}`, ...lines].join('; ');
}

function checkType(entry: SynthesizedStack, logicalId: string, types: readonly string[], what: string): Located {
  const resource = entry.template.Resources?.[logicalId];
  if (!resource) throw new Error(`stack ${entry.stackName} has no resource ${logicalId}`);
  if (!types.includes(resource.Type)) {
    throw new Error(`${entry.stackName}/${logicalId} is ${resource.Type}, expected ${what} (${types.join(' or ')})`);
  }
  return { entry, logicalId, resource };
}

function addInline(policies: NamedPolicy[], source: string, inline: unknown): void {
  if (!Array.isArray(inline)) return;
  for (const entry of inline as Array<Record<string, unknown>>) {
    const where = `${source}/${String(entry.PolicyName)}`;
    policies.push({ name: where, policy: asPolicyDocument(entry.PolicyDocument, where) });
  }
}

function stringList(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function asPolicyDocument(value: unknown, where: string): PolicyDocument {
  const doc = typeof value === 'string' ? JSON.parse(value) as unknown : value;
  if (doc === null || typeof doc !== 'object' || !('Statement' in doc)) {
    throw new Error(`${where} is not a policy document: ${JSON.stringify(doc)}`);
  }
  const text = JSON.stringify(doc);
  if (text.includes('${Token[')) throw new Error(`${where} still contains an unresolved CDK token: ${text}`);
  return doc as PolicyDocument;
}

function isNamedPolicy(value: PolicyDocument | NamedPolicy): value is NamedPolicy {
  return typeof (value as NamedPolicy).name === 'string' && typeof (value as NamedPolicy).policy === 'object';
}

function isLogicalRef(value: IConstruct | LogicalRef): value is LogicalRef {
  return typeof (value as LogicalRef).logicalId === 'string' && typeof (value as LogicalRef).stackName === 'string' && !('node' in value);
}
