import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { bucketEncryptionDefaults } from './S3BucketCmk';
import { resolveResource } from '../rule-support';

/**
 * A bucket encrypted with SSE-KMS does not use an S3 Bucket Key: every object request calls KMS
 * (cost, request quotas, and a CloudTrail event per object).
 * @param node the CfnResource to check
 */
export function S3BucketKey(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  const rules = ([] as any[]).concat(properties.BucketEncryption?.ServerSideEncryptionConfiguration ?? []);
  if (!bucketEncryptionDefaults(properties).some(d => d.SSEAlgorithm === 'aws:kms')) return NagRuleCompliance.NOT_APPLICABLE;
  return rules.every(rule => rule?.ServerSideEncryptionByDefault?.SSEAlgorithm !== 'aws:kms' || String(rule.BucketKeyEnabled) === 'true')
    ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
