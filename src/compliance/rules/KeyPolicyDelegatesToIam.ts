import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { findingName, isOtherAccount, keyPolicyOf, mutatingAdminActions, principalsOf } from '../rule-support';

/**
 * The key's own account (its root, or `*` pinned to the account) holds `kms:*` or administrative
 * actions: the key policy delegates the key to IAM, so every principal whose IAM policy allows
 * `kms:*` (AdministratorAccess, PowerUser-like roles) can use and administer the key.
 * @param node the CfnResource to check
 */
export function KeyPolicyDelegatesToIam(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (!entry.allActions && mutatingAdminActions(entry.actions).length === 0) continue;
    const delegated = principalsOf(stack, entry)
      .some(p => p.audience === 'account' && (p.accounts.length === 0 || p.accounts.some(a => !isOtherAccount(stack, a))));
    if (delegated) findings.add(findingName(entry));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
