import { App, Aspects, IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { expectNoNagFindings, formatFindings, nagFindings } from './compliance';

function bucketStack() {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  // A raw bucket: no encryption, logging, versioning or TLS-only policy.
  const bucket = new s3.CfnBucket(stack, 'Bucket');
  return { app, stack, bucket };
}

describe('nagFindings', () => {
  test('an unencrypted, unlogged bucket is reported by every pack', () => {
    // GIVEN
    const { stack } = bucketStack();

    // WHEN
    const findings = nagFindings(stack);

    // THEN
    expect(new Set(findings.map((f) => f.pack))).toEqual(new Set(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'KmsChecks']));
    expect(findings).toContainEqual({
      pack: 'AwsSolutions',
      ruleId: 'AwsSolutions-S1',
      level: 'error',
      resourcePath: 'Stack/Bucket',
      message: expect.stringContaining('server access logs'),
    });
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'NIST.800.53.R5-S3DefaultEncryptionKMS', resourcePath: 'Stack/Bucket' }));
  });

  test('expectNoNagFindings lists pack, rule, path and a short message', () => {
    // GIVEN
    const { stack } = bucketStack();

    // THEN
    expect(() => expectNoNagFindings(stack)).toThrow(/cdk-nag reported \d+ unacknowledged findings under Stack:/);
    expect(() => expectNoNagFindings(stack)).toThrow(/AwsSolutions \(\d+ findings\):\n {2}\[error {2}\] AwsSolutions-S1\s+Stack\/Bucket\s+The S3 Bucket has server access logs disabled\./);
    expect(() => expectNoNagFindings(stack, { packs: [new AwsSolutionsChecks()] })).not.toThrow(/NIST/);
  });

  test('a finding acknowledged on the resource or an ancestor disappears, and only that one', () => {
    // GIVEN
    const { stack, bucket } = bucketStack();
    const before = nagFindings(stack, { packs: [new AwsSolutionsChecks()] }).map((f) => f.ruleId);
    expect(before).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));

    // WHEN
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'access logs go to CloudTrail data events' });
    Validations.of(stack).acknowledge({ id: 'AwsSolutions-S10', reason: 'test of a stack-wide acknowledgement' });

    // THEN
    const after = nagFindings(stack, { packs: [new AwsSolutionsChecks()] }).map((f) => f.ruleId);
    expect(after).not.toContain('AwsSolutions-S1');
    expect(after).not.toContain('AwsSolutions-S10');
    expect(after).toEqual(before.filter((id) => id !== 'AwsSolutions-S1' && id !== 'AwsSolutions-S10'));
  });

  test('a compliant key passes, and the app is synthesized first so Aspects count', () => {
    // GIVEN a key without rotation, fixed by an Aspect at synthesis
    const app = new App();
    const stack = new Stack(app, 'Stack');
    new kms.CfnKey(stack, 'Key', {});
    class EnableRotation implements IAspect {
      public visit(node: IConstruct): void {
        if (node instanceof kms.CfnKey) node.enableKeyRotation = true;
      }
    }
    const unsynthesized = nagFindings(stack, { synthesize: false }).map((f) => f.ruleId);
    Aspects.of(app).add(new EnableRotation());

    // THEN
    expect(unsynthesized).toContain('AwsSolutions-KMS5');
    // the four cdk-nag packs (KmsChecks would report the default key policy's root kms:*)
    const fourPacks = [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
    expect(() => expectNoNagFindings(stack, { packs: fourPacks })).not.toThrow();
  });

  test('levels filter and formatting', () => {
    // GIVEN a table without point-in-time recovery: an AwsSolutions warning (DDB3)
    const { stack } = bucketStack();
    new dynamodb.CfnTable(stack, 'Table', {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
    });
    const packs = () => [new AwsSolutionsChecks()];

    // THEN
    const warnings = nagFindings(stack, { packs: packs(), levels: ['warning'] });
    expect(warnings).toContainEqual(expect.objectContaining({ ruleId: 'AwsSolutions-DDB3', level: 'warning', resourcePath: 'Stack/Table' }));
    expect(warnings.every((f) => f.level === 'warning')).toBe(true);
    const errors = nagFindings(stack, { packs: packs(), levels: ['error'] });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((f) => f.level === 'error')).toBe(true);
    expect(formatFindings([])).toEqual('no cdk-nag findings');
    expect(formatFindings([
      { pack: 'P', ruleId: 'P-Long', level: 'warning', resourcePath: 'S/A', message: 'First sentence. Second sentence.' },
      { pack: 'P', ruleId: 'P-X', level: 'error', resourcePath: 'S/LongerPath', message: 'x'.repeat(200) },
    ])).toEqual([
      'P (2 findings):',
      '  [warning] P-Long  S/A           First sentence.',
      `  [error  ] P-X     S/LongerPath  ${'x'.repeat(137)}...`,
    ].join('\n'));
  });
});
