import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import * as perms from '../../private/perms';
import { findingName, grantsOnlyForAwsResources, keyPolicyOf } from '../rule-support';

/**
 * `kms:CreateGrant` (explicitly or through `kms:*`) without `Bool kms:GrantIsForAWSResource true`:
 * the principal can hand the key to anyone, in any account, with a grant that no key policy shows.
 * @param node the CfnResource to check
 */
export function KeyPolicyCreateGrant(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (entry.actions.includes(perms.CREATE_GRANT_ACTION) && !grantsOnlyForAwsResources(entry.conditions)) findings.add(findingName(entry));
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
