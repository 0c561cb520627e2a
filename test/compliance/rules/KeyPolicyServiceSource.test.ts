import { ACCOUNT, OTHER_ACCOUNT, findings, newStack, rawKey, severity } from './rule-test-support';

describe('KmsChecks-KeyPolicyServiceSource', () => {
  test('a service principal without a source condition (warning)', () => {
    const stack = newStack();
    rawKey(stack, [{ Sid: 'Logs', Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }]);
    expect(findings(stack, 'KeyPolicyServiceSource')).toEqual(['KmsChecks-KeyPolicyServiceSource[Logs]']);
    expect(severity(stack, 'KeyPolicyServiceSource')).toBe('warning');
  });

  test('aws:SourceAccount or aws:SourceArn passes', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'Trail', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/main` } } },
      { Sid: 'Events', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } },
    ]);
    expect(findings(stack, 'KeyPolicyServiceSource')).toEqual([]);
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html: CloudWatch Logs is pinned by the
  // kms:EncryptionContext:aws:logs:arn condition, naming log groups of the key's account.
  test('an encryption context limited to ARNs of the key\'s account passes', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'Logs', Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: ['kms:Encrypt*', 'kms:Decrypt*'], Resource: '*', Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*` } } },
      { Sid: 'LogsSub', Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*', Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:orders' } } } },
    ]);
    expect(findings(stack, 'KeyPolicyServiceSource')).toEqual([]);
  });

  test('an encryption context with a wildcard account, another account, a wildcard before the account or a non-ARN value does not pin', () => {
    const stack = newStack();
    const logs = (sid: string, condition: any) => ({ Sid: sid, Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*', Condition: condition });
    rawKey(stack, [
      logs('AnyAccount', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:*:*:*' } }),
      logs('Other', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${OTHER_ACCOUNT}:log-group:*` } }),
      logs('Shifted', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:*:${ACCOUNT}:log-group:*` } }),
      logs('NotArn', { StringEquals: { 'kms:EncryptionContext:team': 'orders' } }),
      logs('Negative', { StringNotEquals: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:x` } }),
    ]);
    expect(findings(stack, 'KeyPolicyServiceSource')).toEqual([
      'KmsChecks-KeyPolicyServiceSource[AnyAccount]', 'KmsChecks-KeyPolicyServiceSource[Negative]', 'KmsChecks-KeyPolicyServiceSource[NotArn]',
      'KmsChecks-KeyPolicyServiceSource[Other]', 'KmsChecks-KeyPolicyServiceSource[Shifted]',
    ]);
  });
});
