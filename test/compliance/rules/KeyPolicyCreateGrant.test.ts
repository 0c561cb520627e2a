import { findings, newStack, OTHER_ACCOUNT, rawKey, severity, USER_ROLE } from './rule-test-support';

describe('KmsChecks-KeyPolicyCreateGrant', () => {
  test('CreateGrant, or kms:*, without GrantIsForAWSResource (error)', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'PartnerGrants', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: ['kms:CreateGrant', 'kms:Decrypt'], Resource: '*' },
      { Sid: 'All', Effect: 'Allow', Principal: { AWS: USER_ROLE }, Action: 'kms:*', Resource: '*' },
      { Sid: 'FalseCondition', Effect: 'Allow', Principal: { AWS: USER_ROLE }, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false' } } },
    ]);
    expect(findings(stack, 'KeyPolicyCreateGrant')).toEqual([
      'KmsChecks-KeyPolicyCreateGrant[All]', 'KmsChecks-KeyPolicyCreateGrant[FalseCondition]', 'KmsChecks-KeyPolicyCreateGrant[PartnerGrants]',
    ]);
    expect(severity(stack, 'KeyPolicyCreateGrant')).toBe('error');
  });

  test('CreateGrant for AWS resources only passes (string or boolean condition value)', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'Ebs', Effect: 'Allow', Principal: { AWS: USER_ROLE }, Action: ['kms:CreateGrant'], Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
      { Sid: 'Rds', Effect: 'Allow', Principal: { AWS: USER_ROLE }, Action: ['kms:CreateGrant'], Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } },
    ]);
    expect(findings(stack, 'KeyPolicyCreateGrant')).toEqual([]);
  });
});
