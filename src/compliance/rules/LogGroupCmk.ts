import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * A CloudWatch Logs log group has no KMS key (`KmsKeyId`): its events are encrypted with a key
 * CloudWatch Logs owns, out of the account's control.
 * @param node the CfnResource to check
 */
export function LogGroupCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Logs::LogGroup') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  return isCustomerManagedKey(Stack.of(node), properties.KmsKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
