/**
 * References to the library's keys that other constructs make without calling them: IAM statements
 * naming a key, log groups and trails encrypted with it (src/policy/key-references.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
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
