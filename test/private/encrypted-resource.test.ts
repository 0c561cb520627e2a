import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EncryptionKey } from '../../src';
import { checkEncryptionKey, encryptionKeyOrDefault, removalPolicyOf } from '../../src/private/encrypted-resource';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const KEY_ARN = (region: string) => `arn:aws:kms:${region}:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function warnings(scope: Construct): string[] {
  return scope.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
}

describe('checkEncryptionKey', () => {
  test('a symmetric key of the stack\'s Region passes; no key passes (a default is made)', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => checkEncryptionKey(stack, 'encryptionKey', new EncryptionKey(stack, 'Key'), 'S3')).not.toThrow();
    expect(() => checkEncryptionKey(stack, 'encryptionKey', EncryptionKey.fromKeyArn(stack, 'Imported', KEY_ARN('eu-west-1')), 'S3')).not.toThrow();
    expect(() => checkEncryptionKey(stack, 'encryptionKey', undefined, 'S3')).not.toThrow();
  });

  test('an asymmetric or HMAC key is refused, naming the service', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const rsa = new EncryptionKey(stack, 'Rsa', { keySpec: kms.KeySpec.RSA_2048 });
    expect(() => checkEncryptionKey(stack, 'encryptionKey', rsa, 'EBS'))
      .toThrow("encryptionKey must be a SYMMETRIC_DEFAULT key (EBS supports only symmetric keys), got 'RSA_2048'");
    const hmac = EncryptionKey.fromKeyArn(stack, 'Hmac', KEY_ARN('eu-west-1'), { keySpec: kms.KeySpec.HMAC_256 });
    expect(() => checkEncryptionKey(stack, 'key', hmac, 'S3')).toThrow(/^key must be a SYMMETRIC_DEFAULT key \(S3 supports only symmetric keys\), got 'HMAC_256'$/);
  });

  test('a key of another Region is refused', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = EncryptionKey.fromKeyArn(stack, 'Imported', KEY_ARN('us-east-1'));
    expect(() => checkEncryptionKey(stack, 'encryptionKey', key, 'S3'))
      .toThrow("encryptionKey must be a key in the stack's Region eu-west-1 (S3 uses keys of its own Region only), got 'us-east-1'");
  });

  test('Regions are compared only when both are known: not in an environment-agnostic stack; a key of another stack\'s Region is refused', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    expect(() => checkEncryptionKey(agnostic, 'encryptionKey', EncryptionKey.fromKeyArn(agnostic, 'Imported', KEY_ARN('us-east-1')), 'S3')).not.toThrow();
    const stack = new Stack(new App(), 'S', { env: ENV });
    const other = new EncryptionKey(new Stack(stack.node.root as App, 'Other', { env: { ...ENV, region: 'us-east-1' } }), 'Key');
    expect(() => checkEncryptionKey(stack, 'encryptionKey', other, 'S3')).toThrow(/must be a key in the stack's Region eu-west-1/);
  });
});

describe('encryptionKeyOrDefault', () => {
  test('the given key is used as is', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Mine');
    expect(encryptionKeyOrDefault(stack, key, 'unused')).toBe(key);
    expect(stack.node.tryFindChild('Key')).toBeUndefined();
  });

  test('without one, a new EncryptionKey named Key under the scope, with the library\'s defaults and the description', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const scope = new Construct(stack, 'Bucket');
    const key = encryptionKeyOrDefault(scope, undefined, 'Encrypts S/Bucket') as EncryptionKey;
    expect(key).toBeInstanceOf(EncryptionKey);
    expect(key.node.path).toBe('S/Bucket/Key');
    expect(key.cfnKey.description).toBe('Encrypts S/Bucket');
    expect(key.rotationEnabled).toBe(true);
  });
});

describe('removalPolicyOf', () => {
  const rule = { warningId: 'cdk-kms-patterns:testRemovalPolicy', consequence: 'the thing is deleted when it leaves the stack' };

  test('RETAIN by default, without a warning', () => {
    const scope = new Stack(new App(), 'S');
    expect(removalPolicyOf(scope, undefined, rule)).toBe(RemovalPolicy.RETAIN);
    expect(warnings(scope)).toEqual([]);
  });

  test.each([RemovalPolicy.DESTROY, RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])('%s is honoured and warned about', (policy) => {
    const scope = new Stack(new App(), 'S');
    expect(removalPolicyOf(scope, policy, rule)).toBe(policy);
    expect(warnings(scope)).toEqual([expect.stringMatching(new RegExp(`^removalPolicy is ${policy}: the thing is deleted when it leaves the stack.*cdk-kms-patterns:testRemovalPolicy`))]);
  });

  test('warnOnlyOnDestroy: only DESTROY warns (SNAPSHOT keeps the data)', () => {
    const quiet = new Stack(new App(), 'Q');
    expect(removalPolicyOf(quiet, RemovalPolicy.SNAPSHOT, { ...rule, warnOnlyOnDestroy: true })).toBe(RemovalPolicy.SNAPSHOT);
    expect(warnings(quiet)).toEqual([]);
    const loud = new Stack(new App(), 'L');
    removalPolicyOf(loud, RemovalPolicy.DESTROY, { ...rule, warnOnlyOnDestroy: true });
    expect(warnings(loud)).toHaveLength(1);
  });
});
