import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { KEY_POLICY_MAX_BYTES } from '../../policy/key-policy-document';
import { KmsRuleOptions, keyPolicyOf } from '../rule-support';

/**
 * The key policy, as synthesized (compact JSON), is over the configured share of KMS's 32 KB limit.
 * @param node the CfnResource to check
 * @param options the pack's thresholds
 */
export function KeyPolicySize(node: CfnResource, options: KmsRuleOptions): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key || key.policy === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const bytes = Buffer.byteLength(JSON.stringify(key.policy), 'utf8');
  return bytes > KEY_POLICY_MAX_BYTES * options.policySizeRatio ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
