import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import * as perms from '../../private/perms';
import { keyPolicyOf, principalsOf } from '../rule-support';

/**
 * Nobody can administer the key: no statement allows `kms:PutKeyPolicy` to an IAM principal or
 * an account, or a Deny without conditions takes it from everyone. KMS refuses such a policy at
 * CreateKey (the lockout safety check) unless it is bypassed, and then nobody can ever fix it.
 * Policies holding statements the parser cannot read (`NotAction`) are not judged.
 * @param node the CfnResource to check
 */
export function KeyPolicyLockout(node: CfnResource): NagRuleResult {
  const key = keyPolicyOf(node);
  if (!key || key.policy === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const deniedToAll = key.parsed.denies.some(statement => {
    const everyone = statement.Principal === '*' || ([] as any[]).concat(statement.Principal?.AWS ?? []).includes('*');
    const actions = ([] as any[]).concat(statement.Action ?? []);
    const covers = actions.some(a => a === '*' || a === perms.ALL_ACTIONS_WILDCARD || a === perms.PUT_KEY_POLICY_ACTION);
    return everyone && covers && statement.Condition === undefined;
  });
  if (deniedToAll) return NagRuleCompliance.NON_COMPLIANT;
  const administrable = key.parsed.entries.some(entry => entry.actions.includes(perms.PUT_KEY_POLICY_ACTION)
    && principalsOf(stack, entry).some(p => p.audience !== 'service'));
  if (administrable || key.parsed.unparsed.length > 0) return NagRuleCompliance.COMPLIANT;
  return NagRuleCompliance.NON_COMPLIANT;
}
