import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { hasSource } from '../../policy/conditions';
import { findingName, keyPolicyOf } from '../rule-support';

/**
 * An AWS service principal is allowed without `aws:SourceAccount`, `aws:SourceArn` (or the source
 * organization): the service would use the key on behalf of any account (the confused deputy).
 * @param node the CfnResource to check
 */
export function KeyPolicyServiceSource(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (entry.principalType === 'Service' && !hasSource(entry.conditions)) findings.add(findingName(entry));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
