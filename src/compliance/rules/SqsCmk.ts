import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * An SQS queue is not encrypted with a customer managed key (SSE-SQS, no encryption, or
 * `alias/aws/sqs`).
 * @param node the CfnResource to check
 */
export function SqsCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SQS::Queue') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  return isCustomerManagedKey(Stack.of(node), properties.KmsMasterKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
