import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isCustomerManagedKey, resolveResource } from '../rule-support';

/**
 * A secret is encrypted with the AWS managed key `aws/secretsmanager`: its key policy cannot be
 * narrowed, and the secret cannot be shared across accounts. Covers:
 * - an `AWS::SecretsManager::Secret` without `KmsKeyId`;
 * - the master user secret RDS manages for an `AWS::RDS::DBInstance` or `AWS::RDS::DBCluster`
 *   (`ManageMasterUserPassword: true`) without `MasterUserSecret.KmsKeyId`
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-rds-dbinstance-masterusersecret.html,
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html: "If you don't specify
 *   MasterUserSecretKmsKeyId, then the aws/secretsmanager KMS key is used");
 * - the admin secret Redshift manages for an `AWS::Redshift::Cluster` (`ManageMasterPassword: true`)
 *   without `MasterPasswordSecretKmsKeyId`
 *   (https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html).
 * @param node the CfnResource to check
 */
export function SecretCmk(node: CfnResource): NagRuleResult {
  const stack = Stack.of(node);
  switch (node.cfnResourceType) {
    case 'AWS::SecretsManager::Secret': {
      const { properties } = resolveResource(node);
      return isCustomerManagedKey(stack, properties.KmsKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    case 'AWS::RDS::DBInstance':
    case 'AWS::RDS::DBCluster': {
      const { properties } = resolveResource(node);
      if (String(properties.ManageMasterUserPassword) !== 'true') return NagRuleCompliance.NOT_APPLICABLE;
      return isCustomerManagedKey(stack, properties.MasterUserSecret?.KmsKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    case 'AWS::Redshift::Cluster': {
      const { properties } = resolveResource(node);
      if (String(properties.ManageMasterPassword) !== 'true') return NagRuleCompliance.NOT_APPLICABLE;
      return isCustomerManagedKey(stack, properties.MasterPasswordSecretKmsKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    default:
      return NagRuleCompliance.NOT_APPLICABLE;
  }
}
