import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * A Redshift cluster or Redshift Serverless namespace is not encrypted with a customer managed key.
 * @param node the CfnResource to check
 */
export function RedshiftCmk(node: CfnResource): NagRuleResult {
  const stack = Stack.of(node);
  if (node.cfnResourceType === 'AWS::Redshift::Cluster') {
    const { properties } = resolveResource(node);
    return String(properties.Encrypted) === 'true' && isCustomerManagedKey(stack, properties.KmsKeyId)
      ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  if (node.cfnResourceType === 'AWS::RedshiftServerless::Namespace') {
    const { properties } = resolveResource(node);
    return isCustomerManagedKey(stack, properties.KmsKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.NOT_APPLICABLE;
}
