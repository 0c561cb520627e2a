/**
 * One measurement, in a child process of its own: builds and synthesizes the app of N workloads of
 * one kind, and prints one JSON line with the synth's wall and CPU time, the process's peak memory
 * and what the templates hold. Usage: `ts-node bench/measure-synth.ts <kind> <n>`; template
 * validation follows `CDK_VALIDATION` as in any CDK app.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { addWorkloads, Kind, KINDS } from './workloads';

/** What one measurement prints. */
export interface SynthMeasurement {
  readonly kind: Kind;
  readonly n: number;
  readonly validation: boolean;
  /** Wall time of building the app and synthesizing it, ms. */
  readonly wallMs: number;
  /** CPU time (user + system) of the same, ms. */
  readonly cpuMs: number;
  /** Peak resident memory of the whole process, MB. */
  readonly peakRssMb: number;
  readonly stacks: number;
  readonly templateBytes: number;
  readonly resources: number;
  readonly lambdaFunctions: number;
  readonly customResources: number;
}

function main(): void {
  const [kind, nText] = process.argv.slice(2);
  const n = Number(nText);
  if (!KINDS.includes(kind as Kind) || !Number.isInteger(n) || n < 1) {
    throw new Error(`usage: measure-synth.ts <${KINDS.join('|')}> <n>, got ${kind} ${nText}`);
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  try {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const app = new App({ outdir });
    addWorkloads(app, kind as Kind, n);
    const assembly = app.synth();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    let templateBytes = 0;
    let resources = 0;
    let lambdaFunctions = 0;
    let customResources = 0;
    for (const stack of assembly.stacks) {
      const text = fs.readFileSync(path.join(outdir, stack.templateFile), 'utf8');
      // Bytes as CloudFormation receives them: the minified template.
      const template = JSON.parse(text);
      templateBytes += Buffer.byteLength(JSON.stringify(template), 'utf8');
      for (const resource of Object.values<any>(template.Resources ?? {})) {
        resources++;
        if (resource.Type === 'AWS::Lambda::Function') lambdaFunctions++;
        if (resource.Type === 'AWS::CloudFormation::CustomResource' || String(resource.Type).startsWith('Custom::')) customResources++;
      }
    }
    const result: SynthMeasurement = {
      kind: kind as Kind,
      n,
      validation: process.env.CDK_VALIDATION !== 'false',
      wallMs: Math.round(wallMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      stacks: assembly.stacks.length,
      templateBytes,
      resources,
      lambdaFunctions,
      customResources,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main();
