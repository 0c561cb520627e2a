import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { findingName, keyPolicyOf, principalsOf } from '../rule-support';

/**
 * A key policy statement lets in anyone: `Principal: *` (or `AWS: *`, or an Allow with
 * `NotPrincipal`) without a condition that pins an account, organization, source or principal ARN.
 * @param node the CfnResource to check
 */
export function KeyPolicyPublicPrincipal(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const findings = new Set<string>();
  for (const entry of key.parsed.entries) {
    if (principalsOf(stack, entry).some(p => p.audience === 'public')) findings.add(findingName(entry));
  }
  key.parsed.unparsed.forEach((statement, index) => {
    if (statement && statement.Effect === 'Allow' && statement.NotPrincipal !== undefined) {
      findings.add(findingName({ label: typeof statement.Sid === 'string' ? statement.Sid : `NotPrincipal${index}` }));
    }
  });
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
