import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { hasSource } from '../../policy/conditions';
import { findingName, keyPolicyOf, pinsEncryptionContextToOwnAccount } from '../rule-support';

/**
 * An AWS service principal is allowed without `aws:SourceAccount`, `aws:SourceArn` (or the source
 * organization): the service would use the key on behalf of any account (the confused deputy).
 * An encryption context limited to ARNs of the key's own account (`kms:EncryptionContext:aws:logs:arn`
 * with a literal account field, no wildcard before it) pins the service too: it is how AWS documents
 * the key policy of CloudWatch Logs, which has no documented source condition for this use
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 * @param node the CfnResource to check
 */
export function KeyPolicyServiceSource(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (entry.principalType !== 'Service' || hasSource(entry.conditions)) continue;
    if (pinsEncryptionContextToOwnAccount(stack, entry.conditions)) continue;
    findings.add(findingName(entry));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
