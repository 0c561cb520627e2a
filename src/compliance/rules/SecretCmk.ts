import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * A Secrets Manager secret is encrypted with the AWS managed key `aws/secretsmanager` (no
 * `KmsKeyId`): its key policy cannot be narrowed, and the secret cannot be shared across accounts.
 * @param node the CfnResource to check
 */
export function SecretCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SecretsManager::Secret') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  return isCustomerManagedKey(Stack.of(node), properties.KmsKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
