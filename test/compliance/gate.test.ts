/**
 * The compliance gate: the whole example app (whatever stacks `buildExampleApp` holds) has no
 * unacknowledged finding under AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 and
 * KmsChecks; checkov and cfn-guard (Control Tower rules) report nothing that the reasoned skip list
 * (test/compliance/scanner-skips.json) does not cover. cfn-lint runs in
 * test/examples/example-app.test.ts. Nothing is skipped silently: a missing scanner fails the test.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../../examples/app';
import { defaultNagPacks, formatFindings, nagFindings } from '../harness/compliance';
import { applySkips, readSkips, runCfnGuard, runCheckov, ScannerFinding } from '../harness/scanners';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-'));
const app = new App({ outdir, context: { 'aws:cdk:disable-version-reporting': true, '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
buildExampleApp(app);
app.synth();
const skips = readSkips();
let checkov: ScannerFinding[] | undefined;
let guard: ScannerFinding[] | undefined;
const checkovFindings = () => (checkov = checkov ?? runCheckov(outdir));
const guardFindings = () => (guard = guard ?? runCfnGuard(outdir));

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function describeFindings(findings: ScannerFinding[]): string {
  return findings.map(f => `${f.scanner} ${f.check} ${f.template} ${f.resource}: ${f.title}`).join('\n');
}

describe('compliance gate on the example app', () => {
  test('no unacknowledged finding under the four cdk-nag packs and KmsChecks', () => {
    const findings = nagFindings(app, { packs: defaultNagPacks(), synthesize: false });
    expect(formatFindings(findings)).toBe('no cdk-nag findings');
  });

  test('checkov (--skip-download): no failed check outside the reasoned skip list', () => {
    const findings = checkovFindings();
    expect(findings.length).toBeGreaterThan(0); // the scanner ran and saw the templates
    const { open } = applySkips(outdir, findings, skips.filter(s => s.scanner === 'checkov'));
    expect(describeFindings(open)).toBe('');
  });

  test('cfn-guard with the Control Tower rules: no violation outside the reasoned skip list', () => {
    const findings = guardFindings();
    const { open } = applySkips(outdir, findings, skips.filter(s => s.scanner === 'cfn-guard'));
    expect(describeFindings(open)).toBe('');
  });

  test('every skip is still needed (the list never goes stale)', () => {
    const findings = [...checkovFindings(), ...guardFindings()];
    const { unused } = applySkips(outdir, findings, skips);
    expect(unused.map(s => `${s.scanner} ${s.check} ${s.resources}`)).toEqual([]);
  });
});
