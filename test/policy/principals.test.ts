import { App, Aws, DefaultStackSynthesizer, Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionKey } from '../../src';
import {
  checkKeyPolicyPrincipal, comparableArn, compareAccounts, ensureLiteralArn, iamResourceOf, keyPolicyPrincipal, referencesOtherStacks,
  referencesResources,
} from '../../src/policy/principals';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

function setup() {
  const app = new App();
  const keyStack = new Stack(app, 'Keys', { env: ENV });
  const key = new kms.CfnKey(keyStack, 'Key', { keyPolicy: {} });
  return { app, keyStack, key };
}

function lambdaRole(scope: Stack, id: string, props: Partial<iam.RoleProps> = {}): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), ...props });
}

function infos(construct: { node: any }) {
  return construct.node.metadata.filter((m: any) => m.type === 'aws:cdk:info').map((m: any) => m.data as string);
}

function warnings(construct: { node: any }) {
  return construct.node.metadata.filter((m: any) => m.type === 'aws:cdk:warning').map((m: any) => String(m.data));
}

describe('keyPolicyPrincipal', () => {
  test('a role of the key\'s stack is named directly; KMS needs no IAM policy for it', () => {
    const { keyStack, key } = setup();
    const role = lambdaRole(keyStack, 'Role');
    const [rendered, ...rest] = keyPolicyPrincipal(role, key);
    expect(rest).toEqual([]);
    expect(keyStack.resolve(rendered.principals)).toEqual([{ 'Fn::GetAtt': [keyStack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] }]);
    expect(rendered).toMatchObject({ principalType: 'AWS', account: '111111111111', needsIdentityPolicy: false, accountRoot: false });
    expect(rendered.principalArns).toBeUndefined();
  });

  test('a role of another stack: its account root, restricted to its literal ARN, which also needs the role\'s IAM policy', () => {
    const { app, keyStack, key } = setup();
    const appStack = new Stack(app, 'App', { env: ENV });
    const role = lambdaRole(appStack, 'Role');
    const [rendered] = keyPolicyPrincipal(role, key);
    expect(keyStack.resolve(rendered.principals)).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] }]);
    const name = (role.node.defaultChild as iam.CfnRole).roleName;
    expect(name).toMatch(/^App-Role-[0-9A-F]{8}-eu-west-1$/);
    expect(keyStack.resolve(rendered.principalArns)).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::111111111111:role/${name}`]] }]);
    expect(rendered).toMatchObject({ account: '111111111111', needsIdentityPolicy: true });
    // nothing in the key's stack refers to the other stack
    expect(referencesOtherStacks(keyStack, JSON.stringify(keyStack.resolve(rendered)))).toBe(false);
    expect(JSON.stringify(keyStack.resolve(rendered))).not.toMatch(/ImportValue|GetAtt/);
  });

  test('a role of another account: that account\'s root, restricted to the role', () => {
    const { app, key } = setup();
    const partner = new Stack(app, 'Partner', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = lambdaRole(partner, 'Role', { roleName: 'reader' });
    const [rendered] = keyPolicyPrincipal(role, key);
    expect(Stack.of(key).resolve(rendered.principals)).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] }]);
    expect(Stack.of(key).resolve(rendered.principalArns)).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:role/reader']] }]);
    expect(rendered.account).toBe('222222222222');
  });

  test('conditions of a wrapped principal (PrincipalWithConditions) are carried, and the role behind it is still found', () => {
    const { app, key } = setup();
    const appStack = new Stack(app, 'App', { env: ENV });
    const role = lambdaRole(appStack, 'Role', { roleName: 'app' });
    const [rendered] = keyPolicyPrincipal(new iam.PrincipalWithConditions(role, { StringEquals: { 'aws:PrincipalTag/team': 'orders' } }), key);
    expect(rendered.conditions).toEqual({ StringEquals: { 'aws:PrincipalTag/team': 'orders' } });
    expect(rendered.needsIdentityPolicy).toBe(true);
    expect(Stack.of(key).resolve(rendered.principalArns)).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/app']] }]);
  });

  test.each([
    ['the key\'s own account root', () => new iam.AccountRootPrincipal(), true, '111111111111'],
    ['another account', () => new iam.AccountPrincipal('222222222222'), true, '222222222222'],
    ['a literal role ARN', () => new iam.ArnPrincipal('arn:aws:iam::333333333333:role/x'), false, '333333333333'],
    ['a role session', () => new iam.ArnPrincipal('arn:aws:sts::333333333333:assumed-role/x/s'), false, '333333333333'],
  ])('%s is named as given (account root: %s)', (_what, make, accountRoot, account) => {
    const { key } = setup();
    const [rendered] = keyPolicyPrincipal(make(), key);
    expect(rendered).toMatchObject({ principalType: 'AWS', accountRoot, needsIdentityPolicy: accountRoot, account });
    expect(rendered.principalArns).toBeUndefined();
  });

  test('a service principal goes in Service and needs no IAM policy', () => {
    const { keyStack, key } = setup();
    const rendered = keyPolicyPrincipal(new iam.ServicePrincipal('logs.amazonaws.com'), key);
    expect(keyStack.resolve(rendered)).toEqual([{ principalType: 'Service', principals: ['logs.amazonaws.com'], needsIdentityPolicy: false }]);
  });

  test('a composite principal gives one entry per principal', () => {
    const { keyStack, key } = setup();
    const rendered = keyPolicyPrincipal(new iam.CompositePrincipal(new iam.ServicePrincipal('ec2.amazonaws.com'), lambdaRole(keyStack, 'Role')), key);
    expect(rendered.map(r => r.principalType)).toEqual(['Service', 'AWS']);
  });

  test('Aws.ACCOUNT_ID as a principal\'s account is the key\'s own account', () => {
    const { key } = setup();
    const principal = new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/x`);
    (principal as any).principalAccount = Aws.ACCOUNT_ID;
    expect(keyPolicyPrincipal(principal, key)[0].account).toBe('111111111111');
  });

  test('an imported principal whose ARN references another stack is named directly, with a warning about the dependency', () => {
    const { app, keyStack, key } = setup();
    const other = new Stack(app, 'Other', { env: ENV });
    const role = lambdaRole(other, 'Role');
    const imported = iam.Role.fromRoleArn(keyStack, 'Imported', role.roleArn);
    const [rendered] = keyPolicyPrincipal(imported, key);
    expect(rendered.needsIdentityPolicy).toBe(false);
    expect(warnings(key).join('\n')).toMatch(/lives in another stack and is not an IAM role or user created in this app.*depend on the principal's stack/);
  });

  test('a principal KMS rejects is refused', () => {
    const { key } = setup();
    expect(() => keyPolicyPrincipal(new iam.ArnPrincipal('arn:aws:iam::111111111111:role/*'), key)).toThrow(/has a wildcard/);
  });
});

