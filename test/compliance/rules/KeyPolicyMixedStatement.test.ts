import { findings, newStack, rawKey, severity, USER_ROLE } from './rule-test-support';

describe('KmsChecks-KeyPolicyMixedStatement', () => {
  test('cryptographic and administrative actions in one statement (warning)', () => {
    const stack = newStack();
    rawKey(stack, [{ Sid: 'Both', Effect: 'Allow', Principal: { AWS: USER_ROLE }, Action: ['kms:Decrypt', 'kms:PutKeyPolicy'], Resource: '*' }]);
    expect(findings(stack, 'KeyPolicyMixedStatement')).toEqual(['KmsChecks-KeyPolicyMixedStatement[Both]']);
    expect(severity(stack, 'KeyPolicyMixedStatement')).toBe('warning');
  });

  test('separate statements, and kms:* (left to the delegation rules), pass', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'Use', Effect: 'Allow', Principal: { AWS: USER_ROLE }, Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
      { Sid: 'All', Effect: 'Allow', Principal: { AWS: USER_ROLE }, Action: 'kms:*', Resource: '*' },
    ]);
    expect(findings(stack, 'KeyPolicyMixedStatement')).toEqual([]);
  });
});
