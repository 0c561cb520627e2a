import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { findingName, keyPolicyOf, mutatingAdminActions, principalsOf } from '../rule-support';

/**
 * `kms:*` or administrative actions (policy, deletion, disabling, aliases, tags, rotation, material)
 * given to a principal that is not a named administrator: anyone, or an AWS service.
 * @param node the CfnResource to check
 */
export function KeyPolicyAdministration(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (mutatingAdminActions(entry.actions).length === 0) continue;
    if (principalsOf(stack, entry).some(p => p.audience === 'public' || p.audience === 'service')) findings.add(findingName(entry));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