describe('ensureLiteralArn', () => {
  test('an unnamed role gets a deterministic name with the Region, and an info note saying why', () => {
    const { app } = setup();
    const appStack = new Stack(app, 'App', { env: ENV });
    const role = lambdaRole(appStack, 'Role');
    const cfn = role.node.defaultChild as iam.CfnRole;
    const arn = ensureLiteralArn(cfn);
    const name = cfn.roleName!;
    expect(name).toMatch(/^App-Role-[0-9A-F]{8}-eu-west-1$/);
    expect(appStack.resolve(arn)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::111111111111:role/${name}`]] });
    expect(infos(role).join('\n')).toContain(`gave this role the name '${name}' so that a key in another stack can name it`);
    // a second call keeps the name
    expect(appStack.resolve(ensureLiteralArn(cfn))).toEqual(appStack.resolve(arn));
  });

  test('a named role keeps its name and path; a user is a user', () => {
    const { app } = setup();
    const appStack = new Stack(app, 'App', { env: ENV });
    const role = lambdaRole(appStack, 'Role', { roleName: 'reader', path: '/apps/' });
    const user = new iam.User(appStack, 'User', { userName: 'ops' });
    expect(appStack.resolve(ensureLiteralArn(role.node.defaultChild as iam.CfnRole)))
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/apps/reader']] });
    expect(appStack.resolve(ensureLiteralArn(user.node.defaultChild as iam.CfnUser)))
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:user/ops']] });
  });

  test('a name that references another resource is refused: it would tie the key\'s stack to it', () => {
    const { app } = setup();
    const appStack = new Stack(app, 'App', { env: ENV });
    const other = lambdaRole(appStack, 'Other');
    const role = lambdaRole(appStack, 'Role', { roleName: `copy-of-${other.roleName}` });
    expect(() => ensureLiteralArn(role.node.defaultChild as iam.CfnRole))
      .toThrow('the role App/Role/Resource has a name that references other resources; give it a literal name to grant it a key in another stack');
  });

  test('the deterministic names differ between Regions (IAM names are global to the account)', () => {
    const app = new App();
    const names = ['eu-west-1', 'us-east-1'].map(region => {
      const stack = new Stack(app, `App-${region}`, { env: { account: '111111111111', region }, stackName: 'App' });
      const cfn = lambdaRole(stack, 'Role').node.defaultChild as iam.CfnRole;
      ensureLiteralArn(cfn);
      return cfn.roleName;
    });
    expect(new Set(names).size).toBe(2);
  });
});

describe('checkKeyPolicyPrincipal', () => {
  test.each([
    ['a federated principal', () => new iam.FederatedPrincipal('cognito-identity.amazonaws.com'), /principal of type Federated cannot be used in a key policy/],
    ['a canonical user', () => new iam.CanonicalUserPrincipal('79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'), /type CanonicalUser/],
    ['any principal', () => new iam.AnyPrincipal(), /principal '\*' \(AnyPrincipal\) is not allowed/],
    ['a group ARN', () => new iam.ArnPrincipal('arn:aws:iam::111111111111:group/ops'), /arn:aws:iam::111111111111:group\/ops is an IAM group/],
    ['a role ARN with ?', () => new iam.ArnPrincipal('arn:aws:iam::111111111111:role/app?'), /has a wildcard, which KMS rejects/],
  ])('%s is refused', (_what, make, message) => {
    expect(() => checkKeyPolicyPrincipal(make())).toThrow(message);
  });

  test('an IAM group construct is refused by its path', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => checkKeyPolicyPrincipal(new iam.Group(stack, 'Ops') as unknown as iam.IPrincipal))
      .toThrow(/principal S\/Ops is an IAM group, which a key policy cannot name/);
  });

  test.each([
    ['a role', (s: Stack) => lambdaRole(s, 'Role')],
    ['a token ARN (checked by KMS at deployment)', () => new iam.ArnPrincipal(Lazy.string({ produce: () => 'arn:aws:iam::111111111111:role/*' }))],
    ['a service', () => new iam.ServicePrincipal('logs.amazonaws.com')],
    ['an account', () => new iam.AccountPrincipal('222222222222')],
  ])('%s passes', (_what, make) => {
    expect(() => checkKeyPolicyPrincipal(make(new Stack(new App(), 'S')))).not.toThrow();
  });
});

describe('compareAccounts', () => {
  test.each([
    ['111111111111', '111111111111', 'SAME'],
    ['111111111111', '222222222222', 'DIFFERENT'],
    [undefined, '111111111111', 'UNKNOWN'],
    ['111111111111', undefined, 'UNKNOWN'],
    [Aws.ACCOUNT_ID, Aws.ACCOUNT_ID, 'SAME'],
    [Aws.ACCOUNT_ID, '111111111111', 'UNKNOWN'],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(compareAccounts(a, b)).toBe(expected);
  });
});

describe('comparableArn', () => {
  const stack = new Stack(new App(), 'S', { env: ENV });

  test('a Fn::Sub, a Fn::Join and a literal of the same ARN compare equal, the partition written aws', () => {
    const literal = comparableArn(stack, 'arn:aws:iam::111111111111:role/x');
    expect(comparableArn(stack, Fn.sub('arn:${AWS::Partition}:iam::111111111111:role/x'))).toBe(literal);
    expect(comparableArn(stack, `arn:${Aws.PARTITION}:iam::111111111111:role/x`)).toBe(literal);
    expect(comparableArn(stack, 'arn:aws:iam::111111111111:role/y')).not.toBe(literal);
  });

  test('the default synthesizer\'s deployment role compares equal to the same ARN written by hand', () => {
    const synthesizer = stack.synthesizer as DefaultStackSynthesizer;
    expect(comparableArn(stack, Fn.sub(synthesizer.cloudFormationExecutionRoleArn)))
      .toBe(comparableArn(stack, `arn:${stack.partition}:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1`));
  });

  // In an environment-agnostic stack the synthesizer writes the deployment role as
  // Fn::Sub "...${AWS::AccountId}...${AWS::Region}", while the same ARN written with Aws.ACCOUNT_ID and
  // Aws.REGION resolves to Fn::Join with Refs: comparableArn flattens only AWS::Partition, so the two
  // never compare equal (the lockout check then refuses a key whose policy names the deployer).
  test('account and Region pseudo parameters compare equal whether written as Fn::Sub or Fn::Join', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    expect(comparableArn(agnostic, Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/deploy-${AWS::Region}')))
      .toBe(comparableArn(agnostic, `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/deploy-${Aws.REGION}`));
  });
});

describe('reference helpers', () => {
  test('referencesOtherStacks: literals and pseudo parameters do not, resources of another stack do', () => {
    const { app, keyStack } = setup();
    const own = lambdaRole(keyStack, 'Own');
    const other = lambdaRole(new Stack(app, 'Other', { env: ENV }), 'Role');
    expect(referencesOtherStacks(keyStack, 'arn:aws:iam::111111111111:root')).toBe(false);
    expect(referencesOtherStacks(keyStack, `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`)).toBe(false);
    expect(referencesOtherStacks(keyStack, own.roleArn)).toBe(false);
    expect(referencesOtherStacks(keyStack, other.roleArn)).toBe(true);
    expect(referencesOtherStacks(keyStack, Fn.importValue('SharedRoleArn'))).toBe(true);
  });

  test('referencesResources: any Ref or GetAtt of a resource, never a pseudo parameter', () => {
    const stack = new Stack(new App(), 'S');
    expect(referencesResources(stack, 'plain')).toBe(false);
    expect(referencesResources(stack, `x-${Aws.REGION}`)).toBe(false);
    expect(referencesResources(stack, lambdaRole(stack, 'Role').roleName)).toBe(true);
  });

  test('iamResourceOf: the CfnRole or CfnUser behind a construct, nothing for other principals', () => {
    const stack = new Stack(new App(), 'S');
    const role = lambdaRole(stack, 'Role');
    const user = new iam.User(stack, 'User');
    expect(iamResourceOf(role)).toBe(role.node.defaultChild);
    expect(iamResourceOf(user)).toBe(user.node.defaultChild);
    expect(iamResourceOf(new iam.AccountRootPrincipal())).toBeUndefined();
    expect(iamResourceOf(iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::111111111111:role/x'))).toBeUndefined();
  });
});

describe('a role of another stack, as the key policy names it (simulated)', () => {
  test('the role decrypts with its IAM policy; another role of the account with kms:* in IAM does not', async () => {
    // GIVEN a key, and a role in another stack granted through the library
    const app = new App();
    const keyStack = new Stack(app, 'Keys', { env: ENV });
    const appStack = new Stack(app, 'App', { env: ENV });
    const key = new EncryptionKey(keyStack, 'Key');
    const role = lambdaRole(appStack, 'Role');
    const other = lambdaRole(appStack, 'Other');
    key.grantDecrypt(role);
    // WHEN / THEN
    const world = PolicyWorld.fromStacks([keyStack, appStack]);
    await expectAccess(world, [
      { label: 'granted role', principal: role, action: 'kms:Decrypt', key, expect: 'allow' },
      { label: 'granted role, another action', principal: role, action: 'kms:Encrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'other role with kms:*', principal: other, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });
});
