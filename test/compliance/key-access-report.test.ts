import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EncryptionKey, KeyCapability, KeyService, ReplicaKey } from '../../src';
import { KeyAccessReportRegistry, readableConditions } from '../../src/compliance/key-access-report';
import { ACCESS_REPORT_CONTEXT } from '../../src/private/ids';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const IMPORTED_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function setup(context: Record<string, unknown> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  const app = new App({ outdir, context });
  const stack = new Stack(app, 'S', { env: ENV });
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { app, stack, role, outdir };
}

function rowsOf(app: App, keyPath: string) {
  const key = KeyAccessReportRegistry.of(app).build().keys.find(k => k.path === keyPath);
  if (!key) throw new Error(`no key ${keyPath} in the report`);
  return key.rows;
}

describe('KeyAccessReportRegistry.of', () => {
  test('one registry per app, at its root, whatever scope asks', () => {
    const { app, stack } = setup();
    const registry = KeyAccessReportRegistry.of(stack);
    expect(KeyAccessReportRegistry.of(app)).toBe(registry);
    expect(KeyAccessReportRegistry.of(new Construct(stack, 'Deep'))).toBe(registry);
    expect(registry.node.scope).toBe(app);
  });

  test('an app without keys reports none, at no cost', () => {
    const { app } = setup();
    expect(KeyAccessReportRegistry.of(app).build()).toMatchObject({
      keys: [], ownerStatements: [], cost: { keys: 0, monthlyUsd: 0, monthlyUsdAfterTwoRotations: 0 },
    });
  });
});

