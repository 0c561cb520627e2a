import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * A Kinesis data stream is not encrypted with a customer managed key (no `StreamEncryption`, or
 * `alias/aws/kinesis`).
 * @param node the CfnResource to check
 */
export function KinesisCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Kinesis::Stream') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  const encryption = properties.StreamEncryption;
  return encryption?.EncryptionType === 'KMS' && isCustomerManagedKey(Stack.of(node), encryption.KeyId)
    ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
