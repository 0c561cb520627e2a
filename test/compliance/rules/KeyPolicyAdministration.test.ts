import { ACCOUNT, findings, newStack, rawKey, severity } from './rule-test-support';

describe('KmsChecks-KeyPolicyAdministration', () => {
  test('administrative actions to a service principal or to anyone are reported (error)', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'ServiceAdmin', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: ['kms:PutKeyPolicy'], Resource: '*' },
      { Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' },
    ]);
    expect(findings(stack, 'KeyPolicyAdministration')).toEqual(['KmsChecks-KeyPolicyAdministration[Everyone]', 'KmsChecks-KeyPolicyAdministration[ServiceAdmin]']);
    expect(severity(stack, 'KeyPolicyAdministration')).toBe('error');
  });

  test('named administrators (by ARN, or * pinned to one role) and read-only actions pass', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'PinnedAdmin', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:ScheduleKeyDeletion'], Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Ops` } } },
      { Sid: 'ServiceDescribe', Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: ['kms:DescribeKey'], Resource: '*' },
    ]);
    expect(findings(stack, 'KeyPolicyAdministration')).toEqual([]);
  });
});
