import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCOUNT, findings, newStack, rawKey, severity } from './rule-test-support';

describe('KmsChecks-KeyPolicyDelegatesToIam', () => {
  test('aws-cdk-lib kms.Key: the account root holds kms:* (warning)', () => {
    const stack = newStack();
    new kms.Key(stack, 'CdkKey', { enableKeyRotation: true });
    expect(findings(stack, 'KeyPolicyDelegatesToIam')).toEqual(['KmsChecks-KeyPolicyDelegatesToIam[Statement0]']);
    expect(severity(stack, 'KeyPolicyDelegatesToIam')).toBe('warning');
  });

  test('a raw key without KeyPolicy gets KMS\'s default policy: a delegation', () => {
    const stack = newStack();
    new kms.CfnKey(stack, 'NoPolicy', { enableKeyRotation: true });
    expect(findings(stack, 'KeyPolicyDelegatesToIam')).toEqual(['KmsChecks-KeyPolicyDelegatesToIam[DefaultKeyPolicy]']);
  });

  test('an account id, or * pinned to the account, with administrative actions is a delegation', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'AccountId', Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: ['kms:DisableKey'], Resource: '*' },
      { Sid: 'PinnedAccount', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:PutKeyPolicy'], Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } },
    ]);
    expect(findings(stack, 'KeyPolicyDelegatesToIam')).toEqual(['KmsChecks-KeyPolicyDelegatesToIam[AccountId]', 'KmsChecks-KeyPolicyDelegatesToIam[PinnedAccount]']);
  });

  test('the root with cryptographic actions only, or narrowed to a principal ARN, is no delegation of the key', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    rawKey(stack, [
      { Sid: 'Use', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:root`]] } }, Action: ['kms:Decrypt'], Resource: '*' },
      { Sid: 'Narrowed', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:PutKeyPolicy'], Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': role.roleArn } } },
      { Sid: 'RoleOfStack', Effect: 'Allow', Principal: { AWS: role.roleArn }, Action: 'kms:*', Resource: '*' },
    ]);
    expect(findings(stack, 'KeyPolicyDelegatesToIam')).toEqual([]);
  });
});
