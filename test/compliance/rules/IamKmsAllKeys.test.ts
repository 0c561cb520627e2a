import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-IamKmsAllKeys', () => {
  test('decrypt, re-encrypt and create grants on every key, by action, wildcard or NotAction (error)', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Broad', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] }));
    new iam.ManagedPolicy(stack, 'Managed', { statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['arn:aws:kms:*:111111111111:key/*'] })] });
    new iam.CfnUser(stack, 'User', { policies: [{ policyName: 'p', policyDocument: { Statement: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] } }] });
    expect(findings(stack, 'IamKmsAllKeys')).toEqual([
      'KmsChecks-IamKmsAllKeys[Action::kms:CreateGrant]', 'KmsChecks-IamKmsAllKeys[Action::kms:CreateGrant]',
      'KmsChecks-IamKmsAllKeys[Action::kms:Decrypt]', 'KmsChecks-IamKmsAllKeys[Action::kms:Decrypt]', 'KmsChecks-IamKmsAllKeys[Action::kms:Decrypt]',
      'KmsChecks-IamKmsAllKeys[Action::kms:ReEncryptFrom]', 'KmsChecks-IamKmsAllKeys[Action::kms:ReEncryptFrom]',
    ]);
    expect(severity(stack, 'IamKmsAllKeys')).toBe('error');
  });

  test('named keys, tag-narrowed statements, kms:GenerateRandom and other actions pass', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const role = new iam.Role(stack, 'Narrow', { assumedBy: new iam.AccountRootPrincipal() });
    key.grantDecrypt(role);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateRandom', 'kms:ListAliases', 'kms:Encrypt'], resources: ['*'] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'], conditions: { StringEquals: { 'aws:ResourceTag/team': 'orders' } } }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect(findings(stack, 'IamKmsAllKeys')).toEqual([]);
  });
});
