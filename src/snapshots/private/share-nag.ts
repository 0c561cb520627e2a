import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acknowledge, acknowledgeInCompliancePacks } from '../../private/acknowledge';
import { ComplianceRules } from '../../private/ids';

/**
 * The cdk-nag findings the snapshot workflows cannot avoid, acknowledged with their reasons, on
 * the workflow's own roles and keys. Never exported from the package.
 */

/** Why a wildcard resource of a workflow role is needed, by the action that needs it. */
const WILDCARD_REASONS: Array<[RegExp, string]> = [
  [/^ec2:DescribeSnapshots$/, 'ec2:DescribeSnapshots has no resource-level permissions: AWS accepts only Resource "*"'],
  [/^xray:/, 'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) has no resource-level permissions'],
  [/^ec2:(CopySnapshot|CreateSnapshot|CreateVolume|CreateTags)$/,
    'EC2 chooses snapshot and volume ids: creating and copying act on ids known at run time (tags on create only with ec2:CreateAction)'],
  [/^ec2:(ModifySnapshotAttribute|DeleteSnapshot)$/,
    'sharing and deleting are limited to the snapshots this workflow tagged (aws:ResourceTag condition); EC2 chooses the ids'],
  [/^rds:Describe/, 'describing reads the snapshot named at run time, in this account (or shared with it)'],
  [/^rds:(Copy|Create|Modify|Delete|AddTagsToResource|Restore)/,
    'names are chosen at run time: copies, shares, deletes and restores act on the workflow\'s own names (share-*, snapshot-*); sources are the accounts\' snapshots'],
  [/^redshift:/, 'Redshift snapshot and cluster names are known only at run time: the snapshot named in the execution (of this account, or shared by the '
    + 'source accounts), the workflow\'s own snapshot-* snapshots and share-* clusters; shares go only to the accounts fixed in the definition'],
  [/^kms:/, 'the original snapshot\'s key is known only at run time (aws/ebs, aws/rds or a customer managed key): read only, through the service only (kms:ViaService, kms:CallerAccount), grants for AWS resources only'],
  [/^states:/, 'the confirmation handler answers task tokens of the share workflow only'],
  [/^events:/, 'events go to the named buses only'],
  [/^sns:/, 'failures go to the workflow\'s topic only'],
];

/** cdk-nag's rendering of a resource ARN (`<AWS::Region>`, `<Logical.Arn>`). */
function rendered(stack: Stack, value: unknown): string {
  const resolved = stack.resolve(value);
  const part = (p: unknown): string => {
    if (typeof p === 'string') return p;
    const o = p as Record<string, unknown>;
    if (o.Ref) return `<${o.Ref}>`;
    if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if (o['Fn::Join']) return ((o['Fn::Join'] as [string, unknown[]])[1]).map(part).join((o['Fn::Join'] as [string])[0]);
    return JSON.stringify(p);
  };
  return part(resolved);
}

/**
 * Acknowledges, on a role, every wildcard resource of its policies (AwsSolutions-IAM5) with the
 * reason of the action that needs it; the inline policies (IAMNoInlinePolicy of the compliance
 * packs) that CDK writes for service roles; and, for the workflow role, the KMS pack's all-keys
 * finding of the original-key statements.
 */
export function acknowledgeWorkflowRole(role: iam.IRole): void {
  const stack = Stack.of(role);
  const policies = role.node.findAll().filter((c): c is iam.Policy | iam.CfnPolicy => c instanceof iam.Policy);
  const seen = new Set<string>();
  for (const policy of policies) {
    const doc = stack.resolve((policy as iam.Policy).document.toJSON()) as
      { Statement?: Array<{ Action: string | string[]; Resource: unknown }> } | undefined;
    for (const statement of doc?.Statement ?? []) {
      const actions = ([] as string[]).concat(statement.Action);
      const resources = ([] as unknown[]).concat(statement.Resource);
      for (const resource of resources) {
        const name = rendered(stack, resource);
        if (!name.includes('*') || seen.has(name)) continue;
        const reason = WILDCARD_REASONS.find(([pattern]) => actions.some((a) => pattern.test(a)));
        if (!reason) continue;
        seen.add(name);
        acknowledge(role, [`AwsSolutions-IAM5[Resource::${name}]`], reason[1]);
      }
      if (actions.some((a) => /^kms:(Decrypt|ReEncryptFrom|CreateGrant)$/.test(a)) && resources.some((r) => rendered(stack, r).endsWith(':key/*'))) {
        for (const action of ['kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncryptFrom']) {
          acknowledge(role, [`KmsChecks-IamKmsAllKeys[Action::${action}]`], WILDCARD_REASONS.find(([p]) => p.test('kms:'))![1]);
        }
      }
    }
  }
  acknowledgeInCompliancePacks(role, ComplianceRules.IAM_NO_INLINE_POLICY,
    'the service role\'s policy is written for this role alone by aws-cdk-lib and lives and dies with it');
}

/** Acknowledges the findings of a workflow construct that are the library's own choices. */
export function acknowledgeWorkflow(stateMachines: IConstruct[]): void {
  for (const machine of stateMachines) {
    acknowledge(machine, ['KmsChecks-StateMachineCmk'],
      'the definition holds no secret (snapshot ids, ARNs); execution data is logged to a log group under the workflow key; '
      + 'a customer managed key on the state machine would have to be usable by every EventBridge rule and caller that starts it');
  }
}
