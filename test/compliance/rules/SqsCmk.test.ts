import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-SqsCmk', () => {
  test('SSE-SQS and alias/aws/sqs (error)', () => {
    const stack = newStack();
    new sqs.Queue(stack, 'SseSqs');
    new sqs.Queue(stack, 'AwsManaged', { encryption: sqs.QueueEncryption.KMS_MANAGED });
    expect(findings(stack, 'SqsCmk')).toEqual(['KmsChecks-SqsCmk', 'KmsChecks-SqsCmk']);
    expect(severity(stack, 'SqsCmk')).toBe('error');
  });

  test('a queue under a CMK passes', () => {
    const stack = newStack();
    new sqs.Queue(stack, 'Queue', { encryptionMasterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(findings(stack, 'SqsCmk')).toEqual([]);
  });
});
