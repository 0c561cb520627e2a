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

  // https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html and
  // https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html: only positive conditions narrow.
  test('tag and alias conditions that narrow nothing (negated, Null, IfExists, ForAllValues, a bare *) still mean all keys', () => {
    const stack = newStack();
    const conditions: any[] = [
      { StringNotEquals: { 'aws:ResourceTag/team': 'payments' } },
      { Null: { 'aws:ResourceTag/team': 'false' } },
      { StringLike: { 'aws:ResourceTag/team': '*' } },
      { StringEqualsIfExists: { 'aws:ResourceTag/team': 'orders' } },
      { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/*' } },
      { 'ForAllValues:StringEquals': { 'kms:ResourceAliases': 'alias/orders' } },
      { StringNotLike: { 'kms:ResourceAliases': 'alias/payments*' } },
    ];
    // One managed policy per condition: each is reported on its own.
    conditions.forEach((condition, i) => new iam.ManagedPolicy(stack, `Managed${i}`, {
      statements: [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'], conditions: condition })],
    }));
    expect(findings(stack, 'IamKmsAllKeys')).toEqual(conditions.map(() => 'KmsChecks-IamKmsAllKeys[Action::kms:Decrypt]'));
  });

  test('StringLike on a tag value and ForAnyValue on aliases narrow to some keys', () => {
    const stack = newStack();
    new iam.ManagedPolicy(stack, 'Managed', {
      statements: [
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'], conditions: { StringLike: { 'aws:ResourceTag/team': 'orders-*' } } }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'], conditions: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/orders/*' } } }),
      ],
    });
    expect(findings(stack, 'IamKmsAllKeys')).toEqual([]);
  });
});
