/**
 * Shared helpers of the benchmark scripts: child processes, medians, markdown tables and the
 * `--quick` switch (CI-sized smoke runs that prove the scripts work; their numbers mean nothing).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

/** True when the script runs in quick mode (`--quick` or `BENCH_QUICK=1`). */
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** The environment every child gets: offline, no version check. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: '1',
    TS_NODE_TRANSPILE_ONLY: 'true',
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs a TypeScript file of `bench/` with ts-node in a child process and returns its stdout (its progress goes to stderr). */
export function runTs(file: string, args: string[], env: Record<string, string | undefined> = {}): string {
  const root = path.join(__dirname, '..');
  return execFileSync(process.execPath, [
    require.resolve('ts-node/dist/bin.js', { paths: [root] }), '--project', path.join(root, 'bench', 'tsconfig.json'),
    path.join(root, 'bench', file), ...args,
  ], { cwd: root, env: childEnv(env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The last line of a child's output that parses as JSON. */
export function lastJson<T>(output: string): T {
  const lines = output.trim().split('\n').reverse();
  for (const line of lines) {
    if (line.startsWith('{')) return JSON.parse(line) as T;
  }
  throw new Error(`no JSON line in the output: ${output.slice(-500)}`);
}

/** The median of the values. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A ratio written with two decimals and a multiplication sign. */
export function ratio(a: number, b: number): string {
  return b === 0 || !Number.isFinite(a / b) ? 'n/a' : `${(a / b).toFixed(2)}×`;
}

/** A markdown table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    lines.push(`| ${row.map(String).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Writes a bench script's section (markdown) to stdout. */
export function printSection(title: string, body: string[]): void {
  process.stdout.write(`## ${title}\n\n${body.join('\n\n')}\n`);
}
