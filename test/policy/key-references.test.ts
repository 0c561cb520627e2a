/**
 * References to the library's keys that other constructs make without calling them: IAM statements
 * naming a key, log groups and trails encrypted with it (src/policy/key-references.ts).
 */
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { EncryptionKey } from '../../src';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function setup() {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const key = new EncryptionKey(stack, 'Key');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { app, stack, key, role };
}

function keyStatements(stack: Stack): any[] {
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')) as any[];
  return stack.resolve(keys[0].Properties.KeyPolicy).Statement;
}

describe('IAM statements that name a key', () => {
  test('are honoured in the key policy for that principal, those actions and conditions, and nothing more', async () => {
    const { stack, key, role } = setup();
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:app': 'orders' } },
    }));
    const mirrored = keyStatements(stack).find(s => s.Sid === 'FromIamPolicy');
    expect(mirrored.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair',
      'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext']);
    expect(mirrored.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:app': 'orders' } });
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      { label: 'with the context', principal: role, key, action: 'kms:Decrypt', context: { 'kms:EncryptionContext:app': 'orders' }, expect: 'allow' },
      { label: 'another context', principal: role, key, action: 'kms:Decrypt', context: { 'kms:EncryptionContext:app': 'billing' }, expect: 'deny' },
      { label: 'not in the statement', principal: role, key, action: 'kms:Encrypt', context: { 'kms:EncryptionContext:app': 'orders' }, expect: 'deny' },
    ]);
  });

  test('administrative actions in such a statement are refused, naming the role', () => {
    const { app, key, role } = setup();
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:PutKeyPolicy'], resources: [key.keyArn] }));
    expect(() => app.synth()).toThrow(/the IAM policy of S\/Role: cannot grant kms:PutKeyPolicy on S\/Key .*administrative actions are given only to declared administrators/);
  });

  test('the grant path\'s own IAM statements are not mirrored a second time', () => {
    const { stack, key, role } = setup();
    key.grantDecrypt(role);
    expect(keyStatements(stack).map(s => s.Sid)).not.toContain('FromIamPolicy');
  });

  test('with aws-cdk-lib\'s minimizePolicies (a flag of new projects), merged statements are read by action, key and conditions', async () => {
    // GIVEN the flag for the whole app: the role's statements of the same conditions are merged
    const app = new App({ context: { '@aws-cdk/aws-iam:minimizePolicies': true } });
    const stack = new Stack(app, 'S', { env: ENV });
    const keyA = new EncryptionKey(stack, 'KeyA');
    const keyB = new EncryptionKey(stack, 'KeyB');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // ... and two keys whose imported material one handler imports (the grant path gives it administrative actions)
    const material = new secretsmanager.Secret(stack, 'Material');
    new EncryptionKey(stack, 'ImportedA', { importedKeyMaterial: { secret: material } });
    new EncryptionKey(stack, 'ImportedB', { importedKeyMaterial: { secret: material } });
    // WHEN the grant path writes Decrypt on two keys, and another construct adds Encrypt on both with the same (no) conditions
    keyA.grantDecrypt(role);
    keyB.grantDecrypt(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Encrypt'], resources: [keyA.keyArn, keyB.keyArn] }));

    // THEN the app synthesizes (the handler's merged statements are its own, not mirrored and refused as administration) ...
    const template = Template.fromStack(stack);
    const roleStatements = (id: string) => Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes(id)).flatMap(p => p.Properties.PolicyDocument.Statement);
    const handlerImport = roleStatements('CdkKmsPatternsImportKeyMaterialProviderRole').filter(st => JSON.stringify(st.Action).includes('kms:ImportKeyMaterial'));
    expect(handlerImport).toHaveLength(1);
    expect(handlerImport[0].Resource).toHaveLength(2);
    // ... the role's statements are merged into one, and each key's policy names the role once, for exactly the two actions
    const roleId = stack.resolve(stack.getLogicalId(role.node.defaultChild as CfnElement)) as string;
    expect(roleStatements(`"${roleId}"`).filter(st => JSON.stringify(st.Action).includes('kms:'))).toEqual([
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:Encrypt'] }),
    ]);
    for (const key of [keyA, keyB]) {
      const cfn = template.findResources('AWS::KMS::Key')[stack.resolve(stack.getLogicalId(key.node.defaultChild as CfnElement))];
      const forRole = cfn.Properties.KeyPolicy.Statement.filter((st: any) => JSON.stringify(st.Principal).includes(`"${roleId}"`));
      expect(forRole.map((st: any) => st.Action)).toEqual([['kms:Decrypt', 'kms:Encrypt']]);
    }
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      { label: 'Decrypt with key A', principal: role, key: keyA, action: 'kms:Decrypt', expect: 'allow' },
      { label: 'Encrypt with key B', principal: role, key: keyB, action: 'kms:Encrypt', expect: 'allow' },
      { label: 'GenerateDataKey with key B', principal: role, key: keyB, action: 'kms:GenerateDataKey', expect: 'deny' },
    ]);
  });

  test('statements on other resources are ignored', () => {
    const { stack, role } = setup();
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['arn:aws:kms:eu-west-1:111111111111:key/other'] }));
    expect(keyStatements(stack).map(s => s.Sid)).not.toContain('FromIamPolicy');
  });
});

describe('log groups encrypted with a key', () => {
  test('a named log group: CloudWatch Logs may use the key for that log group only', () => {
    const { stack, key } = setup();
    new logs.LogGroup(stack, 'Logs', { logGroupName: '/app/orders', encryptionKey: key });
    const statement = keyStatements(stack).find(s => s.Sid === 'CloudWatchLogs');
    expect(JSON.stringify(statement.Condition.ArnLike)).toContain(':logs:eu-west-1:111111111111:log-group:/app/orders"');
  });

  test('a log group with a generated name: log groups of the account and Region', () => {
    const { stack, key } = setup();
    new logs.LogGroup(stack, 'Logs', { encryptionKey: key });
    const statement = keyStatements(stack).find(s => s.Sid === 'CloudWatchLogs');
    expect(JSON.stringify(statement.Condition.ArnLike)).toContain(':logs:eu-west-1:111111111111:log-group:*');
  });
});
