import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

function encryptedWithCmk(stack: Stack, ebs: any): boolean {
  return String(ebs?.Encrypted) === 'true' && isCustomerManagedKey(stack, ebs?.KmsKeyId);
}

/**
 * An EBS volume, or a block device of a launch template or instance, is not encrypted with a
 * customer managed key (unencrypted, or the AWS managed key `aws/ebs`, which cannot be shared).
 * Devices without `Ebs` (instance store, `NoDevice`) are not concerned.
 * @param node the CfnResource to check
 */
export function EbsCmk(node: CfnResource): NagRuleResult {
  const stack = Stack.of(node);
  switch (node.cfnResourceType) {
    case 'AWS::EC2::Volume': {
      const { properties } = resolveResource(node);
      return encryptedWithCmk(stack, properties) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    case 'AWS::EC2::LaunchTemplate':
    case 'AWS::EC2::Instance': {
      const { properties } = resolveResource(node);
      const mappings = ([] as any[]).concat((node.cfnResourceType === 'AWS::EC2::Instance'
        ? properties.BlockDeviceMappings : properties.LaunchTemplateData?.BlockDeviceMappings) ?? []);
      const devices = mappings.filter(m => m?.Ebs !== undefined);
      if (devices.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
      return devices.every(m => encryptedWithCmk(stack, m.Ebs)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    default:
      return NagRuleCompliance.NOT_APPLICABLE;
  }
}
