/**
 * Shared fixtures and checks of the aws-cdk-lib interop suite: an `EncryptionKey` handed to
 * aws-cdk-lib constructs, the KMS requests each AWS service really makes with it (per AWS's
 * documentation, cited next to each row in the test files), and the structural rules every key
 * policy the library writes must follow, whoever asked for the statement.
 *
 * The expected action sets are written out here, not imported from the library: they are the
 * specification.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { EncryptionKey, EncryptionKeyProps } from '../../src';
import { AccessRow, ContextValues, KeyRef, PolicyDocument, PolicyWorld, PrincipalRef } from '../harness/simulate';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';

/** An identity policy allowing every KMS action on every key. */
export const KMS_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
/** What `cdk bootstrap` attaches to the CloudFormation execution role. */
export const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * Administrative actions (managing the key, never using it).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators
 */
export const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DeleteImportedKeyMaterial', 'kms:DescribeKey',
  'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:ListGrants',
  'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:ReplicateKey',
  'kms:RevokeGrant', 'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource',
  'kms:UpdateAlias', 'kms:UpdateKeyDescription', 'kms:UpdatePrimaryRegion',
];

/** Administrative actions that change the key or its policy. */
export const MUTATING_ADMIN_ACTIONS = ADMIN_ACTIONS.filter(a => !/^kms:(Describe|Get|List)/.test(a));

/**
 * Cryptographic actions (and grants), every key spec.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
 */
export const CRYPTO_ACTIONS = [
  'kms:CreateGrant', 'kms:Decrypt', 'kms:DeriveSharedSecret', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateMac', 'kms:GetPublicKey',
  'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:RetireGrant', 'kms:Sign', 'kms:Verify', 'kms:VerifyMac',
];

/** Every action on a key the outsider rows try. */
export const ALL_ACTIONS = [...new Set([...ADMIN_ACTIONS, ...CRYPTO_ACTIONS])].sort();

/**
 * What an account-wide statement another construct asked for may keep once accepted with
 * `allowAccountWideStatements`: cryptographic use, grants for AWS resources and `kms:DescribeKey`,
 * never administration (not even read-only).
 */
export const ACCEPTABLE_ACCOUNT_WIDE_ACTIONS = [...CRYPTO_ACTIONS, 'kms:DescribeKey'];

/** The default synthesizer's CloudFormation execution role (qualifier hnb659fds). */
export function cfnExecRole(account: string = ACCOUNT, region: string = REGION): string {
  return `arn:aws:iam::${account}:role/cdk-hnb659fds-cfn-exec-role-${account}-${region}`;
}

/** `kms:ViaService` for a service endpoint prefix. */
export function via(service: string, region: string = REGION): Record<string, string> {
  return { 'kms:ViaService': `${service}.${region}.amazonaws.com` };
}

/** A `kms:EncryptionContext:<key>` pair. */
export function ec(key: string, value: string): Record<string, string> {
  return { [`kms:EncryptionContext:${key}`]: value };
}

/** A grant for an AWS resource. */
export const GRANT_FOR_AWS_RESOURCE: Record<string, string> = { 'kms:GrantIsForAWSResource': 'true' };

/** One app, one stack in `ACCOUNT`, one key. */
export interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly key: EncryptionKey;
}

/** An app with one stack (fixed account and Region) holding an `EncryptionKey`. */
export function fixture(keyProps: EncryptionKeyProps = {}, region: string = REGION, stackName = 'Interop'): Fixture {
  const app = new App();
  const stack = new Stack(app, stackName, { env: { account: ACCOUNT, region } });
  const key = new EncryptionKey(stack, 'Key', keyProps);
  return { app, stack, key };
}

/** Synthesizes the app (validations included) and builds the policy world of its stack. */
export function synthWorld(f: Fixture): PolicyWorld {
  f.app.synth();
  return PolicyWorld.fromStacks([f.stack]);
}

