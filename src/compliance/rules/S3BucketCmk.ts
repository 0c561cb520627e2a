import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/** The default encryption rules of a bucket. */
export function bucketEncryptionDefaults(properties: any): any[] {
  return ([] as any[]).concat(properties.BucketEncryption?.ServerSideEncryptionConfiguration ?? [])
    .map(rule => rule?.ServerSideEncryptionByDefault).filter(rule => rule !== undefined);
}

/** Whether the bucket receives S3 server access logs (whose target bucket cannot use SSE-KMS). */
function isAccessLogTarget(node: CfnResource, logicalId: string, properties: any): boolean {
  if (properties.AccessControl === 'LogDeliveryWrite') return true;
  const stack = Stack.of(node);
  for (const child of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(child) || child === node) continue;
    if (child.cfnResourceType === 'AWS::S3::Bucket') {
      const target = resolveResource(child).properties.LoggingConfiguration?.DestinationBucketName;
      if (target && target.Ref === logicalId) return true;
    } else if (child.cfnResourceType === 'AWS::S3::BucketPolicy') {
      const policy = resolveResource(child).properties;
      if (policy.Bucket?.Ref !== logicalId) continue;
      const statements = ([] as any[]).concat(policy.PolicyDocument?.Statement ?? []);
      if (statements.some(s => s?.Effect === 'Allow' && ([] as any[]).concat(s.Principal?.Service ?? []).includes('logging.s3.amazonaws.com'))) return true;
    }
  }
  return false;
}

/**
 * A bucket is not encrypted by default with a customer managed key: no default encryption (SSE-S3),
 * `AES256`, or SSE-KMS with the AWS managed key (`aws/s3`, or no key id). Buckets that receive S3
 * server access logs are excepted: S3 can write access logs only to SSE-S3 buckets.
 * @param node the CfnResource to check
 */
export function S3BucketCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
  const { logicalId, properties } = resolveResource(node);
  const stack = Stack.of(node);
  const defaults = bucketEncryptionDefaults(properties);
  const cmk = defaults.length > 0 && defaults.every(d => ['aws:kms', 'aws:kms:dsse'].includes(d.SSEAlgorithm) && isCustomerManagedKey(stack, d.KMSMasterKeyID));
  if (cmk) return NagRuleCompliance.COMPLIANT;
  return isAccessLogTarget(node, logicalId, properties) ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.NON_COMPLIANT;
}
