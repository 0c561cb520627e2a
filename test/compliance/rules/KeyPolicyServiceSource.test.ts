import { ACCOUNT, findings, newStack, rawKey, severity } from './rule-test-support';

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
});
