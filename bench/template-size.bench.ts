/**
 * What a workload puts in the templates: bytes (minified, as CloudFormation receives them),
 * resources, Lambda functions and custom resources, per workload, against plain aws-cdk-lib L2 and
 * raw L1. Deterministic: one synth per kind.
 */
import { lastJson, printSection, QUICK, ratio, runTs, table } from './harness';
import { SynthMeasurement } from './measure-synth';
import { KINDS, WORKLOADS_PER_STACK } from './workloads';

const N = QUICK ? 2 : WORKLOADS_PER_STACK * 2;

function main(): void {
  const results = new Map<string, SynthMeasurement>();
  for (const kind of KINDS) {
    results.set(kind, lastJson<SynthMeasurement>(runTs('measure-synth.ts', [kind, String(N)], { CDK_VALIDATION: 'false' })));
  }
  const per = (kind: string, field: 'templateBytes' | 'resources' | 'lambdaFunctions' | 'customResources') =>
    results.get(kind)![field] / N;
  const rows = KINDS.map(kind => [
    kind,
    `${(per(kind, 'templateBytes') / 1024).toFixed(1)} KB`,
    per(kind, 'resources').toFixed(1),
    per(kind, 'lambdaFunctions').toFixed(2),
    per(kind, 'customResources').toFixed(2),
    ratio(per(kind, 'templateBytes'), per('plain-l2', 'templateBytes')),
  ]);
  const bytesRatio = per('library', 'templateBytes') / per('plain-l2', 'templateBytes');
  printSection('Template size per workload', [
    `N = ${N} workloads (${WORKLOADS_PER_STACK} a stack), validation off; bytes of the minified templates divided by N. `
      + 'Lambda functions and custom resources are shared per stack where the construct shares them (handlers, providers).',
    table(['app', 'bytes', 'resources', 'Lambda functions', 'custom resources', 'bytes vs plain'], rows),
    `Goal: at most 1.3× plain's bytes a workload: **${bytesRatio.toFixed(2)}×** (${bytesRatio <= 1.3 ? 'met' : 'not met'}).`,
  ]);
  process.stdout.write(`\n<!-- template-size ${JSON.stringify({ bytesRatio })} -->\n`);
}

main();
