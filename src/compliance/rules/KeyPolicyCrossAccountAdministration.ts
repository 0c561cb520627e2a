import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { findingName, isOtherAccount, keyPolicyOf, mutatingAdminActions, principalsOf } from '../rule-support';

/**
 * A principal of another account (a role, a user or the whole account) holds administrative
 * actions on the key.
 * @param node the CfnResource to check
 */
export function KeyPolicyCrossAccountAdministration(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (mutatingAdminActions(entry.actions).length === 0) continue;
    if (principalsOf(stack, entry).some(p => p.accounts.some(a => isOtherAccount(stack, a)))) findings.add(findingName(entry));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
