import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { cfnLintCommand, cfnLintDir, expectNoCfnLintErrors, templateFiles } from './cfn-lint';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-harness-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('cfn-lint harness', () => {
  test('a synthesized app, including a stage, has no errors', () => {
    // GIVEN an app with a stack at the top and one in a stage (a nested assembly)
    const outdir = path.join(tmp, 'valid');
    const app = new App({ outdir });
    const stack = new Stack(app, 'KeyStack', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new s3.Bucket(stack, 'Bucket', { encryptionKey: key, enforceSSL: true });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    key.grantDecrypt(role);
    const stage = new Stage(app, 'Prod');
    new kms.Key(new Stack(stage, 'StagedStack'), 'StagedKey');
    app.synth();

    // WHEN
    const files = templateFiles(outdir).map((f) => path.relative(outdir, f));
    const findings = expectNoCfnLintErrors(outdir);

    // THEN both templates were linted, and nothing is an error
    expect(files).toEqual([path.join('KeyStack.template.json'), expect.stringMatching(/^assembly-Prod\/ProdStagedStack[0-9A-F]{8}\.template\.json$/)]);
    expect(findings.filter((f) => f.level === 'Error')).toEqual([]);
  });

  test('a broken template yields errors, listed by expectNoCfnLintErrors', () => {
    // GIVEN a KMS key with an unknown property and a key policy with a misspelled Effect
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'Broken.template.json'), JSON.stringify({
      Resources: {
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: {
            EnableKeyRotation: true,
            RotationPeriodInDay: 90,
            KeyPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Alow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:Frobnicate', Resource: '*' }] },
          },
        },
      },
    }, null, 2));

    // WHEN
    let message = '';
    try {
      expectNoCfnLintErrors(dir);
    } catch (e) {
      message = (e as Error).message;
    }

    // THEN
    expect(message).toMatch(/^cfn-lint reported 2 errors in /);
    expect(message).toMatch(/Error\s+E3002\s+Broken\.template\.json:\d+ {2}Resources\/Key\/Properties\/RotationPeriodInDay\n\s+Additional properties are not allowed/);
    expect(message).toMatch(/Error\s+E3512\s+Broken\.template\.json:\d+ {2}Resources\/Key\/Properties\/KeyPolicy\/Statement\/0\/Effect\n\s+'Alow' is not one of/);
    expect(message).not.toMatch(/W3037/);

    // AND ignored rules are neither run nor reported; warnings are returned, not thrown
    const rest = expectNoCfnLintErrors(dir, { ignoreRules: ['E3002', 'E3512'] });
    expect(rest).toEqual([expect.objectContaining({ level: 'Warning', ruleId: 'W3037', path: 'Resources/Key/Properties/KeyPolicy/Statement/0/Action' })]);
  });

  test('a missing cfn-lint fails with an install hint instead of skipping', () => {
    expect(() => cfnLintCommand(['cfn-lint-that-does-not-exist'])).toThrow(/cfn-lint is not available: "cfn-lint-that-does-not-exist" is not an executable on the PATH.*pip install cfn-lint/);
    const dir = path.join(tmp, 'minimal');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'Minimal.template.json'), JSON.stringify({ Resources: { Key: { Type: 'AWS::KMS::Key' } } }));
    expect(() => cfnLintDir(dir, { command: ['python3', '-c', 'import sys; sys.exit(3)'] })).toThrow(/did not print cfn-lint's JSON; is cfn-lint installed\?.*pip install cfn-lint/);
    const saved = { PATH: process.env.PATH, CFN_LINT: process.env.CFN_LINT };
    try {
      process.env.PATH = path.join(tmp, 'empty-path');
      delete process.env.CFN_LINT;
      expect(() => cfnLintCommand()).toThrow(/no cfn-lint executable on the PATH and python3 cannot import cfnlint.*pip install cfn-lint/);
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.CFN_LINT !== undefined) process.env.CFN_LINT = saved.CFN_LINT;
    }
    expect(() => cfnLintDir(path.join(tmp, 'missing'))).toThrow(/does not exist; synthesize the app into it first/);
  });
});
