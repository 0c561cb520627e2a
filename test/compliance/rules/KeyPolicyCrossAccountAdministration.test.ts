import { findings, newStack, OTHER_ACCOUNT, rawKey, severity } from './rule-test-support';

describe('KmsChecks-KeyPolicyCrossAccountAdministration', () => {
  test('a role or the root of another account with administrative actions (error)', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'PartnerAdmin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/Ops` }, Action: ['kms:TagResource', 'kms:DisableKey'], Resource: '*' },
      { Sid: 'PartnerRoot', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${OTHER_ACCOUNT}:root`]] } }, Action: 'kms:*', Resource: '*' },
    ]);
    expect(findings(stack, 'KeyPolicyCrossAccountAdministration')).toEqual([
      'KmsChecks-KeyPolicyCrossAccountAdministration[PartnerAdmin]', 'KmsChecks-KeyPolicyCrossAccountAdministration[PartnerRoot]',
    ]);
    expect(severity(stack, 'KeyPolicyCrossAccountAdministration')).toBe('error');
  });

  test('another account with cryptographic actions only passes', () => {
    const stack = newStack();
    rawKey(stack, [{ Sid: 'PartnerDecrypt', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' }]);
    expect(findings(stack, 'KeyPolicyCrossAccountAdministration')).toEqual([]);
  });
});
