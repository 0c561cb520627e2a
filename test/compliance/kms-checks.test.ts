import * as fs from 'fs';
import * as path from 'path';
import { App, CfnDeletionPolicy, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { rulesTable } from './rules-table';
import { KmsChecks } from '../../src';
import { KMS_RULES } from '../../src/compliance/kms-rules';

const ROOT = path.join(__dirname, '..', '..');

describe('KmsChecks', () => {
  test('is a cdk-nag pack named KmsChecks whose rule ids are KmsChecks-<Rule>', () => {
    const app = new App({ context: { 'cdk-kms-patterns:accessReport': false } });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    new kms.Key(stack, 'Key');
    const pack = new KmsChecks();
    expect(pack.name).toBe('KmsChecks');
    expect(pack.readPackName).toBe('KmsChecks');
    const ids = pack.validateScope(stack).violations.map(v => v.ruleName).sort();
    expect(ids).toEqual(['KmsChecks-KeyPolicyCreateGrant[Statement0]', 'KmsChecks-KeyPolicyDelegatesToIam[Statement0]', 'KmsChecks-KeyRotationEnabled']);
  });

  test('honours acknowledgements made with Validations.of(x).acknowledge, by exact id', () => {
    const app = new App({ context: { 'cdk-kms-patterns:accessReport': false } });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    Validations.of(key).acknowledge({ id: 'KmsChecks-KeyPolicyDelegatesToIam[Statement0]', reason: 'legacy key, moving to EncryptionKey' });
    expect(new KmsChecks().validateScope(stack).violations.map(v => v.ruleName)).toEqual(['KmsChecks-KeyPolicyCreateGrant[Statement0]']);
  });

  test('runs as a validation plugin at synth and fails it on findings', () => {
    const app = new App({ context: { 'cdk-kms-patterns:accessReport': false } });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    new kms.Key(stack, 'Key');
    Validations.of(app).addPlugins(new KmsChecks());
    expect(() => app.synth()).toThrow(/KmsChecks-KeyRotationEnabled/);
  });

  test('principals it cannot resolve (imports) never crash a rule and are never called public or foreign', () => {
    const app = new App({ context: { 'cdk-kms-patterns:accessReport': false } });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new kms.CfnKey(stack, 'Key', {
      enableKeyRotation: true,
      keyPolicy: { Statement: [{ Sid: 'Admins', Effect: 'Allow', Principal: { AWS: Fn.importValue('AdminRoleArn') }, Action: ['kms:PutKeyPolicy', 'kms:DescribeKey'], Resource: '*' }] },
    });
    key.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    key.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    expect(new KmsChecks().validateScope(stack).violations).toEqual([]);
  });

  test.each([
    [{ maxRotationPeriod: Duration.days(30) }, /maxRotationPeriod must be between 90 and 2560 days, got 30/],
    [{ minPendingWindow: Duration.days(3) }, /minPendingWindow must be between 7 and 30 days, got 3/],
    [{ policySizeWarningPercent: 0 }, /policySizeWarningPercent must be between 1 and 100, got 0/],
    [{ secretPatterns: [] }, /secretPatterns must hold at least one pattern, got \[\]/],
    [{ secretPatterns: ['(unclosed'] }, /secretPatterns must be regular expressions, got '\(unclosed'/],
  ])('refuses bad thresholds: %j', (props, message) => {
    expect(() => new KmsChecks(undefined, props)).toThrow(message);
  });

  test('one file per rule under src/compliance/rules/, each with its test file', () => {
    const files = fs.readdirSync(path.join(ROOT, 'src', 'compliance', 'rules')).filter(f => f.endsWith('.ts')).map(f => f.replace(/\.ts$/, '')).sort();
    expect(files).toEqual(KMS_RULES.map(r => r.id).sort());
    for (const rule of KMS_RULES) {
      expect(fs.existsSync(path.join(ROOT, 'test', 'compliance', 'rules', `${rule.id}.test.ts`))).toBe(true);
      expect(rule.check.name).toBe(rule.id);
    }
  });

  test('RULES.md lists exactly the pack\'s rules, levels, texts and controls', () => {
    const rulesMd = fs.readFileSync(path.join(ROOT, 'RULES.md'), 'utf8');
    const start = rulesMd.indexOf('| id | level |');
    expect(start).toBeGreaterThan(0);
    const table = rulesMd.slice(start).split('\n').filter(line => line.startsWith('|')).join('\n');
    expect(table).toEqual(rulesTable(KMS_RULES));
  });
});
