import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { flatten, KmsRuleOptions, resolveResource } from '../rule-support';

/**
 * An SSM `String` or `StringList` parameter whose name or description looks like a secret
 * (password, secret, token, private key, API key... as configured): its value is in the template,
 * readable by anyone who can read the parameter, and never encrypted. Use a SecureString
 * (`SecureStringParameter`) or a Secrets Manager secret.
 * @param node the CfnResource to check
 * @param options the pack's thresholds
 */
export function SsmStringSecret(node: CfnResource, options: KmsRuleOptions): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SSM::Parameter') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  if (properties.Type !== 'String' && properties.Type !== 'StringList') return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const texts = [properties.Name, properties.Description].filter(t => t !== undefined).map(t => flatten(stack, t));
  const secretLike = options.secretWords.map(word => new RegExp(word, 'i'));
  return texts.some(text => secretLike.some(r => r.test(text))) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
