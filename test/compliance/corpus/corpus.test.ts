/**
 * The mistake corpus: hand-written CDK apps with the KMS mistakes people make, and correct ones.
 * KmsChecks must find something on every wrong app that neither the four cdk-nag packs nor checkov
 * report on the same resource, and nothing on the correct apps. The README's corpus table is
 * generated from these results; this test keeps it true.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { CORPUS, corpusStack } from '.';
import { KmsChecks } from '../../../src';
import { nagFindings } from '../../harness/compliance';
import { runCheckov } from '../../harness/scanners';

/**
 * What the four cdk-nag packs and checkov call the same mistake, per KmsChecks rule: a KmsChecks
 * finding also reported by one of these on the same resource is not counted as "only KmsChecks".
 */
const EQUIVALENTS: { [rule: string]: RegExp } = {
  KeyRotationEnabled: /KMS5$|KMSBackingKeyRotationEnabled|^CKV_AWS_7$/,
  KeyPolicyPublicPrincipal: /^CKV_AWS_33$/,
  LogGroupCmk: /CloudWatchLogGroupEncrypted|^CKV_AWS_158$/,
  S3BucketCmk: /S3DefaultEncryptionKMS|^CKV_AWS_145$/,
  SecretCmk: /SecretsManagerUsingKMSKey|^CKV_AWS_149$/,
  SqsCmk: /SQS.*(KMS|Encrypt)|^CKV_AWS_27$/,
  SnsCmk: /SNS.*(KMS|Encrypt)|^CKV_AWS_26$/,
  IamKmsAllKeys: /IAM5|^CKV_AWS_(107|108|109|110|111|289|290|355)$/,
  EbsCmk: /EBS.*Encrypt|^CKV_AWS_(3|8|79)$/,
  RdsCmk: /RDSStorageEncrypted|^CKV_AWS_16$/,
  DynamoDbCmk: /DynamoDB.*KMS|^CKV_AWS_119$/,
  KinesisCmk: /Kinesis.*Encrypt|^CKV_AWS_43$/,
};

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
const app = new App({ outdir, context: { 'aws:cdk:disable-version-reporting': true, 'cdk-kms-patterns:accessReport': false } });
const stacks = new Map<string, Stack>();
for (const entry of CORPUS) {
  const stack = corpusStack(app, entry.name);
  entry.build(stack);
  stacks.set(entry.name, stack);
}
app.synth();
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

interface Row {
  readonly name: string;
  readonly mistake: string;
  readonly correct: boolean;
  readonly kmsChecks: string[];
  readonly alsoFound: string[];
  readonly onlyKmsChecks: string[];
}

const baseRule = (id: string) => id.replace(/^KmsChecks-/, '').replace(/\[.*$/, '');

function computeRows(): Row[] {
  const checkov = runCheckov(outdir);
  const fourPacks = () => [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
  return CORPUS.map(entry => {
    const stack = stacks.get(entry.name)!;
    const template = `${stack.artifactId}.template.json`;
    const logicalIdOf = new Map<string, string>();
    for (const child of stack.node.findAll()) {
      if (CfnResource.isCfnResource(child)) logicalIdOf.set(child.node.path, stack.resolve(child.logicalId));
    }
    const kms = nagFindings(stack, { packs: [new KmsChecks()], synthesize: false });
    const others = nagFindings(stack, { packs: fourPacks(), synthesize: false });
    const kmsRules = new Set<string>();
    const also = new Set<string>();
    const only = new Set<string>();
    for (const finding of kms) {
      const rule = baseRule(finding.ruleId);
      kmsRules.add(rule);
      const logicalId = logicalIdOf.get(finding.resourcePath);
      const onSame = [
        ...others.filter(o => o.resourcePath === finding.resourcePath).map(o => o.ruleId),
        ...checkov.filter(c => c.template === template && c.resource === logicalId).map(c => c.check),
      ];
      const equivalent = EQUIVALENTS[rule];
      if (equivalent && onSame.some(id => equivalent.test(id))) also.add(rule);
      else only.add(rule);
    }
    const sorted = (s: Set<string>) => [...s].sort();
    return {
      name: entry.name,
      mistake: entry.mistake,
      correct: entry.correct,
      kmsChecks: sorted(kmsRules),
      alsoFound: sorted(also),
      onlyKmsChecks: sorted(only),
    };
  });
}

function table(rows: Row[]): string {
  const list = (ids: string[]) => (ids.length === 0 ? 'nothing' : ids.map(id => `\`${id}\``).join(', '));
  return [
    '| app | mistake | KmsChecks finds | also found by the four cdk-nag packs or checkov (same resource) | found by KmsChecks only |',
    '|---|---|---|---|---|',
    ...rows.map(r => `| ${r.name} | ${r.mistake} | ${list(r.kmsChecks)} | ${list(r.alsoFound)} | ${list(r.onlyKmsChecks)} |`),
  ].join('\n');
}

let rows: Row[] | undefined;
const results = () => (rows = rows ?? computeRows());

describe('mistake corpus', () => {
  test.each(CORPUS.filter(c => !c.correct).map(c => [c.name]))('%s: KmsChecks finds what the four cdk-nag packs and checkov miss', name => {
    const row = results().find(r => r.name === name)!;
    expect(row.onlyKmsChecks.length).toBeGreaterThan(0);
  });

  test.each(CORPUS.filter(c => c.correct).map(c => [c.name]))('%s: KmsChecks finds nothing', name => {
    expect(results().find(r => r.name === name)!.kmsChecks).toEqual([]);
  });

  test('the README table is the one these results generate', () => {
    // CORPUS_TABLE_OUT=<file> writes the generated table, to paste between the README's markers
    if (process.env.CORPUS_TABLE_OUT) fs.writeFileSync(process.env.CORPUS_TABLE_OUT, `${table(results())}\n`);
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('<!-- corpus-table:start -->');
    const end = readme.indexOf('<!-- corpus-table:end -->');
    expect(start).toBeGreaterThan(0);
    const inReadme = readme.slice(start + '<!-- corpus-table:start -->'.length, end).trim();
    expect(inReadme).toEqual(table(results()));
  });
});
