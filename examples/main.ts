/**
 * Synthesizes the example app into cdk.out/ offline (fixed accounts and Regions, no credentials)
 * and prints a summary: stacks, resources per type, and cdk-nag findings.
 *
 * Run with `npx projen example`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { buildExampleApp } from './app';
import { KmsChecks } from '../src';

const outdir = path.join(__dirname, '..', 'cdk.out');
const app = new App({ outdir, context: { 'aws:cdk:disable-version-reporting': true, '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
const stacks = buildExampleApp(app);
const assembly = app.synth();

console.log(`Synthesized ${assembly.stacks.length} stacks into ${path.relative(process.cwd(), outdir) || '.'}/`);
for (const artifact of assembly.stacks) {
  const resources = Object.values<any>(artifact.template.Resources ?? {});
  const counts = new Map<string, number>();
  for (const resource of resources) {
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  }
  console.log(`\n${artifact.stackName} (${artifact.environment.account}/${artifact.environment.region}): ${resources.length} resources`);
  for (const [type, count] of [...counts.entries()].sort()) {
    console.log(`  ${String(count).padStart(3)}  ${type}`);
  }
}

const warnings = assembly.stacks.flatMap(artifact => artifact.messages.filter(m => m.level === 'warning'));
console.log(`\nWarnings: ${warnings.length}`);
for (const warning of warnings) {
  console.log(`  ${warning.id}: ${String(warning.entry.data).split('\n')[0]}`);
}

const reportFile = path.join(outdir, 'key-access-report.md');
console.log(`\n${fs.readFileSync(reportFile, 'utf8')}`);
console.log(`(also as JSON: ${path.relative(process.cwd(), path.join(outdir, 'key-access-report.json'))})`);

const packs = [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks(), new KmsChecks()];
let total = 0;
console.log('\nCompliance (cdk-nag 3 packs and KmsChecks, unacknowledged findings):');
for (const pack of packs) {
  const violations = stacks.flatMap((stack: Stack) => pack.validateScope(stack).violations);
  const findings = violations.reduce((n, v) => n + v.violatingResources.length, 0);
  total += findings;
  console.log(`  ${pack.name.padEnd(28)} ${findings}`);
  for (const violation of violations) {
    for (const resource of violation.violatingResources) {
      console.log(`    ${violation.ruleName}  ${resource.constructPath ?? resource.resourceLogicalId}`);
    }
  }
}
if (total > 0) {
  console.log(`\n${total} unacknowledged findings`);
  process.exitCode = 1;
}
