/**
 * The mistake corpus: hand-written CDK apps with the KMS mistakes people make, and correct ones.
 * KmsChecks must find something on every wrong app that neither the four cdk-nag packs nor checkov
 * report on the same resource (every finding of theirs on those resources is recorded and judged
 * in {@link JUDGED}), and nothing on the correct apps. The README's corpus table is
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
 * Every finding the four cdk-nag packs or checkov report on a resource KmsChecks reports on, judged
 * by hand: `same` lists the KmsChecks rules whose concern it shares (the same mistake on the same
 * resource), `[]` means a different concern, with the reason. A finding on such a resource that is
 * not judged here fails the test, so "found by KmsChecks only" is measured, never assumed: a
 * KmsChecks finding counts as also found only when another tool reports the same concern on the
 * same resource.
 */
const JUDGED: { [otherRule: string]: { readonly same: string[]; readonly reason: string } } = {
  // Key policies and key lifecycle
  'CKV_AWS_33': { same: ['KeyPolicyPublicPrincipal'], reason: 'a wildcard principal in the key policy (checkov flags it whatever the conditions)' },
  'CKV_AWS_7': { same: ['KeyRotationEnabled'], reason: 'key rotation off' },
  'AwsSolutions-KMS5': { same: ['KeyRotationEnabled'], reason: 'key rotation off' },
  'NIST.800.53.R5-KMSBackingKeyRotationEnabled': { same: ['KeyRotationEnabled'], reason: 'key rotation off' },
  'PCI.DSS.321-KMSBackingKeyRotationEnabled': { same: ['KeyRotationEnabled'], reason: 'key rotation off' },
  // Identity policies
  'AwsSolutions-IAM5[Resource::*]': { same: ['IamKmsAllKeys'], reason: 'Resource "*": the statement applies to every key' },
  'AwsSolutions-IAM5[Action::kms:*]': { same: [], reason: 'a wildcard action, reported on a named key too; not about which keys' },
  'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': { same: [], reason: 'a wildcard action, reported on a named key too; not about which keys' },
  'AwsSolutions-IAM5[Action::kms:ReEncrypt*]': { same: [], reason: 'a wildcard action, reported on a named key too; not about which keys' },
  'CKV_AWS_109': { same: ['IamKmsAllKeys'], reason: 'permissions management (kms:CreateGrant, kms:PutKeyPolicy) on Resource "*" without constraints' },
  'CKV_AWS_111': { same: ['IamKmsAllKeys'], reason: 'write access on Resource "*" without constraints' },
  'HIPAA.Security-IAMPolicyNoStatementsWithFullAccess': { same: [], reason: 'an action "kms:*" (full access to the service), whatever the resource' },
  'NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess': { same: [], reason: 'an action "kms:*" (full access to the service), whatever the resource' },
  'PCI.DSS.321-IAMPolicyNoStatementsWithFullAccess': { same: [], reason: 'an action "kms:*" (full access to the service), whatever the resource' },
  'HIPAA.Security-IAMNoInlinePolicy': { same: [], reason: 'inline policies, not keys' },
  'NIST.800.53.R5-IAMNoInlinePolicy': { same: [], reason: 'inline policies, not keys' },
  'PCI.DSS.321-IAMNoInlinePolicy': { same: [], reason: 'inline policies, not keys' },
  // Secrets
  'CKV_AWS_149': { same: ['SecretCmk'], reason: 'a secret not under a customer managed key' },
  'HIPAA.Security-SecretsManagerUsingKMSKey': { same: ['SecretCmk'], reason: 'a secret not under a customer managed key' },
  'NIST.800.53.R5-SecretsManagerUsingKMSKey': { same: ['SecretCmk'], reason: 'a secret not under a customer managed key' },
  'PCI.DSS.321-SecretsManagerUsingKMSKey': { same: ['SecretCmk'], reason: 'a secret not under a customer managed key' },
  'AwsSolutions-SMG4': { same: [], reason: 'secret rotation, not its key' },
  'HIPAA.Security-SecretsManagerRotationEnabled': { same: [], reason: 'secret rotation, not its key' },
  'NIST.800.53.R5-SecretsManagerRotationEnabled': { same: [], reason: 'secret rotation, not its key' },
  // S3, SQS, RDS: other concerns on the same resources
  'AwsSolutions-S1': { same: [], reason: 'server access logs' },
  'CKV_AWS_18': { same: [], reason: 'server access logs' },
  'CKV_AWS_21': { same: [], reason: 'versioning' },
  'HIPAA.Security-S3BucketLoggingEnabled': { same: [], reason: 'server access logs' },
  'NIST.800.53.R5-S3BucketLoggingEnabled': { same: [], reason: 'server access logs' },
  'PCI.DSS.321-S3BucketLoggingEnabled': { same: [], reason: 'server access logs' },
  'HIPAA.Security-S3BucketReplicationEnabled': { same: [], reason: 'replication' },
  'NIST.800.53.R5-S3BucketReplicationEnabled': { same: [], reason: 'replication' },
  'PCI.DSS.321-S3BucketReplicationEnabled': { same: [], reason: 'replication' },
  'HIPAA.Security-S3BucketVersioningEnabled': { same: [], reason: 'versioning' },
  'NIST.800.53.R5-S3BucketVersioningEnabled': { same: [], reason: 'versioning' },
  'PCI.DSS.321-S3BucketVersioningEnabled': { same: [], reason: 'versioning' },
  'AwsSolutions-SQS3': { same: [], reason: 'a dead-letter queue' },
  'AwsSolutions-RDS11': { same: [], reason: 'the default database port' },
  'CKV_AWS_118': { same: [], reason: 'enhanced monitoring' },
  'CKV_AWS_161': { same: [], reason: 'IAM database authentication' },
  'HIPAA.Security-RDSEnhancedMonitoringEnabled': { same: [], reason: 'enhanced monitoring' },
  'NIST.800.53.R5-RDSEnhancedMonitoringEnabled': { same: [], reason: 'enhanced monitoring' },
  'HIPAA.Security-RDSInBackupPlan': { same: [], reason: 'AWS Backup plans' },
  'NIST.800.53.R5-RDSInBackupPlan': { same: [], reason: 'AWS Backup plans' },
  'HIPAA.Security-RDSLoggingEnabled': { same: [], reason: 'log exports' },
  'NIST.800.53.R5-RDSLoggingEnabled': { same: [], reason: 'log exports' },
  'PCI.DSS.321-RDSLoggingEnabled': { same: [], reason: 'log exports' },
};

