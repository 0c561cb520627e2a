import { NagMessageLevel } from 'cdk-nag';
import { KMS_RULES } from '../../src/compliance/kms-rules';

describe('KMS_RULES', () => {
  test('unique ids, a level, a text, a reason and a control (or -) for every rule', () => {
    expect(new Set(KMS_RULES.map(r => r.id)).size).toBe(KMS_RULES.length);
    for (const rule of KMS_RULES) {
      expect([NagMessageLevel.ERROR, NagMessageLevel.WARN]).toContain(rule.level);
      expect(rule.info.length).toBeGreaterThan(20);
      expect(rule.explanation.length).toBeGreaterThan(20);
      expect(rule.control.length).toBeGreaterThan(0);
    }
  });

  test('at least the rules the issue asks for', () => {
    expect(KMS_RULES.map(r => r.id)).toEqual(expect.arrayContaining([
      'KeyPolicyPublicPrincipal', 'KeyPolicyAdministration', 'KeyPolicyDelegatesToIam', 'KeyPolicyMixedStatement', 'KeyPolicyCreateGrant',
      'KeyPolicyCrossAccountAdministration', 'KeyPolicyServiceSource', 'KeyPolicySize', 'KeyPolicyLockout', 'KeyRotationEnabled', 'KeyRotationPeriod',
      'KeyPendingWindow', 'KeyDeletionPolicy', 'IamKmsAllKeys', 'S3BucketCmk', 'S3BucketKey', 'EbsCmk', 'RdsCmk', 'RedshiftCmk', 'PerformanceInsightsCmk',
      'SecretCmk', 'SnsCmk', 'SqsCmk', 'LogGroupCmk', 'KinesisCmk', 'DynamoDbCmk', 'StateMachineCmk', 'SsmStringSecret',
    ]));
  });
});
