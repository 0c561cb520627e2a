import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * An RDS DB instance (not part of a cluster) or an Aurora / Multi-AZ DB cluster is not encrypted
 * with a customer managed key (unencrypted, or the AWS managed key `aws/rds`, whose snapshots
 * cannot be shared with another account). Replicas and restores that name no key inherit their
 * source's and are not judged here.
 * @param node the CfnResource to check
 */
export function RdsCmk(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::RDS::DBInstance' && node.cfnResourceType !== 'AWS::RDS::DBCluster') return NagRuleCompliance.NOT_APPLICABLE;
  const { properties } = resolveResource(node);
  if (node.cfnResourceType === 'AWS::RDS::DBInstance' && properties.DBClusterIdentifier !== undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const inherited = ['SourceDBInstanceIdentifier', 'SourceDBClusterIdentifier', 'DBSnapshotIdentifier', 'SnapshotIdentifier']
    .some(p => properties[p] !== undefined);
  // A replica or a restore inherits the key of its source unless it names one: judged on the source.
  if (inherited && properties.KmsKeyId === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const encrypted = String(properties.StorageEncrypted) === 'true' || properties.KmsKeyId !== undefined;
  return encrypted && isCustomerManagedKey(Stack.of(node), properties.KmsKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
