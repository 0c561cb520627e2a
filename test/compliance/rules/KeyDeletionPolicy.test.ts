import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, newStack, rawKey, severity } from './rule-test-support';

describe('KmsChecks-KeyDeletionPolicy', () => {
  test('a key destroyed with the stack, or a raw key with no policy (Delete), is reported (error)', () => {
    const stack = newStack();
    new kms.Key(stack, 'Destroyed', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
    new kms.CfnKey(stack, 'Raw', { enableKeyRotation: true });
    expect(findings(stack, 'KeyDeletionPolicy')).toEqual(['KmsChecks-KeyDeletionPolicy', 'KmsChecks-KeyDeletionPolicy']);
    expect(severity(stack, 'KeyDeletionPolicy')).toBe('error');
  });

  test('retained keys pass', () => {
    const stack = newStack();
    new kms.Key(stack, 'Retained', { enableKeyRotation: true });
    rawKey(stack, [], {}, 'Raw');
    expect(findings(stack, 'KeyDeletionPolicy')).toEqual([]);
  });
});
