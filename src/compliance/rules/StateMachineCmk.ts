import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * A Step Functions state machine keeps its definition and execution data under a key AWS owns
 * (`EncryptionConfiguration` not `CUSTOMER_MANAGED_KMS_KEY`).
 * @param node the CfnResource to check
 */
export function StateMachineCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::StepFunctions::StateMachine') return NagRuleCompliance.NOT_APPLICABLE;
  const encryption = resolveResource(node).properties.EncryptionConfiguration;
  return encryption?.Type === 'CUSTOMER_MANAGED_KMS_KEY' && isCustomerManagedKey(Stack.of(node), encryption.KmsKeyId)
    ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
