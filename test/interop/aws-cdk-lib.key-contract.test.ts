/**
 * The `kms.IKey` contract aws-cdk-lib constructs rely on, as an `EncryptionKey` honours it:
 * `grantEncrypt` / `grantDecrypt` / `grantEncryptDecrypt` give aws-cdk-lib's action sets, written out;
 * raw `grant` and `addToResourcePolicy` calls with wildcards land as explicit actions;
 * `kms:CreateGrant` only ever for AWS resources; service principals only on behalf of the key's
 * account; account-wide statements refused unless the key opts in.
 *
 * aws-cdk-lib's sets: https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/aws-kms/lib/private/perms.ts
 * (ENCRYPT_ACTIONS = kms:Encrypt, kms:ReEncrypt*, kms:GenerateDataKey*; DECRYPT_ACTIONS = kms:Decrypt).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  ACCEPTABLE_ACCOUNT_WIDE_ACTIONS, ACCOUNT, ADMIN_ACTIONS, ALL_ACTIONS, actionsNamedFor, allowed, denied, fixture, Fixture, KMS_ALL,
  keyPolicyViolations, OTHER_ACCOUNT, synthWorld, warnings,
} from './interop';
import { expectAccess } from '../harness/simulate';

/** aws-cdk-lib's grantEncrypt on a symmetric key, written out. */
const ENCRYPT_SYMMETRIC = [
  'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
];

