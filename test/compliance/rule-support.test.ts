import { App, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flatten, isAwsManagedKeyReference, isOtherAccount, OWN_ACCOUNT, pinOf, principalInfo, UNKNOWN } from '../../src/compliance/rule-support';

function stacks() {
  const app = new App({ context: { 'cdk-kms-patterns:accessReport': false } });
  return {
    pinned: new Stack(app, 'Pinned', { env: { account: '111111111111', region: 'eu-west-1' } }),
    agnostic: new Stack(app, 'Agnostic'),
  };
}

describe('flatten', () => {
  test('joins, subs and pseudo parameters with what the stack knows', () => {
    const { pinned, agnostic } = stacks();
    const join = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };
    expect(flatten(pinned, join)).toBe('arn:aws:iam::111111111111:root');
    expect(flatten(agnostic, join)).toBe(`arn:aws:iam::${OWN_ACCOUNT}:root`);
    expect(flatten(pinned, { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}' })).toBe(`arn:aws:iam::111111111111:role/${UNKNOWN}`);
    expect(flatten(pinned, { 'Fn::Sub': ['arn:aws:iam::${Acct}:root', { Acct: '222222222222' }] })).toBe('arn:aws:iam::222222222222:root');
  });

  test('GetAtt Arn of a role of the stack is a role of its account; imports and parameters are unknown', () => {
    const { pinned } = stacks();
    const role = new iam.Role(pinned, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    const param = new CfnParameter(pinned, 'Account');
    expect(principalInfo(pinned, JSON.stringify(pinned.resolve(role.roleArn)))).toEqual({
      text: `arn:aws:iam::111111111111:role/${pinned.resolve(role.node.defaultChild && (role.node.defaultChild as iam.CfnRole).logicalId)}`,
      account: '111111111111',
      isAccount: false,
    });
    expect(flatten(pinned, pinned.resolve(Fn.importValue('Other')))).toBe(UNKNOWN);
    expect(principalInfo(pinned, JSON.stringify(pinned.resolve(param.valueAsString))).account).toBe(UNKNOWN);
  });
});

describe('principalInfo and accounts', () => {
  test('account ids, roots and roles', () => {
    const { pinned } = stacks();
    expect(principalInfo(pinned, '222222222222')).toEqual({ text: '222222222222', account: '222222222222', isAccount: true });
    expect(principalInfo(pinned, 'arn:aws:iam::222222222222:root').isAccount).toBe(true);
    expect(principalInfo(pinned, 'arn:aws:iam::222222222222:role/x').isAccount).toBe(false);
    expect(isOtherAccount(pinned, '222222222222')).toBe(true);
    expect(isOtherAccount(pinned, '111111111111')).toBe(false);
    expect(isOtherAccount(pinned, UNKNOWN)).toBe(false);
    expect(isOtherAccount(stacks().agnostic, '222222222222')).toBe(false);
  });
});

describe('pinOf', () => {
  test.each([
    [{ StringEquals: { 'aws:PrincipalAccount': '111111111111' } }, true, false],
    [{ StringLike: { 'aws:PrincipalAccount': '*' } }, false, false],
    [{ StringEqualsIfExists: { 'aws:PrincipalAccount': '111111111111' } }, false, false],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/a/*' } }, true, true],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/a' } }, false, false],
    [{ StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } }, true, false],
    [{ Null: { 'kms:ViaService': 'false' } }, false, false],
    // Partial wildcards match many accounts or organizations: not a pin.
    [{ StringLike: { 'aws:PrincipalOrgID': 'o-*' } }, false, false],
    [{ StringLike: { 'aws:PrincipalAccount': '1*' } }, false, false],
    [{ StringLike: { 'aws:SourceAccount': '*1' } }, false, false],
    [{ StringLike: { 'kms:CallerAccount': '11111111111?' } }, false, false],
    [{ StringEquals: { 'aws:SourceAccount': ['111111111111', '2*'] } }, false, false],
    [{ StringLike: { 'aws:PrincipalOrgPaths': 'o-abc/r-ab12/*' } }, true, false],
    [{ StringLike: { 'aws:PrincipalOrgPaths': 'o-*/r-ab12/*' } }, false, false],
    // ARNs: a wildcard only after a literal account field.
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/*' } }, true, true],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::1111*:role/a' } }, false, false],
    [{ ArnLike: { 'aws:SourceArn': 'arn:aws:*:111111111111:trail/x' } }, false, false],
    [{ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/*' } }, true, false],
    [{ StringLike: { 'aws:userid': 'AROAEXAMPLE:*' } }, true, true],
    [{ StringLike: { 'aws:userid': 'AROA*' } }, false, false],
  ])('%j pins: %s, to principals: %s', (conditions, pinned, toPrincipalArns) => {
    const pin = pinOf(stacks().pinned, conditions as any);
    expect(pin.pinned).toBe(pinned);
    expect(pin.toPrincipalArns).toBe(toPrincipalArns);
  });
});

test('AWS managed key references', () => {
  const { pinned } = stacks();
  expect(isAwsManagedKeyReference(pinned, 'alias/aws/s3')).toBe(true);
  expect(isAwsManagedKeyReference(pinned, 'arn:aws:kms:eu-west-1:111111111111:alias/aws/ebs')).toBe(true);
  expect(isAwsManagedKeyReference(pinned, 'alias/orders')).toBe(false);
  expect(isAwsManagedKeyReference(pinned, { 'Fn::GetAtt': ['Key', 'Arn'] })).toBe(false);
});
