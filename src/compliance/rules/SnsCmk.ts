import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * An SNS topic is not encrypted with a customer managed key (no `KmsMasterKeyId`, or `alias/aws/sns`,
 * which AWS services publishing to the topic cannot use).
 * @param node the CfnResource to check
 */
export function SnsCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SNS::Topic') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  return isCustomerManagedKey(Stack.of(node), properties.KmsMasterKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