/** Rows expecting `allow` for every action, with one context. */
export function allowed(label: string, principal: PrincipalRef, key: KeyRef, actions: string[], context: ContextValues,
  extraIdentityPolicies?: PolicyDocument[]): AccessRow[] {
  return actions.map(action => ({ label, principal, key, action, context, extraIdentityPolicies, expect: 'allow' as const }));
}

/** Rows expecting `deny` for every action, with one context. */
export function denied(label: string, principal: PrincipalRef, key: KeyRef, actions: string[], context: ContextValues,
  extraIdentityPolicies?: PolicyDocument[]): AccessRow[] {
  return actions.map(action => ({ label, principal, key, action, context, extraIdentityPolicies, expect: 'deny' as const }));
}

/** Options of {@link outsiderRows}. */
export interface OutsiderOptions {
  /** Endpoint prefixes of the services that use the key (`s3`, `secretsmanager`...). */
  readonly services: readonly string[];
  /** The encryption context the services send, added to the via-service contexts. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** @default every action of ALL_ACTIONS */
  readonly actions?: readonly string[];
  /** Only the undeclared principal of the key's account, or only the other account's. @default both */
  readonly who?: 'undeclared' | 'other-account' | 'both';
  readonly region?: string;
}

/**
 * An undeclared role of the key's account and a role of another account, both with IAM `kms:*`:
 * denied every action, directly and through each service (with the service's encryption context,
 * and as a grant for an AWS resource).
 */
export function outsiderRows(key: KeyRef, options: OutsiderOptions): AccessRow[] {
  const region = options.region ?? REGION;
  const contexts: Array<[string, ContextValues]> = [['directly', {}]];
  for (const service of options.services) {
    contexts.push([`through ${service}`, { ...via(service, region), ...options.encryptionContext }]);
    contexts.push([`through ${service}, grant for an AWS resource`, { ...via(service, region), ...GRANT_FOR_AWS_RESOURCE }]);
  }
  const who = options.who ?? 'both';
  const principals: Array<[string, string]> = [];
  if (who !== 'other-account') principals.push([`undeclared role of ${ACCOUNT} with kms:*`, `arn:aws:iam::${ACCOUNT}:role/Undeclared`]);
  if (who !== 'undeclared') principals.push([`role of ${OTHER_ACCOUNT} with kms:*`, `arn:aws:iam::${OTHER_ACCOUNT}:role/Outsider`]);
  const rows: AccessRow[] = [];
  for (const [name, principal] of principals) {
    for (const [where, context] of contexts) {
      const callerAccount = principal.split(':')[4];
      const full = where === 'directly' ? context : { ...context, 'kms:CallerAccount': callerAccount };
      rows.push(...denied(`${name}, ${where}`, principal, key, [...(options.actions ?? ALL_ACTIONS)], full, [KMS_ALL]));
    }
  }
  return rows;
}

/** A statement of a resolved key policy. */
interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(v => String(v));
}

function statementsOf(world: PolicyWorld, key: KeyRef): Statement[] {
  const statements = world.keyPolicy(key).Statement;
  return (Array.isArray(statements) ? statements : [statements]) as Statement[];
}

/** The condition keys a statement names, lower-cased, with their operators. */
function conditionKeys(statement: Statement): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const [operator, pairs] of Object.entries(statement.Condition ?? {})) {
    for (const key of Object.keys(pairs ?? {})) {
      keys.set(key.toLowerCase(), [...(keys.get(key.toLowerCase()) ?? []), operator]);
    }
  }
  return keys;
}

function servicePrincipals(statement: Statement): string[] {
  const principal = statement.Principal as Record<string, unknown> | undefined;
  return principal && typeof principal === 'object' ? list(principal.Service) : [];
}

