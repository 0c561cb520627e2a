import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { resolveResource } from '../rule-support';

/**
 * Whether KMS can rotate a key automatically: symmetric encryption keys with KMS-generated material
 * in the AWS KMS key store (not asymmetric, HMAC, imported-material or custom key store keys).
 */
export function isRotatable(properties: any): boolean {
  const spec = properties.KeySpec ?? 'SYMMETRIC_DEFAULT';
  const origin = properties.Origin ?? 'AWS_KMS';
  return spec === 'SYMMETRIC_DEFAULT' && origin === 'AWS_KMS';
}

/**
 * A symmetric key with KMS-generated material does not rotate (`EnableKeyRotation` not true).
 * @param node the CfnResource to check
 */
export function KeyRotationEnabled(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  if (!isRotatable(properties)) return NagRuleCompliance.NOT_APPLICABLE;
  return String(properties.EnableKeyRotation) === 'true' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
