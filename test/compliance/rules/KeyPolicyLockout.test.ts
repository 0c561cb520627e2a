import { CfnDeletionPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, newStack, rawKey, severity, USER_ROLE } from './rule-test-support';

describe('KmsChecks-KeyPolicyLockout', () => {
  test('no principal can call PutKeyPolicy (error)', () => {
    const stack = newStack();
    const key = new kms.CfnKey(stack, 'Key', {
      enableKeyRotation: true,
      keyPolicy: {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: USER_ROLE }, Action: ['kms:Decrypt', 'kms:ScheduleKeyDeletion'], Resource: '*' },
          { Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:*', Resource: '*' },
        ],
      },
    });
    key.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    expect(findings(stack, 'KeyPolicyLockout')).toEqual(['KmsChecks-KeyPolicyLockout']);
    expect(severity(stack, 'KeyPolicyLockout')).toBe('error');
  });

  test('a Deny of kms:* to everyone without conditions locks everyone out', () => {
    const stack = newStack();
    rawKey(stack, [{ Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' }]);
    expect(findings(stack, 'KeyPolicyLockout')).toEqual(['KmsChecks-KeyPolicyLockout']);
  });

  test('a named administrator, or a conditional Deny, passes', () => {
    const stack = newStack();
    rawKey(stack, [{ Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]);
    expect(findings(stack, 'KeyPolicyLockout')).toEqual([]);
  });
});