/** The AWS principals a statement names (`*` included). */
export function awsPrincipals(statement: { Principal?: unknown }): string[] {
  const principal = statement.Principal as Record<string, unknown> | string | undefined;
  if (principal === '*') return ['*'];
  return principal && typeof principal === 'object' ? list(principal.AWS) : [];
}

/**
 * The rules every statement of a key policy written by the library follows, whoever asked for it
 * (a grant, aws-cdk-lib's `addToResourcePolicy`, a service recipe). Returns the violations.
 *
 * - explicit actions: no `*` anywhere in an action (aws-cdk-lib asks for `kms:GenerateDataKey*`,
 *   `kms:ReEncrypt*`, `kms:*`), no `NotAction`;
 * - `kms:CreateGrant` is allowed only with `kms:GrantIsForAWSResource` true;
 * - a statement for a service principal carries `aws:SourceAccount` or `aws:SourceArn`
 *   (confused-deputy protection, https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 *   CloudWatch Logs documents no source key for its KMS requests; its statements are pinned instead
 *   by `kms:EncryptionContext:aws:logs:arn`, the log group ARN, which names the account
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
export function keyPolicyViolations(world: PolicyWorld, key: KeyRef): string[] {
  const problems: string[] = [];
  for (const statement of statementsOf(world, key)) {
    const name = statement.Sid ?? JSON.stringify(statement).slice(0, 120);
    if (statement.NotAction !== undefined) problems.push(`${name}: NotAction ${JSON.stringify(statement.NotAction)}`);
    if (statement.Effect !== 'Allow') continue;
    const actions = list(statement.Action);
    const wild = actions.filter(a => a.includes('*') || a.includes('?'));
    if (wild.length > 0) problems.push(`${name}: wildcard actions ${wild.join(', ')} (expected explicit actions)`);
    const keys = conditionKeys(statement);
    if (actions.some(a => a.toLowerCase() === 'kms:creategrant' || a === '*' || a === 'kms:*')) {
      const value = Object.entries(statement.Condition?.Bool ?? {}).find(([k]) => k.toLowerCase() === 'kms:grantisforawsresource')?.[1];
      if (!(value === 'true' || value === true)) {
        problems.push(`${name}: kms:CreateGrant without Bool kms:GrantIsForAWSResource true (condition ${JSON.stringify(statement.Condition ?? {})})`);
      }
    }
    for (const service of servicePrincipals(statement)) {
      const pinned = keys.has('aws:sourceaccount') || keys.has('aws:sourcearn')
        || (/^logs\.[a-z0-9-]+\.amazonaws\.com$/.test(service) && keys.has('kms:encryptioncontext:aws:logs:arn'));
      if (!pinned) problems.push(`${name}: service principal ${service} without aws:SourceAccount or aws:SourceArn (condition ${JSON.stringify(statement.Condition ?? {})})`);
    }
  }
  return problems;
}

/** The statements of a key policy that name an AWS principal (resolved ARN or account root). */
export function statementsFor(world: PolicyWorld, key: KeyRef, principal: string): Statement[] {
  return statementsOf(world, key).filter(s => awsPrincipals(s).includes(principal));
}

/** Every action a key policy allows `principal` (named in `Principal`), ignoring conditions. */
export function actionsNamedFor(world: PolicyWorld, key: KeyRef, principal: string): string[] {
  return [...new Set(statementsFor(world, key, principal).filter(s => s.Effect === 'Allow').flatMap(s => list(s.Action)))].sort();
}

/** The warnings of a stack whose message matches `pattern`. */
export function warnings(stack: Stack, pattern: RegExp): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue())
    .map(w => String(w.entry.data))
    .filter(m => pattern.test(m));
}

/** Builds a value on first use (so a failing synth fails each test that needs it, with its error). */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  let failure: unknown;
  return () => {
    if (built) return built.value;
    if (failure !== undefined) throw failure;
    try {
      built = { value: build() };
      return built.value;
    } catch (e) {
      failure = e;
      throw e;
    }
  };
}
