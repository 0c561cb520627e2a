import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * Performance Insights is on without a customer managed key. Its key cannot be changed later:
 * the AWS managed key chosen by default stays for the life of the database.
 * @param node the CfnResource to check
 */
export function PerformanceInsightsCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::RDS::DBInstance' && node.cfnResourceType !== 'AWS::RDS::DBCluster') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  const instance = node.cfnResourceType === 'AWS::RDS::DBInstance';
  const enabled = instance ? properties.EnablePerformanceInsights : properties.PerformanceInsightsEnabled;
  if (String(enabled) !== 'true') return NagRuleCompliance.NOT_APPLICABLE;
  const key = instance ? properties.PerformanceInsightsKMSKeyId : properties.PerformanceInsightsKmsKeyId;
  return isCustomerManagedKey(Stack.of(node), key) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
