import { Annotations, Aspects, Aws, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { Conditions } from './conditions';
import type { KeyGrants } from './key-grants';
import { referencesOtherStacks } from './principals';
import { cloudTrailAccess, cloudWatchLogsAccess } from './service-access';

/** A key this library owns, as the references aspect sees it. */
export interface ReferencedKey extends IConstruct {
  readonly keyArn: string;
  readonly keyId: string;
  readonly _grants: KeyGrants;
}

const REGISTRY_ID = 'CdkKmsPatternsKeyReferences';

/**
 * What other constructs of the app ask of the library's keys without calling them: aws-cdk-lib
 * constructs that only write an IAM statement naming the key (`stepfunctions.StateMachine`,
 * `lambda.Function` environment encryption) or only put the key's ARN on a resource whose service
 * then uses it as itself (`logs.LogGroup`, `cloudtrail.Trail`). Visited once, before synthesis:
 *
 * - an IAM statement in a role's or user's default policy that names the key (and that the
 *   library's own grant path did not write) is honoured in the key policy for exactly that
 *   principal, those actions and those conditions, through the one grant path (administrative
 *   actions refused, wildcards written out, `kms:CreateGrant` only for AWS resources);
 * - a log group or trail encrypted with the key gets the CloudWatch Logs or CloudTrail recipe,
 *   scoped to that log group or trail when its name is known.
 */
export class KeyReferences extends Construct implements IAspect {
  /** The registry of the app that holds `scope`, created on first use. */
  public static of(scope: IConstruct): KeyReferences {
    const root = scope.node.root;
    const existing = root.node.tryFindChild(REGISTRY_ID) as KeyReferences | undefined;
    return existing ?? new KeyReferences(root as Construct, REGISTRY_ID);
  }

  private readonly keys = new Map<string, ReferencedKey>();
  private readonly own: iam.PolicyStatement[] = [];
  private readonly visited = new Set<IConstruct>();
  private ownTriples?: Set<string>;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    Aspects.of(scope).add(this);
  }

  /** Registers a key: references to its ARN or id are looked for. */
  public register(key: ReferencedKey): void {
    this.keys.set(key.keyArn, key);
    this.keys.set(key.keyId, key);
  }

  /**
   * Leaves a resource to the construct that made it (a `KeyAuditTrail` writes its trail's and log
   * group's recipes itself, with the exact trail ARN): the aspect does not write them a second time.
   */
  public skip(node: IConstruct): void {
    this.visited.add(node);
  }

  /** Records IAM statements the grant path wrote itself, which need no mirroring. */
  public recordOwn(statements: iam.PolicyStatement[]): void {
    this.own.push(...statements);
  }

  public visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    if (node instanceof logs.CfnLogGroup) {
      this.logGroup(node);
    } else if (node instanceof cloudtrail.CfnTrail) {
      this.trail(node);
    } else if (node instanceof iam.Policy && (node.node.scope instanceof iam.Role || node.node.scope instanceof iam.User)
      && node.node.id === 'DefaultPolicy') {
      this.identityPolicy(node.node.scope as iam.Role | iam.User, node);
    }
  }

  private keyOf(value: unknown): ReferencedKey | undefined {
    return typeof value === 'string' && Token.isUnresolved(value) ? this.keys.get(value) : undefined;
  }

  private logGroup(group: logs.CfnLogGroup): void {
    const key = this.keyOf(group.kmsKeyId);
    if (!key) return;
    const stack = Stack.of(group);
    const name = group.logGroupName;
    const recipe = cloudWatchLogsAccess(Stack.of(key), name && !Token.isUnresolved(name)
      ? `arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:${name}` : undefined);
    key._grants.allowService(`log group ${group.node.path}`, recipe.capabilities, recipe.entries, recipe.grantLabel);
  }

  private trail(trail: cloudtrail.CfnTrail): void {
    const key = this.keyOf(trail.kmsKeyId);
    if (!key) return;
    const stack = Stack.of(trail);
    const name = trail.trailName;
    const trailArn = name && !Token.isUnresolved(name)
      ? `arn:${Aws.PARTITION}:cloudtrail:${stack.region}:${stack.account}:trail/${name}`
      : `arn:${Aws.PARTITION}:cloudtrail:${stack.region}:${stack.account}:trail/*`;
    const recipe = cloudTrailAccess(Stack.of(key), { trailArn, trailAccount: Token.isUnresolved(stack.account) ? undefined : stack.account });
    key._grants.allowService(`trail ${trail.node.path}`, recipe.capabilities, recipe.entries, recipe.grantLabel);
  }

  private identityPolicy(principal: iam.Role | iam.User, policy: iam.Policy): void {
    // Every grant is made by now (aspects run at synth): the set is built once. By (action, resource,
    // conditions), not by whole statement: aws-cdk-lib's minimizePolicies (a flag of new projects)
    // merges statements of the same conditions, so one statement may hold the grant path's own
    // statements for several keys, or one of ours and another construct's.
    const own = this.ownTriples ?? (this.ownTriples = new Set(this.own.flatMap(s => triples(s.toStatementJson()))));
    const document = policy.document.toJSON() as { Statement?: any[] } | undefined;
    for (const statement of document?.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      const resources = ([] as any[]).concat(statement.Resource ?? []);
      const kmsActions = ([] as any[]).concat(statement.Action ?? []).filter((a: any) => typeof a === 'string' && /^kms:/i.test(a));
      if (kmsActions.length === 0) continue;
      const condition = JSON.stringify(statement.Condition ?? {});
      for (const resource of resources) {
        const key = this.keyOf(resource);
        if (!key) continue;
        const actions = kmsActions.filter(a => !own.has(triple(a, resource, condition)));
        if (actions.length === 0) continue;
        let conditions: Conditions | undefined = statement.Condition;
        const keyStack = Stack.of(key);
        if (conditions && referencesOtherStacks(keyStack, JSON.stringify(conditions)) && Stack.of(principal) !== keyStack) {
          // The key policy names a principal of another stack through its account, so its IAM
          // statement (which keeps these conditions) must allow too; a reference from the key's
          // stack to the other stack would make the stacks depend on each other.
          conditions = undefined;
          Annotations.of(key).addInfo(`the key policy honours the IAM statement of ${principal.node.path} without its conditions `
            + 'that reference another stack; the IAM statement keeps them, and KMS requires both');
        }
        key._grants.grantFromIdentityStatement(principal, actions, conditions, `the IAM policy of ${principal.node.path}`);
      }
    }
  }
}

/** One (action, resource, conditions) of an IAM statement, as a string. */
function triple(action: string, resource: unknown, condition: string): string {
  return `${action}\n${JSON.stringify(resource)}\n${condition}`;
}

/** Every (action, resource, conditions) an IAM statement allows. */
function triples(statement: any): string[] {
  if (statement.Effect !== 'Allow') return [];
  const condition = JSON.stringify(statement.Condition ?? {});
  const actions = ([] as any[]).concat(statement.Action ?? []);
  const resources = ([] as any[]).concat(statement.Resource ?? []);
  return actions.flatMap(a => resources.map(r => triple(a, r, condition)));
}
