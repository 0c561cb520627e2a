import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isRotatable } from './KeyRotationEnabled';
import { KmsRuleOptions, resolveResource } from '../rule-support';

/** KMS's rotation period when `RotationPeriodInDays` is not set. */
const DEFAULT_ROTATION_DAYS = 365;

/**
 * A rotating key rotates less often than the pack's threshold (`RotationPeriodInDays`, 365 when
 * unset). Keys that do not rotate are KeyRotationEnabled's.
 * @param node the CfnResource to check
 * @param options the pack's thresholds
 */
export function KeyRotationPeriod(node: CfnResource, options: KmsRuleOptions): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  if (!isRotatable(properties) || String(properties.EnableKeyRotation) !== 'true') return NagRuleCompliance.NOT_APPLICABLE;
  const days = Number(properties.RotationPeriodInDays ?? DEFAULT_ROTATION_DAYS);
  if (Number.isNaN(days)) throw new Error('RotationPeriodInDays is not a number known at synth');
  return days > options.maxRotationDays ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
