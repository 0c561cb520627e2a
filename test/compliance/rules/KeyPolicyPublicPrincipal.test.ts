import { ACCOUNT, findings, newStack, rawKey, severity } from './rule-test-support';

describe('KmsChecks-KeyPolicyPublicPrincipal', () => {
  test('Principal * without conditions is public (error)', () => {
    const stack = newStack();
    rawKey(stack, [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }]);
    expect(findings(stack, 'KeyPolicyPublicPrincipal')).toEqual(['KmsChecks-KeyPolicyPublicPrincipal[Everyone]']);
    expect(severity(stack, 'KeyPolicyPublicPrincipal')).toBe('error');
  });

  test('AWS: * with a condition that pins nothing (kms:ViaService, IfExists, a negated or wildcard account) is public', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'Via', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } },
      { Sid: 'IfExists', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:PrincipalAccount': ACCOUNT } } },
      { Sid: 'Not', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } } },
      { Sid: 'Wildcard', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringLike: { 'kms:CallerAccount': '*' } } },
      { Sid: 'AnyAccountRole', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Reader' } } },
    ]);
    expect(findings(stack, 'KeyPolicyPublicPrincipal')).toEqual([
      'KmsChecks-KeyPolicyPublicPrincipal[AnyAccountRole]', 'KmsChecks-KeyPolicyPublicPrincipal[IfExists]',
      'KmsChecks-KeyPolicyPublicPrincipal[Not]', 'KmsChecks-KeyPolicyPublicPrincipal[Via]', 'KmsChecks-KeyPolicyPublicPrincipal[Wildcard]',
    ]);
  });

  test('partial wildcards in account and organization ids, or before an ARN\'s account field, pin nothing (public)', () => {
    const stack = newStack();
    const star = (sid: string, condition: any) => ({ Sid: sid, Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: condition });
    rawKey(stack, [
      star('Org', { StringLike: { 'aws:PrincipalOrgID': 'o-*' } }),
      star('Account', { StringLike: { 'aws:PrincipalAccount': '1*' } }),
      star('Source', { StringLike: { 'aws:SourceAccount': '*1' } }),
      star('Shifted', { ArnLike: { 'aws:PrincipalArn': `arn:aws:*:${ACCOUNT}:role/Reader` } }),
      star('Pinned', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/*` } }),
    ]);
    expect(findings(stack, 'KeyPolicyPublicPrincipal')).toEqual([
      'KmsChecks-KeyPolicyPublicPrincipal[Account]', 'KmsChecks-KeyPolicyPublicPrincipal[Org]',
      'KmsChecks-KeyPolicyPublicPrincipal[Shifted]', 'KmsChecks-KeyPolicyPublicPrincipal[Source]',
    ]);
  });

  test('an Allow with NotPrincipal is public', () => {
    const stack = newStack();
    rawKey(stack, [{ Sid: 'AllBut', Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/X` }, Action: 'kms:Decrypt', Resource: '*' }]);
    expect(findings(stack, 'KeyPolicyPublicPrincipal')).toEqual(['KmsChecks-KeyPolicyPublicPrincipal[AllBut]']);
  });

  test.each([
    ['aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } }],
    ['kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': ACCOUNT } }],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }],
    ['aws:SourceAccount', { StringEquals: { 'aws:SourceAccount': ACCOUNT } }],
    ['aws:SourceArn', { ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/*` } }],
    ['aws:PrincipalArn', { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Reader` } }],
    ['aws:PrincipalAccount as a token', { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } }],
  ])('Principal * pinned by %s is not public', (_name, condition) => {
    const stack = newStack();
    rawKey(stack, [{ Sid: 'Pinned', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: condition }]);
    expect(findings(stack, 'KeyPolicyPublicPrincipal')).toEqual([]);
  });

  test('named principals and services are not public', () => {
    const stack = newStack();
    rawKey(stack, [
      { Sid: 'Role', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Orders` }, Action: 'kms:Decrypt', Resource: '*' },
      { Sid: 'Logs', Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' },
    ]);
    expect(findings(stack, 'KeyPolicyPublicPrincipal')).toEqual([]);
  });
});
