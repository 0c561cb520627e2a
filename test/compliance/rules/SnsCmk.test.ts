import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-SnsCmk', () => {
  test('an unencrypted topic and one under alias/aws/sns (error)', () => {
    const stack = newStack();
    new sns.Topic(stack, 'Plain');
    new sns.Topic(stack, 'AwsManaged', { masterKey: kms.Alias.fromAliasName(stack, 'AwsSns', 'alias/aws/sns') });
    expect(findings(stack, 'SnsCmk')).toEqual(['KmsChecks-SnsCmk', 'KmsChecks-SnsCmk']);
    expect(severity(stack, 'SnsCmk')).toBe('error');
  });

  test('a topic under a CMK passes', () => {
    const stack = newStack();
    new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(findings(stack, 'SnsCmk')).toEqual([]);
  });
});