function role(f: Fixture, id: string): iam.Role {
  return new iam.Role(f.stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

function others(actions: string[]): string[] {
  return ALL_ACTIONS.filter(a => !actions.includes(a));
}

describe('grantEncrypt / grantDecrypt / grantEncryptDecrypt: aws-cdk-lib\'s contract', () => {
  test('on a symmetric key', async () => {
    const f = fixture();
    const encrypter = role(f, 'Encrypter');
    const decrypter = role(f, 'Decrypter');
    const both = role(f, 'Both');
    f.key.grantEncrypt(encrypter);
    f.key.grantDecrypt(decrypter);
    f.key.grantEncryptDecrypt(both);
    const world = synthWorld(f);
    expect(keyPolicyViolations(world, f.key)).toEqual([]);
    await expectAccess(world, [
      ...allowed('grantEncrypt', encrypter, f.key, ENCRYPT_SYMMETRIC, {}),
      ...denied('grantEncrypt, anything else', encrypter, f.key, others(ENCRYPT_SYMMETRIC), {}),
      ...allowed('grantDecrypt', decrypter, f.key, ['kms:Decrypt'], {}),
      ...denied('grantDecrypt, anything else', decrypter, f.key, others(['kms:Decrypt']), {}),
      ...allowed('grantEncryptDecrypt', both, f.key, [...ENCRYPT_SYMMETRIC, 'kms:Decrypt'], {}),
      ...denied('grantEncryptDecrypt, anything else', both, f.key, others([...ENCRYPT_SYMMETRIC, 'kms:Decrypt']), {}),
    ]);
  });

  test('on an RSA ENCRYPT_DECRYPT key: encryption and re-encryption, no data keys', async () => {
    const f = fixture({ keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    const encrypter = role(f, 'Encrypter');
    const decrypter = role(f, 'Decrypter');
    f.key.grantEncrypt(encrypter);
    f.key.grantDecrypt(decrypter);
    const world = synthWorld(f);
    expect(keyPolicyViolations(world, f.key)).toEqual([]);
    await expectAccess(world, [
      ...allowed('grantEncrypt', encrypter, f.key, ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'], {}),
      ...denied('grantEncrypt, decrypt or administer', encrypter, f.key, ['kms:Decrypt', ...ADMIN_ACTIONS.filter(a => a !== 'kms:DescribeKey')], {}),
      ...allowed('grantDecrypt', decrypter, f.key, ['kms:Decrypt'], {}),
      ...denied('grantDecrypt, anything else', decrypter, f.key, others(['kms:Decrypt']), {}),
    ]);
  });
});

describe('wildcards and grants asked through grant() and addToResourcePolicy()', () => {
  test('kms:GenerateDataKey* and kms:ReEncrypt* are written out in the key policy and the IAM policy', async () => {
    const f = fixture();
    const app = role(f, 'App');
    f.key.grant(app, 'kms:GenerateDataKey*', 'kms:ReEncrypt*');
    const world = synthWorld(f);
    expect(keyPolicyViolations(world, f.key)).toEqual([]);
    const expected = ['kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];
    const identity = world.identityPolicies(app).flatMap(p => [(p.policy.Statement as any[])].flat())
      .flatMap(s => [s.Action].flat()).filter((a: string) => a.startsWith('kms:'));
    expect(identity.filter((a: string) => a.includes('*'))).toEqual([]);
    await expectAccess(world, [
      ...allowed('app', app, f.key, expected, {}),
      ...denied('app, anything else', app, f.key, others(expected), {}),
    ]);
  });

  test('kms:CreateGrant is only ever for AWS resources', async () => {
    const f = fixture();
    const app = role(f, 'App');
    f.key.grant(app, 'kms:CreateGrant', 'kms:Decrypt');
    f.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/Operator`)],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
    }));
    const world = synthWorld(f);
    expect(keyPolicyViolations(world, f.key)).toEqual([]);
    const operator = `arn:aws:iam::${ACCOUNT}:role/Operator`;
    await expectAccess(world, [
      ...allowed('app, grant for an AWS resource', app, f.key, ['kms:CreateGrant'], { 'kms:GrantIsForAWSResource': 'true' }),
      ...denied('app, grant for a principal', app, f.key, ['kms:CreateGrant'], { 'kms:GrantIsForAWSResource': 'false' }),
      ...denied('app, grant without the key', app, f.key, ['kms:CreateGrant'], {}),
      ...allowed('operator, grant for an AWS resource', operator, f.key, ['kms:CreateGrant'], { 'kms:GrantIsForAWSResource': 'true' }, [KMS_ALL]),
      ...denied('operator, grant for a principal', operator, f.key, ['kms:CreateGrant'], { 'kms:GrantIsForAWSResource': 'false' }, [KMS_ALL]),
    ]);
  });

  test('a service principal statement acts only for the key\'s account', async () => {
    const f = fixture();
    f.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    const world = synthWorld(f);
    expect(keyPolicyViolations(world, f.key)).toEqual([]);
    await expectAccess(world, [
      ...allowed('events, for the account', 'events.amazonaws.com', f.key, ['kms:Decrypt', 'kms:GenerateDataKey'], { 'aws:SourceAccount': ACCOUNT }),
      ...denied('events, for another account', 'events.amazonaws.com', f.key, ALL_ACTIONS, { 'aws:SourceAccount': OTHER_ACCOUNT }),
    ]);
  });
});

describe('account-wide statements another construct asks for', () => {
  const statement = (): iam.PolicyStatement => new iam.PolicyStatement({
    principals: [new iam.AccountRootPrincipal()],
    actions: ['kms:*'],
    resources: ['*'],
  });

  test('are refused by default, naming the opt-in', () => {
    expect(() => {
      const f = fixture();
      f.key.addToResourcePolicy(statement());
      f.app.synth();
    }).toThrow(/allowAccountWideStatements: true/);
  });

  test('with allowAccountWideStatements, are kept narrowed to cryptographic actions, with a warning', async () => {
    const f = fixture({ allowAccountWideStatements: true });
    f.key.addToResourcePolicy(statement());
    const world = synthWorld(f);
    expect(keyPolicyViolations(world, f.key)).toEqual([]);
    expect(warnings(f.stack, /allowAccountWideStatements/)).not.toEqual([]);
    const actions = actionsNamedFor(world, f.key, `arn:aws:iam::${ACCOUNT}:root`);
    expect(actions).not.toEqual([]);
    expect(actions.filter(a => !ACCEPTABLE_ACCOUNT_WIDE_ACTIONS.includes(a))).toEqual([]);
    const undeclared = `arn:aws:iam::${ACCOUNT}:role/Undeclared`;
    await expectAccess(world, [
      ...denied('undeclared with kms:*, administration', undeclared, f.key, ADMIN_ACTIONS.filter(a => a !== 'kms:DescribeKey'), {}, [KMS_ALL]),
      ...denied('other account with kms:*', `arn:aws:iam::${OTHER_ACCOUNT}:role/Outsider`, f.key, ALL_ACTIONS, {}, [KMS_ALL]),
    ]);
  });
});
