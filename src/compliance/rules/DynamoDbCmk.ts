import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * A DynamoDB table is not encrypted with a customer managed key (a key DynamoDB owns by default, or
 * the AWS managed key `aws/dynamodb`); for a global table, every replica must name one.
 * @param node the CfnResource to check
 */
export function DynamoDbCmk(node: CfnResource): NagRuleResult {
  const stack = Stack.of(node);
  if (node.cfnResourceType === 'AWS::DynamoDB::Table') {
    const sse = resolveResource(node).properties.SSESpecification;
    return String(sse?.SSEEnabled) === 'true' && isCustomerManagedKey(stack, sse?.KMSMasterKeyId)
      ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  if (node.cfnResourceType === 'AWS::DynamoDB::GlobalTable') {
    const { properties } = resolveResource(node);
    const replicas = ([] as any[]).concat(properties.Replicas ?? []);
    const kms = String(properties.SSESpecification?.SSEEnabled) === 'true' && properties.SSESpecification?.SSEType === 'KMS';
    return kms && replicas.length > 0 && replicas.every(r => isCustomerManagedKey(stack, r?.SSESpecification?.KMSMasterKeyId))
      ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.NOT_APPLICABLE;
}
