import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { KmsRuleOptions, resolveResource } from '../rule-support';

/** KMS's waiting period when `PendingWindowInDays` is not set. */
const DEFAULT_PENDING_WINDOW_DAYS = 30;

/**
 * A key (or replica) scheduled for deletion would be deleted after fewer days than the pack's
 * threshold (`PendingWindowInDays`, 30 when unset).
 * @param node the CfnResource to check
 * @param options the pack's thresholds
 */
export function KeyPendingWindow(node: CfnResource, options: KmsRuleOptions): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key' && node.cfnResourceType !== 'AWS::KMS::ReplicaKey') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  const days = Number(properties.PendingWindowInDays ?? DEFAULT_PENDING_WINDOW_DAYS);
  if (Number.isNaN(days)) throw new Error('PendingWindowInDays is not a number known at synth');
  return days < options.minPendingWindowDays ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