describe('rows: who can do what', () => {
  test('a grant is one row: the statement, the principal as a construct path, the capabilities and actions', () => {
    const { app, stack, role } = setup();
    const key = new EncryptionKey(stack, 'Key');
    key.grantEncryptDecrypt(role);
    const row = rowsOf(app, 'S/Key').find(r => r.statement === 'EncryptDecrypt')!;
    expect(row.principals).toEqual(['<S/Reader.Arn>']);
    expect(row.capabilities).toEqual(['ENVELOPE', 'REENCRYPT', 'GENERATE_DATA_KEY_PAIR', 'ENCRYPT']);
    expect(row.actions).toContain('kms:ReEncryptTo');
    expect(row.conditions).toBeUndefined();
  });

  test('the largest capability is named first; leftover actions are listed as they are', () => {
    const { app, stack, role } = setup();
    const key = new EncryptionKey(stack, 'Key');
    key.grantCapabilities(role, KeyCapability.ENVELOPE, KeyCapability.ENCRYPT);
    key.grant(new iam.ArnPrincipal('arn:aws:iam::111111111111:role/ops'), 'kms:CreateGrant');
    const rows = rowsOf(app, 'S/Key');
    expect(rows.find(r => r.principals[0] === '<S/Reader.Arn>')!.capabilities).toEqual(['ENVELOPE', 'ENCRYPT']);
    expect(rows.find(r => r.principals[0] === 'arn:aws:iam::111111111111:role/ops')!.capabilities).toEqual(['kms:CreateGrant']);
  });

  test('administrators are ADMINISTER, with the deployment role\'s ARN readable; a replicator is REPLICATE', () => {
    const { app, stack } = setup();
    const key = new EncryptionKey(stack, 'Key', { multiRegion: true });
    key.addAccessForReplication('arn:aws:iam::111111111111:role/replicator');
    // administrators are written when the policy is rendered (at synth)
    app.synth();
    const rows = rowsOf(app, 'S/Key');
    const administer = rows.find(r => r.statement === 'Administer')!;
    expect(administer.capabilities).toEqual(['ADMINISTER']);
    expect(administer.principals).toEqual(['arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1']);
    expect(rows.find(r => r.statement === 'Replicate')!.capabilities).toEqual(['REPLICATE']);
  });

  test('conditions and pattern rules are readable: partition written aws, "any principal matching the conditions"', () => {
    const { app, stack } = setup();
    new EncryptionKey(stack, 'Key', {
      access: [{ capabilities: [KeyCapability.DECRYPT], principalArnPatterns: ['arn:aws:iam::111111111111:role/app/*'], viaServices: [KeyService.S3] }],
    }).allowEbsForAccount();
    const rows = rowsOf(app, 'S/Key');
    const use = rows.find(r => r.statement === 'Use')!;
    expect(use.principals).toEqual(['arn:aws:iam::111111111111:root']);
    expect(use.conditions).toMatchObject({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/app/*' } });
    expect(rows.find(r => r.statement === 'EbsByDefaultAccountThroughEc2')!.principals).toEqual(['any principal matching the conditions']);
  });

  test('a role of another stack is shown by the ARN the key policy restricts to', () => {
    const { app, stack } = setup();
    const other = new Stack(app, 'Other', { env: ENV });
    const role = new iam.Role(other, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: 'worker' });
    new EncryptionKey(stack, 'Key').grantDecrypt(role);
    expect(rowsOf(app, 'S/Key').find(r => r.statement === 'Decrypt')!.principals).toEqual(['arn:aws:iam::111111111111:role/worker']);
  });

  test('a hand-written deny statement is a DENY row', () => {
    const { app, stack } = setup();
    new EncryptionKey(stack, 'Key').addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['kms:Decrypt'],
      resources: ['*'],
      principals: [new iam.AnyPrincipal()],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    const deny = rowsOf(app, 'S/Key').find(r => r.capabilities[0] === 'DENY')!;
    expect(deny).toMatchObject({ statement: 'Deny statement', principals: ['{"AWS":"*"}'], actions: ['kms:Decrypt'], conditions: { Bool: { 'aws:SecureTransport': 'false' } } });
  });
});

describe('keys and cost', () => {
  test('each key with its kind and rotation; imported keys cost nothing here, replicas count', () => {
    const app = new App();
    const primaryStack = new Stack(app, 'Primary', { env: ENV });
    const replicaStack = new Stack(app, 'Replica', { env: { account: '111111111111', region: 'us-east-1' }, crossRegionReferences: true });
    const primary = new EncryptionKey(primaryStack, 'Key', { multiRegion: true });
    new ReplicaKey(replicaStack, 'Replica', { primaryKey: primary });
    new EncryptionKey(primaryStack, 'Signing', { keySpec: kms.KeySpec.ECC_NIST_P256 });
    EncryptionKey.fromKeyArn(primaryStack, 'Imported', IMPORTED_ARN);
    const report = KeyAccessReportRegistry.of(app).build();
    expect(report.keys.map(k => [k.path, k.kind, k.rotates, k.role])).toEqual([
      ['Primary/Key', 'SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT / multi-Region primary', true, 'key'],
      ['Replica/Replica', expect.stringMatching(/^SYMMETRIC_DEFAULT \/ ENCRYPT_DECRYPT \/ replica of Primary\/Key$/), expect.any(Boolean), 'replica'],
      ['Primary/Signing', 'ECC_NIST_P256 / SIGN_VERIFY', false, 'key'],
    ]);
    const rotating = report.keys.filter(k => k.rotates).length;
    expect(report.cost).toMatchObject({ keys: 3, monthlyUsd: 3, monthlyUsdAfterTwoRotations: 3 + 2 * rotating });
    expect(report.cost.note).toMatch(/\$1 per key per month .* \$0\.03 per 10,000/);
    expect(report.keys[0]).toMatchObject({ stack: 'Primary', account: '111111111111', region: 'eu-west-1' });
  });

  test('statements the owners of imported keys must add are listed with their key', () => {
    const { app, stack, role } = setup();
    EncryptionKey.fromKeyArn(stack, 'Imported', IMPORTED_ARN).grantDecrypt(role);
    const report = KeyAccessReportRegistry.of(app).build();
    expect(report.ownerStatements).toEqual([{
      key: 'S/Imported',
      statement: expect.objectContaining({ Sid: 'Decrypt', Effect: 'Allow', Action: 'kms:Decrypt', Principal: { AWS: '<S/Reader.Arn>' } }),
    }]);
  });
});

describe('readableConditions', () => {
  test('operators as a reader says them, lists joined with "or"', () => {
    expect(readableConditions({
      StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com'], 'kms:CallerAccount': '111111111111' },
      ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/app/*' },
      Bool: { 'kms:GrantIsForAWSResource': true },
      NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 },
    })).toBe('kms:ViaService = s3.eu-west-1.amazonaws.com or ssm.eu-west-1.amazonaws.com; kms:CallerAccount = 111111111111; '
      + 'aws:PrincipalArn matches arn:aws:iam::111111111111:role/app/*; kms:GrantIsForAWSResource = true; aws:MultiFactorAuthAge NumericLessThan 3600');
    expect(readableConditions(undefined)).toBe('');
  });
});

describe('at synth', () => {
  test('writes key-access-report.json and key-access-report.md next to the templates', () => {
    const { app, stack, role, outdir } = setup();
    const key = new EncryptionKey(stack, 'Key');
    key.grantDecrypt(role.withoutPolicyUpdates());
    key.addToResourcePolicy(new iam.PolicyStatement({ sid: 'Pipe|Sid', actions: ['kms:DescribeKey'], resources: ['*'], principals: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/x')] }));
    app.synth();
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'key-access-report.json'), 'utf8'));
    expect(json).toEqual(JSON.parse(JSON.stringify(KeyAccessReportRegistry.of(app).build())));
    const markdown = fs.readFileSync(path.join(outdir, 'key-access-report.md'), 'utf8');
    expect(markdown).toMatch(/^# Key access report\n\n## S\/Key\n\nSYMMETRIC_DEFAULT \/ ENCRYPT_DECRYPT, key, rotates automatically; stack S \(111111111111\/eu-west-1\)/);
    expect(markdown).toContain('| <S/Reader.Arn> | DECRYPT |  | Decrypt |');
    expect(markdown).toContain('## Monthly cost estimate\n\n1 keys: $1 per month now, at most $3 once every rotating key has rotated twice');
  });

  test('a | in a cell is escaped so that the table keeps its columns', () => {
    const { app, stack, outdir } = setup();
    new EncryptionKey(stack, 'Key').addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      sid: 'No|Pipes',
      actions: ['kms:Decrypt'],
      resources: ['*'],
      principals: [new iam.AnyPrincipal()],
      conditions: { StringLike: { 'kms:EncryptionContext:x': 'a|b' } },
    }));
    app.synth();
    const line = fs.readFileSync(path.join(outdir, 'key-access-report.md'), 'utf8').split('\n').find(l => l.includes('DENY'))!;
    expect(line).toContain('No\\|Pipes');
    expect(line).toContain('a\\|b');
    expect(line.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });

  test.each([[false], ['false']])('the context value %j turns it off', (value) => {
    const { app, stack, outdir } = setup({ [ACCESS_REPORT_CONTEXT]: value });
    new EncryptionKey(stack, 'Key');
    app.synth();
    expect(fs.existsSync(path.join(outdir, 'key-access-report.json'))).toBe(false);
    expect(fs.existsSync(path.join(outdir, 'key-access-report.md'))).toBe(false);
  });
});
