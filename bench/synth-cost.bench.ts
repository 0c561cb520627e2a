/**
 * Synth time (wall and CPU) and peak memory of N workloads: the library, the same app in plain
 * aws-cdk-lib L2, and in raw L1 (the floor), with aws-cdk-lib's template validation off and on.
 * Every measurement runs in a child process of its own; repetitions are interleaved (each round
 * measures every kind, N and validation once) so that load on the machine falls on all alike.
 * Only ratios of medians measured in the same run are compared.
 */
import { lastJson, median, printSection, QUICK, ratio, runTs, table } from './harness';
import { SynthMeasurement } from './measure-synth';
import { Kind, KINDS } from './workloads';

const SIZES = QUICK ? [2] : [10, 50, 200];
/** 5 by default; `--repetitions <n>` of the runner (BENCH_REPETITIONS) for a shorter run on a busy machine. */
const REPETITIONS = QUICK ? 1 : Number(process.env.BENCH_REPETITIONS ?? 5);
const VALIDATIONS = QUICK ? [false] : [false, true];

function main(): void {
  const results: SynthMeasurement[] = [];
  for (let round = 1; round <= REPETITIONS; round++) {
    for (const n of SIZES) {
      for (const validation of VALIDATIONS) {
        for (const kind of KINDS) {
          const output = runTs('measure-synth.ts', [kind, String(n)], { CDK_VALIDATION: validation ? undefined : 'false' });
          const m = lastJson<SynthMeasurement>(output);
          results.push(m);
          process.stderr.write(`synth-cost: round ${round}/${REPETITIONS} n=${n} validation=${validation ? 'on' : 'off'} ${kind}: `
            + `${m.wallMs} ms wall, ${m.cpuMs} ms CPU, ${m.peakRssMb} MB\n`);
        }
      }
    }
  }

  const med = (kind: Kind, n: number, validation: boolean, field: 'wallMs' | 'cpuMs' | 'peakRssMb'): number =>
    median(results.filter(r => r.kind === kind && r.n === n && r.validation === validation).map(r => r[field]));

  const rows: Array<Array<string | number>> = [];
  for (const validation of VALIDATIONS) {
    for (const n of SIZES) {
      const cpu = (k: Kind) => med(k, n, validation, 'cpuMs');
      const wall = (k: Kind) => med(k, n, validation, 'wallMs');
      const rss = (k: Kind) => med(k, n, validation, 'peakRssMb');
      rows.push([
        validation ? 'on' : 'off', n,
        `${wall('library')} / ${cpu('library')} / ${rss('library')}`,
        `${wall('plain-l2')} / ${cpu('plain-l2')} / ${rss('plain-l2')}`,
        `${wall('raw-l1')} / ${cpu('raw-l1')} / ${rss('raw-l1')}`,
        ratio(cpu('library'), cpu('plain-l2')), ratio(wall('library'), wall('plain-l2')), ratio(rss('library'), rss('plain-l2')),
        ratio(cpu('library'), cpu('raw-l1')),
      ]);
    }
  }
  const growthRows: Array<Array<string | number>> = [];
  const first = SIZES[0];
  const last = SIZES[SIZES.length - 1];
  for (const validation of VALIDATIONS) {
    growthRows.push([validation ? 'on' : 'off', ...KINDS.map(k => ratio(med(k, last, validation, 'cpuMs'), med(k, first, validation, 'cpuMs')))]);
  }

  const goalCpu = med('library', last, false, 'cpuMs') / med('plain-l2', last, false, 'cpuMs');
  const growthLib = med('library', last, false, 'cpuMs') / med('library', first, false, 'cpuMs');
  const growthPlain = med('plain-l2', last, false, 'cpuMs') / med('plain-l2', first, false, 'cpuMs');
  printSection('Synth time and memory', [
    `Medians of ${REPETITIONS} interleaved repetition(s), each in a child process of its own; a cell is wall ms / CPU ms / peak RSS MB. `
      + 'Wall and CPU cover building the app and `app.synth()` (modules already loaded); peak RSS is the whole child process. '
      + 'Validation is aws-cdk-lib\'s template validation (`CDK_VALIDATION=false` turns it off).',
    table(['validation', 'N', 'library', 'plain L2', 'raw L1', 'CPU library/plain', 'wall library/plain', 'memory library/plain', 'CPU library/raw'], rows),
    `Growth of CPU time from N = ${first} to N = ${last} (ratio of medians; linear would be ${last / first}×):`,
    table(['validation', ...KINDS], growthRows),
    `Goal: synth at N = ${last}, validation off, at most 1.15× plain L2 (CPU): **${goalCpu.toFixed(2)}×** (${goalCpu <= 1.15 ? 'met' : 'not met'}); `
      + `growth no worse than plain's: library ${growthLib.toFixed(2)}×, plain ${growthPlain.toFixed(2)}× (${growthLib <= growthPlain * 1.05 ? 'met' : 'not met'}).`,
  ]);
  process.stdout.write(`\n<!-- synth-cost ${JSON.stringify({ goalCpu, growthLib, growthPlain })} -->\n`);
}

main();
