import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { cryptographicActions, findingName, keyPolicyOf, mutatingAdminActions } from '../rule-support';

/**
 * One statement gives both cryptographic actions (using the key) and administrative actions
 * (changing it). Statements with `kms:*` are left to KeyPolicyDelegatesToIam and
 * KeyPolicyAdministration.
 * @param node the CfnResource to check
 */
export function KeyPolicyMixedStatement(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (entry.allActions) continue;
    if (mutatingAdminActions(entry.actions).length > 0 && cryptographicActions(entry.actions).length > 0) findings.add(findingName(entry));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
