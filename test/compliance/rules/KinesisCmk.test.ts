import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-KinesisCmk', () => {
  test('a stream under alias/aws/kinesis, or unencrypted (error)', () => {
    const stack = newStack();
    new kinesis.Stream(stack, 'Managed', { encryption: kinesis.StreamEncryption.MANAGED });
    new kinesis.CfnStream(stack, 'Plain', { shardCount: 1 });
    expect(findings(stack, 'KinesisCmk')).toEqual(['KmsChecks-KinesisCmk', 'KmsChecks-KinesisCmk']);
    expect(severity(stack, 'KinesisCmk')).toBe('error');
  });

  test('a stream under a CMK passes', () => {
    const stack = newStack();
    new kinesis.Stream(stack, 'Stream', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(findings(stack, 'KinesisCmk')).toEqual([]);
  });
});
