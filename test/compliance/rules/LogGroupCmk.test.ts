import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-LogGroupCmk', () => {
  test('a log group without a key (error)', () => {
    const stack = newStack();
    new logs.LogGroup(stack, 'Logs');
    expect(findings(stack, 'LogGroupCmk')).toEqual(['KmsChecks-LogGroupCmk']);
    expect(severity(stack, 'LogGroupCmk')).toBe('error');
  });

  test('a log group under a CMK passes', () => {
    const stack = newStack();
    new logs.LogGroup(stack, 'Logs', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(findings(stack, 'LogGroupCmk')).toEqual([]);
  });
});
