import { CfnDeletionPolicy, Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, newStack, rawKey, severity } from './rule-test-support';

describe('KmsChecks-KeyPendingWindow', () => {
  test('a 7-day window is below the default 30 days (warning); a lower threshold accepts it', () => {
    const stack = newStack();
    rawKey(stack, [], { pendingWindowInDays: 7 });
    expect(findings(stack, 'KeyPendingWindow')).toEqual(['KmsChecks-KeyPendingWindow']);
    expect(severity(stack, 'KeyPendingWindow')).toBe('warning');
    expect(findings(stack, 'KeyPendingWindow', { minPendingWindow: Duration.days(7) })).toEqual([]);
  });

  test('the default window (30 days) passes', () => {
    const stack = newStack();
    rawKey(stack, []);
    expect(findings(stack, 'KeyPendingWindow')).toEqual([]);
  });

  test('replica keys are read too: a replica with a 7-day window is reported, its policy checked like any key', () => {
    const stack = newStack();
    const replica = new kms.CfnReplicaKey(stack, 'Replica', {
      primaryKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      pendingWindowInDays: 7,
      keyPolicy: { Statement: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] },
    });
    replica.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    expect(findings(stack, 'KeyPendingWindow')).toEqual(['KmsChecks-KeyPendingWindow']);
    expect(findings(stack, 'KeyPolicyPublicPrincipal')).toEqual(['KmsChecks-KeyPolicyPublicPrincipal[Everyone]']);
    expect(findings(stack, 'KeyPolicyLockout')).toEqual(['KmsChecks-KeyPolicyLockout']);
    expect(findings(stack, 'KeyRotationEnabled')).toEqual([]);
  });
});
