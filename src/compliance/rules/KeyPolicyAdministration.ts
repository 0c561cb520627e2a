import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { administrationFindings } from '../rule-support';

/**
 * `kms:*` or administrative actions (policy, deletion, disabling, aliases, tags, rotation, material)
 * given to a principal that is not a named administrator: anyone, or an AWS service.
 * @param node the CfnResource to check
 */
export function KeyPolicyAdministration(node: CfnResource): NagRuleResult {
  return administrationFindings(node, (_stack, p) => p.audience === 'public' || p.audience === 'service');
}
