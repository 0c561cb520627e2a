import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { resolveResource } from '../rule-support';

/**
 * A key (or replica) whose `DeletionPolicy` or `UpdateReplacePolicy` is not `Retain`: deleting the
 * stack, or a change that replaces the key, schedules the key for deletion, and with it every
 * ciphertext made under it.
 * @param node the CfnResource to check
 */
export function KeyDeletionPolicy(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key' && node.cfnResourceType !== 'AWS::KMS::ReplicaKey') return NagRuleCompliance.NOT_APPLICABLE;
  const resource = resolveResource(node);
  return resource.deletionPolicy === 'Retain' && resource.updateReplacePolicy === 'Retain'
    ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