/** The judgment of a finding of another tool: by its exact id, else by its id without `[...]`. */
const judgmentOf = (id: string) => JUDGED[id] ?? JUDGED[id.replace(/\[.*$/, '')];

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
  /** KmsChecks rules another tool also reports, as `<rule> (<their ids>)`. */
  readonly alsoFound: string[];
  readonly onlyKmsChecks: string[];
  /** Every finding of the four packs and checkov on the resources KmsChecks reports on. */
  readonly others: string[];
  /** Those of them {@link JUDGED} does not judge. */
  readonly unjudged: string[];
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
    const sameConcern = new Map<string, Set<string>>();
    const othersSeen = new Set<string>();
    for (const finding of kms) {
      const rule = baseRule(finding.ruleId);
      kmsRules.add(rule);
      const logicalId = logicalIdOf.get(finding.resourcePath);
      const onSame = [
        ...others.filter(o => o.resourcePath === finding.resourcePath).map(o => o.ruleId),
        ...checkov.filter(c => c.template === template && c.resource === logicalId).map(c => c.check),
      ];
      for (const id of onSame) {
        othersSeen.add(id);
        if (judgmentOf(id)?.same.includes(rule)) sameConcern.set(rule, (sameConcern.get(rule) ?? new Set()).add(id));
      }
    }
    const sorted = (s: Set<string>) => [...s].sort();
    return {
      name: entry.name,
      mistake: entry.mistake,
      correct: entry.correct,
      kmsChecks: sorted(kmsRules),
      alsoFound: sorted(kmsRules).filter(r => sameConcern.has(r)).map(r => `${r} (${sorted(sameConcern.get(r)!).join(', ')})`),
      onlyKmsChecks: sorted(kmsRules).filter(r => !sameConcern.has(r)),
      others: sorted(othersSeen),
      unjudged: sorted(othersSeen).filter(id => !judgmentOf(id)),
    };
  });
}

function table(rows: Row[]): string {
  const list = (ids: string[]) => (ids.length === 0 ? 'nothing' : ids.map(id => `\`${id}\``).join(', '));
  return [
    '| app | mistake | KmsChecks finds | the four cdk-nag packs and checkov report on the same resources | same concern, also found (by) | found by KmsChecks only |',
    '|---|---|---|---|---|---|',
    ...rows.map(r => `| ${r.name} | ${r.mistake} | ${list(r.kmsChecks)} | ${list(r.others)} | ${list(r.alsoFound)} | ${list(r.onlyKmsChecks)} |`),
  ].join('\n');
}

let rows: Row[] | undefined;
const results = () => (rows = rows ?? computeRows());

describe('mistake corpus', () => {
  test('every finding of the four packs and checkov on a resource KmsChecks reports on is judged (same concern or not)', () => {
    if (process.env.CORPUS_DUMP) fs.writeFileSync(process.env.CORPUS_DUMP, JSON.stringify(results(), null, 1));
    expect(results().flatMap(r => r.unjudged.map(id => `${r.name}: ${id}`))).toEqual([]);
    // A judgment nothing uses is stale.
    const seen = new Set(results().flatMap(r => r.others.flatMap(id => [id, id.replace(/\[.*$/, '')])));
    expect(Object.keys(JUDGED).filter(id => !seen.has(id))).toEqual([]);
  });

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
