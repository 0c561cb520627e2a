import { Annotations, Arn, Aws, IResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import {
  callerAccount, Conditions, grantIsForAwsResource, hasEncryptionContext, hasGrantIsForAwsResource, hasSource, hasViaService,
  mergeConditions, pinsPrincipal, resourceAliases, resourceTag, sourceAccount, viaService, viaServicesOf,
} from './conditions';
import { KeyCapability } from './key-capability';
import { KeyPolicyDocument, KeyPolicyEntry } from './key-policy-document';
import { KeyReferences } from './key-references';
import { KeyService } from './key-service';
import { compareAccounts, KeyPolicyPrincipal, keyPolicyPrincipal } from './principals';
import { KeyAccessReportRegistry } from '../compliance/key-access-report';
import { acknowledge } from '../private/acknowledge';
import { CAPABILITIES, capabilityMismatch } from '../private/capabilities';
import { WarningIds } from '../private/ids';
import * as perms from '../private/perms';
import { fail } from '../private/validation';

/**
 * The key a `KeyGrants` writes for. Read lazily: a key's ARN exists only once its resource does.
 */
export interface GrantSubject extends IResource {
  readonly keyArn: string;
  readonly keySpec: kms.KeySpec;
  readonly keyUsage: kms.KeyUsage;
}

/**
 * Where one key's grants go.
 */
export interface KeyGrantsProps {
  /** The key (or the view of a key) grants are made on. */
  readonly subject: GrantSubject;
  /** The key policy, when this library owns it; undefined for imported keys. */
  readonly document?: KeyPolicyDocument;
  /** The value of the key's `KEY_TAG` tag, for identity policies in other environments. */
  readonly keyTagValue?: () => string | undefined;
  /** The alias an imported key is known by: identity policies then name it with `kms:ResourceAliases`. */
  readonly aliasName?: string;
  /** Accept account-wide statements from other constructs, narrowed to cryptographic actions. */
  readonly allowAccountWideStatements?: boolean;
  /** Every grant goes through this service (`kms:ViaService` and `kms:CallerAccount`). */
  readonly via?: KeyService;
}

/** How one grant is written. */
interface GrantOptions {
  /** Who asked, for error messages (`grantDecrypt`, `KeyAccess`...). */
  readonly source: string;
  /** The Sid stem of the statement. */
  readonly label: string;
  /** The Sid stem of the split-out `kms:CreateGrant` statement. */
  readonly grantLabel?: string;
  /** Further conditions. */
  readonly conditions?: Conditions;
  /** Administrative actions are allowed (declared administrators only). */
  readonly administrative?: boolean;
  /** The grant comes from another construct's `addToResourcePolicy`. */
  readonly fromStatement?: boolean;
  /**
   * When the IAM half is written: `always` (grant methods), `whenNeeded` (only where the key policy
   * names the principal through its account, as `KeyAccess` does), `never` (administrators, other
   * constructs' statements).
   * @default 'always'
   */
  readonly identity?: 'always' | 'whenNeeded' | 'never';
  /** The statement as another construct asked for it, for messages. */
  readonly statementJson?: string;
}

/** Who asks for the administrators' statements. */
const ADMINISTRATORS_SOURCE = 'administrators';

/** The tag every key created by this library carries (see `EncryptionKeyBase.KEY_TAG`). */
export const KEY_TAG = 'cdk-kms-patterns:key';

/**
 * The one path from any grant to a key policy and an IAM policy.
 *
 * Every grant method of every key kind, `KeyAccess`, the service views, the service recipes, the
 * administrators, the statements other constructs add with `addToResourcePolicy`, and the IAM
 * statements and encrypted resources `KeyReferences` finds go through `plan` (the rules, applied
 * once, before anything is written) and `write`:
 *
 * - actions are explicit (wildcards expanded against the key's actions, names in KMS's casing);
 * - `kms:CreateGrant` only ever with `kms:GrantIsForAWSResource`;
 * - administrative actions only for declared administrators;
 * - principals of another account only what KMS honours across accounts;
 * - service principals only on behalf of the key's account (`aws:SourceAccount`) unless the
 *   caller named a source;
 * - the account root (delegation to IAM) through a service warns, without a service it is refused
 *   for other constructs' statements unless the key accepts them;
 * - imported keys: each entry becomes a statement the owner must add, reported and warned about.
 *
 * The IAM half names the key ARN, or in another environment every key of its account and Region
 * carrying the key's tag, or for a key imported by alias every key known by that alias.
 */
export class KeyGrants {
  constructor(private readonly props: KeyGrantsProps) {}

  /** The same key, every grant through `service`. */
  public withService(service: KeyService, subject: GrantSubject): KeyGrants {
    return new KeyGrants({ ...this.props, subject, via: service });
  }

  /** Whether the key policy can be edited. */
  public get policyEditable(): boolean {
    return this.props.document !== undefined;
  }

  /**
   * Throws when a capability does not fit the key.
   *
   * @param source who asked, for the message
   */
  public checkCapabilities(source: string, capabilities: KeyCapability[]): void {
    const subject = this.props.subject;
    for (const capability of capabilities) {
      const mismatch = capabilityMismatch(capability, subject.keySpec, subject.keyUsage);
      if (mismatch) {
        fail(`${source}: cannot grant ${capability} on ${subject.node.path}: ${mismatch}`);
      }
    }
  }

  /**
   * Grants capabilities: a key policy statement and an IAM policy statement.
   *
   * @param labelSuffix added to the Sid stems (`ViaS3`)
   */
  public grantCapabilities(grantee: iam.IGrantable, capabilities: KeyCapability[], source: string,
    extra: { labelSuffix?: string; conditions?: Conditions; label?: string } = {}): iam.Grant {
    if (capabilities.length === 0) {
      fail(`${source} needs at least one capability`);
    }
    this.checkCapabilities(source, capabilities);
    const suffix = extra.labelSuffix ?? '';
    const plain = capabilities.filter(c => c !== KeyCapability.GRANT_FOR_AWS_RESOURCE);
    const grants: iam.Grant[] = [];
    const grantLabel = extra.label ? `${extra.label}Grants${suffix}` : `GrantsForAwsResources${suffix}`;
    if (plain.length > 0) {
      grants.push(this.grant(grantee, plain.flatMap(c => CAPABILITIES[c].actions), {
        source,
        label: `${extra.label ?? labelOf(plain)}${suffix}`,
        grantLabel,
        conditions: extra.conditions,
      }));
    }
    if (capabilities.includes(KeyCapability.GRANT_FOR_AWS_RESOURCE)) {
      grants.push(this.grant(grantee, CAPABILITIES[KeyCapability.GRANT_FOR_AWS_RESOURCE].actions, {
        source,
        label: grantLabel,
        conditions: mergeConditions(extra.conditions, grantIsForAwsResource()),
      }));
    }
    return grants.reduce((a, b) => a.combine(b));
  }

  /**
   * aws-cdk-lib's `grantEncrypt` / `grantDecrypt` / `grantEncryptDecrypt` contract, written out and
   * limited to what the key supports.
   */
  public grantContract(grantee: iam.IGrantable, encrypt: boolean, decrypt: boolean, source: string): iam.Grant {
    const subject = this.props.subject;
    // The first capability of each half must fit; the rest of the contract applies where the key supports it.
    this.checkCapabilities(source, [...(encrypt ? [KeyCapability.ENCRYPT] : []), ...(decrypt ? [KeyCapability.DECRYPT] : [])]);
    const supported = new Set(Object.values(KeyCapability)
      .filter(c => capabilityMismatch(c, subject.keySpec, subject.keyUsage) === undefined)
      .flatMap(c => CAPABILITIES[c].actions));
    const actions = [...(encrypt ? perms.CDK_ENCRYPT_ACTIONS : []), ...(decrypt ? perms.CDK_DECRYPT_ACTIONS : [])].filter(a => supported.has(a));
    const label = encrypt && decrypt ? 'EncryptDecrypt' : encrypt ? 'Encrypt' : 'Decrypt';
    return this.grant(grantee, actions, { source, label });
  }


  /**
   * Grants raw KMS actions (wildcards expanded; administrative actions refused).
   */
  public grantActions(grantee: iam.IGrantable, actions: string[], source: string): iam.Grant {
    if (actions.length === 0) {
      fail(`${source} needs at least one action`);
    }
    return this.grant(grantee, expandActions(actions, `${source} on ${this.props.subject.node.path}`), { source, label: 'Grant' });
  }

  /**
   * Grants administrative actions to a principal that needs them for one job (importing key
   * material), with its IAM half: the only grant path to administrative actions besides the
   * declared administrators.
   */
  public grantAdministrative(grantee: iam.IGrantable, actions: string[], source: string, label: string): iam.Grant {
    return this.grant(grantee, actions, { source, label, administrative: true });
  }

  /**
   * Adds an administrator's statement (administrative actions, never cryptographic use).
   */
  public addAdministrator(principal: iam.IPrincipal, actions: string[], label: string): void {
    this.grant({ grantPrincipal: principal }, actions, { source: ADMINISTRATORS_SOURCE, label, administrative: true, identity: 'never' });
  }

  /**
   * Writes key policy entries for principals that are not IAM grantees (account roots, `*` with
   * conditions, service principals of recipes). Used by `KeyAccess` and the service recipes.
   */
  public addEntries(source: string, entries: KeyPolicyEntry[], options: { grantLabel?: string; administrative?: boolean } = {}): void {
    const planned = entries.flatMap(entry => splitCreateGrant(entry.actions, entry.conditions,
      { source, label: entry.label, grantLabel: options.grantLabel })
      .flatMap(group => this.plan({ ...entry, label: group.label, actions: group.actions, conditions: group.conditions },
        { source, label: group.label, administrative: options.administrative })));
    this.write(planned);
  }

  /**
   * A grant through the one path, for `KeyAccess` principals: key policy entries with the access
   * rule's conditions, and the IAM half where the key policy names the principal through its account.
   */
  public grantAccess(principal: iam.IPrincipal, actions: string[], conditions: Conditions | undefined, label: string): void {
    this.grant({ grantPrincipal: principal }, actions, { source: 'access', label, conditions, identity: 'whenNeeded' });
  }

  /**
   * A statement another construct adds with `addToResourcePolicy`, through the same rules.
   */
  public addStatement(statement: iam.PolicyStatement, caller: string): iam.AddToResourcePolicyResult {
    const subject = this.props.subject;
    const json = Stack.of(subject).resolve(statement.toStatementJson());
    if (statement.notActions.length > 0 || statement.notPrincipals.length > 0) {
      fail(`${caller} asked to add a statement with NotAction or NotPrincipal to the key policy of ${subject.node.path}: `
        + `a least-privilege key policy names its principals and actions; statement: ${JSON.stringify(json)}`);
    }
    if (statement.effect === iam.Effect.DENY) {
      if (!this.props.document) {
        this.reportOwnerStatement(statement.toStatementJson());
        return { statementAdded: false };
      }
      this.props.document.addStatement(statement);
      return { statementAdded: true, policyDependable: subject };
    }
    const actions = expandActions(statement.actions, `${caller} (statement ${JSON.stringify(json)}) on ${subject.node.path}`);
    const conditions = statement.conditions && Object.keys(statement.conditions).length > 0 ? statement.conditions as Conditions : undefined;
    const label = statement.sid ? statement.sid.replace(/[^A-Za-z0-9]/g, '') || 'Statement' : 'Statement';
    if (statement.principals.length === 0) {
      fail(`${caller}: a key policy statement needs a principal; got ${JSON.stringify(json)}`);
    }
    for (const principal of statement.principals) {
      this.grant({ grantPrincipal: principal }, actions, {
        source: caller,
        label,
        conditions,
        fromStatement: true,
        identity: 'never',
        statementJson: JSON.stringify(json),
      });
    }
    return this.props.document ? { statementAdded: true, policyDependable: subject } : { statementAdded: false };
  }

  /**
   * Honours in the key policy an IAM statement of the app that names this key but that the grant
   * path did not write (aws-cdk-lib constructs that only write the principal's IAM policy): exactly
   * that principal, those actions (written out) and those conditions.
   */
  public grantFromIdentityStatement(principal: iam.IPrincipal, actions: string[], conditions: Conditions | undefined, source: string): void {
    const expanded = expandActions(actions, `${source} on ${this.props.subject.node.path}`);
    this.grant({ grantPrincipal: principal }, expanded, { source, label: 'FromIamPolicy', conditions, identity: 'never' });
  }

  /**
   * Lets a service (or a principal pinned by conditions) use the key: a named recipe of
   * `service-access.ts`, checked against the key and written like any grant.
   */
  public allowService(source: string, capabilities: KeyCapability[], entries: KeyPolicyEntry[], grantLabel?: string): void {
    this.checkCapabilities(source, capabilities);
    this.addEntries(source, entries, { grantLabel });
  }

  /** The one grant: checks everything for every principal, then writes both halves. */
  private grant(grantee: iam.IGrantable, actions: string[], options: GrantOptions): iam.Grant {
    const principal = grantee.grantPrincipal;
    const subject = this.props.subject;
    const conditions = mergeConditions(options.conditions, this.viewConditions(principal));
    const rendered = keyPolicyPrincipal(principal, subject);
    const groups = splitCreateGrant([...new Set(actions)].sort(), conditions, options);
    this.write(this.planGroups(groups, rendered, principal, options));
    const identity = options.identity ?? 'always';
    if (identity === 'never'
      || (identity === 'whenNeeded' && !rendered.some(p => p.needsIdentityPolicy && p.principalArns))) {
      return iam.Grant.drop(grantee, `${options.source} on ${subject.node.path}`);
    }
    const grant = groups.map(group => this.identityHalf(grantee, group.actions, group.conditions)).reduce((a, b) => a.combine(b));
    if (grant.success) {
      return this.policyDocumentRecord(grantee, grant, groups.flatMap(g => g.actions));
    }
    return this.liveGrant(grantee, groups.flatMap(g => g.actions), options, conditions);
  }

  private planGroups(groups: Array<{ actions: string[]; conditions: Conditions | undefined; label: string }>,
    rendered: KeyPolicyPrincipal[], principal: iam.IPrincipal, options: GrantOptions): KeyPolicyEntry[] {
    return groups.flatMap(group => rendered.flatMap(p =>
      this.plan(entryOf(p, group.actions, group.label, group.conditions), { ...options, label: group.label }, p, principal)));
  }

  /**
   * The checks every entry passes, in one place. Throws before anything is written.
   */
  private plan(entry: KeyPolicyEntry, options: GrantOptions, rendered?: KeyPolicyPrincipal, principal?: iam.IPrincipal): KeyPolicyEntry[] {
    const subject = this.props.subject;
    const keyAccount = subject.env.account;
    let actions = entry.actions;
    let conditions = entry.conditions;
    const who = principal ? `${principal}` : entry.principalType === '*' ? 'principals matching the conditions' : entry.principals.join(', ');

    if (entry.principalType === 'AWS' && entry.principals.some(p => compareAccounts(accountOfRoot(p) ?? rendered?.account, keyAccount) === 'DIFFERENT')) {
      const refused = actions.filter(a => !perms.CROSS_ACCOUNT_ACTIONS.includes(a));
      if (refused.length > 0) {
        if (options.administrative && options.source === ADMINISTRATORS_SOURCE) {
          // declared administrators of another account: the engine warns that they can only inspect
          actions = actions.filter(a => perms.CROSS_ACCOUNT_ACTIONS.includes(a));
        } else {
          fail(`${options.source}: cannot grant ${refused.join(', ')} on ${subject.node.path} to a principal of account `
            + `${rendered?.account ?? entry.principals.join(', ')}: KMS does not honour these across accounts; allowed across accounts: `
            + `${perms.CROSS_ACCOUNT_ACTIONS.join(', ')}`);
        }
      }
    }
    const accountRoot = rendered?.accountRoot && compareAccounts(rendered.account, keyAccount) === 'SAME';
    const accountWideStatement = accountRoot && options.fromStatement && !hasViaService(conditions) && this.props.document !== undefined;
    if (accountWideStatement && !this.props.allowAccountWideStatements) {
      fail(`${options.source} asked to add ${options.statementJson ?? actions.join(', ')} for the whole account `
        + `${keyAccount} to the key policy of ${subject.node.path}: any principal of the account whose IAM policy allows it would `
        + 'get this access. Refused; to accept it (narrowed to the cryptographic actions, never administration), create the key with '
        + 'allowAccountWideStatements: true');
    }
    if (accountWideStatement) {
      // Narrowed to the cryptographic actions: administration (reading included) is never delegated.
      actions = actions.filter(a => perms.CRYPTOGRAPHIC_ACTIONS.includes(a));
    }
    const admin = actions.filter(a => perms.MUTATING_ADMIN_ACTIONS.includes(a));
    if (admin.length > 0 && !options.administrative) {
      fail(`${options.source}: cannot grant ${admin.join(', ')} on ${subject.node.path} to ${who}: administrative actions `
        + 'are given only to declared administrators (administrators, addAdministrator)');
    }
    if (accountWideStatement) {
      Annotations.of(subject).addWarningV2(WarningIds.ACCOUNT_WIDE_STATEMENT,
        `${options.source} added ${actions.join(', ')} for the whole account ${keyAccount} (accepted by allowAccountWideStatements; `
        + 'administrative actions dropped): any principal of the account whose IAM policy allows it gets this access');
    } else if (accountRoot && !options.administrative && this.props.document) {
      Annotations.of(subject).addWarningV2(WarningIds.ACCOUNT_WIDE_GRANT,
        `${actions.join(', ')} was granted to the whole account ${keyAccount}${describeVia(conditions)} (for example by an aws-cdk-lib construct `
        + 'such as secretsmanager.Secret): any principal of the account whose IAM policy allows it gets this access; '
        + 'give such resources a key of their own if that is too wide');
    }
    if (entry.principalType === '*' && !pinsPrincipal(conditions)) {
      fail(`${options.source}: a statement for any principal on ${subject.node.path} must pin an account, organization or principal `
        + '(kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn); it would be public');
    }
    if (entry.principalType === 'Service' && !hasSource(conditions) && !hasEncryptionContext(conditions) && keyAccount !== undefined) {
      // Confused-deputy protection: the service acts only on behalf of the key's account. An
      // encryption context condition naming the account's resources (aws:logs:arn) pins it already.
      conditions = mergeConditions(conditions, sourceAccount(keyAccount));
    }
    if (actions.length === 0) {
      return [];
    }
    return [{ ...entry, actions, conditions }];
  }

  /** Adds entries to the key policy, or reports them as statements the owner must add. */
  private write(entries: KeyPolicyEntry[]): void {
    const document = this.props.document;
    for (const entry of entries) {
      if (document) {
        document.add(entry);
        continue;
      }
      const rendered = new KeyPolicyDocument();
      rendered.add(entry);
      this.reportOwnerStatement(rendered.render().Statement[0]);
    }
  }

  private reportOwnerStatement(statement: any): void {
    const subject = this.props.subject;
    KeyAccessReportRegistry.of(subject).addOwnerStatement({ construct: subject, statement });
    const what = this.props.aliasName ? `the key behind ${this.props.aliasName}` : `imported key ${subject.node.path}`;
    Annotations.of(subject).addWarningV2(WarningIds.IMPORTED_KEY_POLICY,
      `the key policy of ${what} cannot be changed from here; the IAM side of the grant was written, `
      + `but access works only once the key's owner adds this statement to its key policy: ${JSON.stringify(Stack.of(subject).resolve(statement))}`);
  }

  /** Conditions every grant of this view carries. */
  private viewConditions(principal: iam.IPrincipal): Conditions | undefined {
    if (!this.props.via) return undefined;
    const stack = Stack.of(this.props.subject);
    return mergeConditions(viaService([this.props.via.viaService(stack.region)]), callerAccount([principal.principalAccount ?? stack.account]));
  }

  /** The IAM half: the key ARN, the key's tag in another environment, or the alias of a key imported by alias. */
  private identityHalf(grantee: iam.IGrantable, actions: string[], conditions: Conditions | undefined): iam.Grant {
    const target = this.identityTarget(grantee);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: target.resourceArns,
      conditions: mergeConditions(target.conditions, conditions),
    });
    // The statement needs no mirroring into the key policy: this path wrote both halves.
    KeyReferences.of(this.props.subject).recordOwn(grant.principalStatements);
    return grant;
  }

  private identityTarget(grantee: iam.IGrantable): { resourceArns: string[]; conditions?: Conditions } {
    const subject = this.props.subject;
    if (this.props.aliasName) {
      const stack = Stack.of(subject);
      return {
        resourceArns: [Arn.format({ service: 'kms', resource: 'key', resourceName: '*', region: subject.env.region, account: subject.env.account }, stack)],
        conditions: resourceAliases(this.props.aliasName),
      };
    }
    if (!Token.isUnresolved(subject.keyArn)) {
      return { resourceArns: [subject.keyArn] };
    }
    const granteeScope = constructOf(grantee.grantPrincipal) ?? constructOf(grantee);
    if (!granteeScope || sameEnvironment(Stack.of(granteeScope), Stack.of(subject))) {
      return { resourceArns: [subject.keyArn] };
    }
    const tag = this.props.keyTagValue?.();
    if (!tag || Token.isUnresolved(subject.env.account) || Token.isUnresolved(subject.env.region)) {
      fail(`cannot grant ${subject.node.path} to ${granteeScope.node.path} in another environment: `
        + 'the key needs a concrete account and Region (set env on its stack), or import it with EncryptionKey.fromKeyArn');
    }
    acknowledge(granteeScope, [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${subject.env.region}:${subject.env.account}:key/*]`],
      `Grants on ${subject.node.path}, a key of another account or Region that cannot be referenced by ARN: the wildcard is restricted `
      + `to that one key by its ${KEY_TAG} tag (aws:ResourceTag)`);
    return {
      resourceArns: [Arn.format({ partition: Aws.PARTITION, service: 'kms', region: subject.env.region, account: subject.env.account, resource: 'key', resourceName: '*' })],
      conditions: resourceTag(KEY_TAG, tag),
    };
  }

  /** Records the key policy half on the Grant too, so that callers see where access comes from. */
  private policyDocumentRecord(grantee: iam.IGrantable, identity: iam.Grant, actions: string[]): iam.Grant {
    if (!this.props.document) {
      return identity;
    }
    const subject = this.props.subject;
    const resource: iam.IResourceWithPolicyV2 = {
      env: subject.env,
      addToResourcePolicy: () => ({ statementAdded: true, policyDependable: subject }),
    };
    const keyPolicyGrant = iam.Grant.addStatementToResourcePolicy({
      grantee,
      actions,
      resourceArns: ['*'],
      resource,
      statement: new iam.PolicyStatement({ actions, resources: ['*'], principals: [grantee.grantPrincipal] }),
    });
    return identity.combine(keyPolicyGrant);
  }

  /**
   * A grant for a principal whose access the key policy carries alone (an account root, a service
   * principal). Its `principalStatement` is live: actions another construct adds to it later
   * (aws-cdk-lib's `ec2.Volume` adds `kms:ReEncrypt*` for volumes from snapshots) reach the key
   * policy through the same checks at synth.
   */
  private liveGrant(grantee: iam.IGrantable, actions: string[], options: GrantOptions, conditions: Conditions | undefined): iam.Grant {
    const document = this.props.document;
    if (!document) {
      return iam.Grant.drop(grantee, `${options.source} on ${this.props.subject.node.path}`);
    }
    const initial = new Set(actions);
    let live: iam.PolicyStatement | undefined;
    const capture = new CapturingPrincipal(grantee.grantPrincipal, statement => { live = statement; }, this.props.subject);
    const grant = iam.Grant.addToPrincipal({ grantee: capture, actions, resourceArns: ['*'] });
    document.addDeferred(() => {
      const added = (live?.actions ?? []).filter(a => !initial.has(a));
      if (added.length === 0) return [];
      const expanded = expandActions(added, `${options.source} on ${this.props.subject.node.path}`).filter(a => !initial.has(a));
      const rendered = keyPolicyPrincipal(grantee.grantPrincipal, this.props.subject);
      return this.planGroups(splitCreateGrant(expanded, conditions, options), rendered, grantee.grantPrincipal, options);
    });
    return grant;
  }
}

/**
 * A principal that hands the statement of `iam.Grant.addToPrincipal` to the key's grant path
 * instead of an identity policy.
 */
class CapturingPrincipal extends iam.PrincipalBase {
  public readonly principalAccount: string | undefined;

  constructor(private readonly inner: iam.IPrincipal, private readonly onStatement: (s: iam.PolicyStatement) => void,
    private readonly dependable: IConstruct) {
    super();
    this.principalAccount = inner.principalAccount;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.inner.policyFragment;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.onStatement(statement);
    return { statementAdded: true, policyDependable: this.dependable };
  }

  public dedupeString(): string | undefined {
    return undefined;
  }

  public toString(): string {
    return this.inner.toString();
  }
}

/**
 * Expands KMS action names and wildcards (`kms:*`, `kms:GenerateDataKey*`, `kms:ReEncrypt*`, any
 * case) into the explicit key actions they match, in KMS's casing.
 *
 * @param what who asked, for the message
 */
export function expandActions(actions: string[], what: string): string[] {
  const result = new Set<string>();
  for (const action of actions) {
    if (Token.isUnresolved(action)) {
      fail(`${what}: the action must be a literal, got a token`);
    }
    const pattern = action === '*' ? perms.ALL_ACTIONS_WILDCARD : action;
    if (!/^kms:[A-Za-z*?]+$/i.test(pattern)) {
      fail(`${what}: '${action}' is not a KMS action; a key policy holds kms: actions only`);
    }
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
    const matched = perms.KEY_RESOURCE_ACTIONS.filter(a => regex.test(a));
    if (matched.length === 0) {
      fail(`${what}: '${action}' matches no KMS action that applies to a key`);
    }
    matched.forEach(a => result.add(a));
  }
  return [...result].sort();
}

/** The `kms:CreateGrant` split: alone, with `kms:GrantIsForAWSResource`, unless the caller already said so. */
function splitCreateGrant(actions: string[], conditions: Conditions | undefined, options: GrantOptions):
Array<{ actions: string[]; conditions: Conditions | undefined; label: string }> {
  if (!actions.includes(perms.CREATE_GRANT_ACTION) || hasGrantIsForAwsResource(conditions)) {
    return [{ actions, conditions, label: options.label }];
  }
  const others = actions.filter(a => a !== perms.CREATE_GRANT_ACTION);
  const result = others.length > 0 ? [{ actions: others, conditions, label: options.label }] : [];
  result.push({
    actions: [perms.CREATE_GRANT_ACTION],
    conditions: mergeConditions(conditions, grantIsForAwsResource()),
    label: options.grantLabel ?? 'GrantsForAwsResources',
  });
  return result;
}

function entryOf(p: KeyPolicyPrincipal, actions: string[], label: string, conditions: Conditions | undefined): KeyPolicyEntry {
  return {
    label,
    principalType: p.principalType,
    principals: p.principals,
    principalArns: p.principalArns,
    actions,
    conditions: mergeConditions(p.conditions, conditions),
  };
}

function accountOfRoot(principal: string): string | undefined {
  return /^arn:[^:]+:iam::(\d{12}):root$/.exec(principal)?.[1];
}

function describeVia(conditions: Conditions | undefined): string {
  const via = viaServicesOf(conditions);
  return via ? ` through ${JSON.stringify(via)}` : '';
}

function constructOf(value: unknown): IConstruct | undefined {
  if (value && typeof value === 'object' && 'node' in value) {
    return value as IConstruct;
  }
  return undefined;
}

function sameEnvironment(a: Stack, b: Stack): boolean {
  return compareAccounts(a.account, b.account) === 'SAME' && compareAccounts(a.region, b.region) === 'SAME';
}

/** `EncryptDecrypt`, `GrantsForAwsResources`: the Sid stem of a set of capabilities. */
export function labelOf(capabilities: KeyCapability[]): string {
  return capabilities.map(c => c.toLowerCase().split('_').map(w => w[0].toUpperCase() + w.slice(1)).join('')).join('And');
}
