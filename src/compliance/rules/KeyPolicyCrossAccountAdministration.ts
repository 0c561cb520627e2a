import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { administrationFindings, isOtherAccount } from '../rule-support';

/**
 * A principal of another account (a role, a user or the whole account) holds administrative
 * actions on the key.
 * @param node the CfnResource to check
 */
export function KeyPolicyCrossAccountAdministration(node: CfnResource): NagRuleResult {
  return administrationFindings(node, (stack, p) => p.accounts.some(a => isOtherAccount(stack, a)));
}
