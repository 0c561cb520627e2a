import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EncryptionKey, KeyService } from '../../src';
import { KeyAccess, KeyPolicyMode } from '../../src/policy/key-access';
import { KeyCapability } from '../../src/policy/key-capability';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const PARTNER = '222222222222';
const STRANGER = '333333333333';
const ORG = 'o-abcdefghij';
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

/** A key with one access rule, its stack and a world to simulate it in. */
function keyWith(access: (stack: Stack) => KeyAccess) {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const key = new EncryptionKey(stack, 'Key', { access: [access(stack)] });
  return { app, stack, key };
}

function use(stack: Stack): any {
  const keys = Object.values<any>(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  return stack.resolve(keys[0].Properties.KeyPolicy).Statement.find((s: any) => s.Sid === 'Use');
}

describe('KeyPolicyMode', () => {
  test('values are their names', () => {
    expect(Object.entries(KeyPolicyMode).every(([name, value]) => name === value)).toBe(true);
    expect(Object.values(KeyPolicyMode).sort()).toEqual(['AWS_DEFAULT', 'LEAST_PRIVILEGE']);
  });
});

describe('KeyAccess.accounts', () => {
  test('another account: its root, delegated to its IAM policies, for the capability\'s actions only', async () => {
    // GIVEN
    const { stack, key } = keyWith(() => ({ capabilities: [KeyCapability.DECRYPT], accounts: [PARTNER] }));
    // THEN
    expect(use(stack)).toMatchObject({
      Principal: { AWS: `arn:aws:iam::${PARTNER}:root` },
      Action: 'kms:Decrypt',
    });
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      { label: 'partner role with IAM allow', principal: `arn:aws:iam::${PARTNER}:role/reader`, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
      { label: 'partner role without IAM allow', principal: `arn:aws:iam::${PARTNER}:role/reader`, action: 'kms:Decrypt', key, expect: 'deny' },
      { label: 'partner, another action', principal: `arn:aws:iam::${PARTNER}:role/reader`, action: ['kms:Encrypt', 'kms:DescribeKey'], key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'a stranger', principal: `arn:aws:iam::${STRANGER}:role/reader`, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  test('with viaServices: only through the service, with kms:CallerAccount naming that account', async () => {
    const { stack, key } = keyWith(() => ({ capabilities: [KeyCapability.ENVELOPE], accounts: [PARTNER], viaServices: [KeyService.S3] }));
    expect(use(stack).Condition).toEqual({ StringEquals: { 'kms:CallerAccount': PARTNER, 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
    const world = PolicyWorld.fromStacks([stack]);
    const reader = `arn:aws:iam::${PARTNER}:role/reader`;
    await expectAccess(world, [
      { label: 'through S3', principal: reader, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, expect: 'allow' },
      { label: 'directly', principal: reader, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  test('actions KMS does not honour across accounts never reach another account (GRANT_FOR_AWS_RESOURCE does)', () => {
    const { stack } = keyWith(() => ({ capabilities: [KeyCapability.GRANT_FOR_AWS_RESOURCE], accounts: [PARTNER] }));
    const keys = Object.values<any>(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    const grants = stack.resolve(keys[0].Properties.KeyPolicy).Statement.find((s: any) => s.Sid === 'GrantsForAwsResources');
    expect(grants.Action).toEqual(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);
    expect(grants.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  });

  test.each([['1234'], ['11112222333x']])('%s is not an account', (account) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => new EncryptionKey(stack, 'Key', { access: [{ capabilities: [KeyCapability.DECRYPT], accounts: [account] }] }))
      .toThrow(`access[0].accounts must be a 12-digit AWS account id, got '${account}'`);
  });
});

describe('KeyAccess.organizationId', () => {
  test('only principals of the organization', async () => {
    const { stack, key } = keyWith(() => ({ capabilities: [KeyCapability.DECRYPT], accounts: [PARTNER], organizationId: ORG }));
    expect(use(stack).Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ORG } });
    const world = PolicyWorld.fromStacks([stack]);
    const reader = `arn:aws:iam::${PARTNER}:role/reader`;
    await expectAccess(world, [
      { label: 'in the organization', principal: reader, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'aws:PrincipalOrgID': ORG }, expect: 'allow' },
      { label: 'another organization', principal: reader, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' }, expect: 'deny' },
      { label: 'no organization', principal: reader, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  test.each(['o-short', 'O-ABCDEFGHIJ', 'r-abcdefghij', `o-${'a'.repeat(33)}`])('%s is not an organization id', (organizationId) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => new EncryptionKey(stack, 'Key', { access: [{ capabilities: [KeyCapability.DECRYPT], accounts: [PARTNER], organizationId }] }))
      .toThrow(`access[0].organizationId must be an organization id (o- and 10 to 32 lowercase letters or digits), got '${organizationId}'`);
  });
});

describe('KeyAccess.principalTags', () => {
  test('with principalArnPatterns: matching roles carrying every tag', async () => {
    const { stack, key } = keyWith(() => ({
      capabilities: [KeyCapability.DECRYPT],
      principalArnPatterns: ['arn:aws:iam::111111111111:role/app/*'],
      principalTags: { team: 'orders', env: 'prod' },
    }));
    expect(use(stack).Condition.StringEquals).toMatchObject({ 'aws:PrincipalTag/env': 'prod', 'aws:PrincipalTag/team': 'orders' });
    const world = PolicyWorld.fromStacks([stack]);
    const worker = 'arn:aws:iam::111111111111:role/app/worker';
    const tags = { 'aws:PrincipalTag/team': 'orders', 'aws:PrincipalTag/env': 'prod' };
    await expectAccess(world, [
      { label: 'both tags', principal: worker, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: tags, expect: 'allow' },
      { label: 'one tag', principal: worker, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'aws:PrincipalTag/team': 'orders' }, expect: 'deny' },
      { label: 'wrong value', principal: worker, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { ...tags, 'aws:PrincipalTag/env': 'dev' }, expect: 'deny' },
    ]);
  });

  test('with accounts: the other account\'s principals carrying the tag', () => {
    const { stack } = keyWith(() => ({ capabilities: [KeyCapability.DECRYPT], accounts: [PARTNER], principalTags: { team: 'orders' } }));
    expect(use(stack).Condition).toEqual({ StringEquals: { 'aws:PrincipalTag/team': 'orders' } });
  });

  test('with principals alone it is refused: tags restrict a group of principals', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => new EncryptionKey(stack, 'Key', {
      access: [{ capabilities: [KeyCapability.DECRYPT], principals: [new iam.AccountPrincipal(PARTNER)], principalTags: { team: 'orders' } }],
    })).toThrow('access[0].principalTags needs principalArnPatterns or accounts: tags restrict a group of principals');
  });
});

describe('KeyAccess.encryptionContext', () => {
  test('a role of the key\'s stack, named directly: access with the context only, and no IAM policy is needed', async () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const key = new EncryptionKey(stack, 'Key', {
      access: [{ capabilities: [KeyCapability.ENCRYPT_DECRYPT], principals: [role], encryptionContext: { tenant: 'orders-*', app: 'billing' } }],
    });
    // THEN
    expect(use(stack).Condition).toEqual({
      StringEquals: { 'kms:EncryptionContext:app': 'billing' },
      StringLike: { 'kms:EncryptionContext:tenant': 'orders-*' },
    });
    expect(Template.fromStack(stack).findResources('AWS::IAM::Policy')).toEqual({});
    const world = PolicyWorld.fromStacks([stack]);
    const context = { 'kms:EncryptionContext:app': 'billing', 'kms:EncryptionContext:tenant': 'orders-eu' };
    await expectAccess(world, [
      { label: 'matching context', principal: role, action: ['kms:Encrypt', 'kms:Decrypt'], key, context, expect: 'allow' },
      { label: 'other tenant', principal: role, action: 'kms:Decrypt', key, context: { ...context, 'kms:EncryptionContext:tenant': 'hr' }, expect: 'deny' },
      { label: 'missing pair', principal: role, action: 'kms:Decrypt', key, context: { 'kms:EncryptionContext:tenant': 'orders-eu' }, expect: 'deny' },
    ]);
  });

  test('a role of another stack is named through its account: the library writes its IAM policy too', async () => {
    const app = new App();
    const keyStack = new Stack(app, 'Keys', { env: ENV });
    const appStack = new Stack(app, 'App', { env: ENV });
    const role = new iam.Role(appStack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const key = new EncryptionKey(keyStack, 'Key', {
      access: [{ capabilities: [KeyCapability.DECRYPT], principals: [role], encryptionContext: { app: 'billing' } }],
    });
    Template.fromStack(appStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:EncryptionContext:app': 'billing' } } }] },
    });
    const world = PolicyWorld.fromStacks([keyStack, appStack]);
    await expectAccess(world, [
      { label: 'with the context', principal: role, action: 'kms:Decrypt', key, context: { 'kms:EncryptionContext:app': 'billing' }, expect: 'allow' },
      { label: 'without', principal: role, action: 'kms:Decrypt', key, expect: 'deny' },
    ]);
  });
});

describe('KeyAccess rules are checked before anything is created', () => {
  test.each([
    ['no capability', { capabilities: [], accounts: [PARTNER] }, 'access[0].capabilities must name at least one capability, got []'],
    ['no subject', { capabilities: [KeyCapability.DECRYPT] }, 'access[0] must set principals, principalArnPatterns or accounts'],
    ['a Python dict field', { capabilities: [KeyCapability.DECRYPT], accounts: [PARTNER], via_services: [] },
      /^access\[0\]: unknown field 'via_services' \(did you mean viaServices\? In Python, pass KeyAccess\(\.\.\.\) objects, not dicts\)/],
    ['a capability the key cannot do', { capabilities: [KeyCapability.SIGN], accounts: [PARTNER] },
      "access[0].capabilities: SIGN needs a key whose usage is SIGN_VERIFY, this key's usage is ENCRYPT_DECRYPT"],
    ['an unknown capability', { capabilities: ['READ'], accounts: [PARTNER] }, /^access\[0\]\.capabilities must hold KeyCapability values/],
    ['a pattern without an account', { capabilities: [KeyCapability.DECRYPT], principalArnPatterns: ['arn:aws:iam::*:role/x'] },
      /^access\[0\]\.principalArnPatterns must be IAM ARN patterns naming an account/],
    ['a principal KMS rejects', { capabilities: [KeyCapability.DECRYPT], principals: [new iam.AnyPrincipal()] }, /^access\[0\]\.principals: principal '\*'/],
  ])('%s', (_what, access, message) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => new EncryptionKey(stack, 'Key', { access: [access as unknown as KeyAccess] })).toThrow(message);
    expect(stack.node.tryFindChild('Key')).toBeUndefined();
  });
});
