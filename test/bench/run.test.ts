import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchFiles, runScripts } from '../../bench/run';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The benchmark scripts work: the runner finds every bench/*.bench.ts, runs each in quick mode and
 * writes a document with the machine and one section per script. Structure only: no timing is
 * ever asserted.
 */
describe('bench/run.ts --quick', () => {
  test('finds every bench script', () => {
    const files = benchFiles();
    expect(files).toEqual(expect.arrayContaining(['policy-capacity.bench.ts', 'synth-cost.bench.ts', 'template-size.bench.ts']));
    expect(files).toEqual(fs.readdirSync(path.join(ROOT, 'bench')).filter(f => f.endsWith('.bench.ts')).sort());
  });

  test('runs every script and writes a document with the machine and a section per script', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-')), 'BENCHMARKS.md');
    execFileSync(process.execPath, [
      require.resolve('ts-node/dist/bin.js'), '--project', path.join(ROOT, 'bench', 'tsconfig.json'),
      path.join(ROOT, 'bench', 'run.ts'), '--quick', '--out', out,
    ], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    const document = fs.readFileSync(out, 'utf8');
    expect(document).toMatch(/^# Benchmarks\n/);
    expect(document).toContain('npx projen bench -- --quick');
    expect(document).toMatch(/- cores: \d+/);
    expect(document).toMatch(/- memory: [\d.]+ GiB/);
    expect(document).toMatch(/- node: v\d+/);
    expect(document).toMatch(/- date: \d{4}-\d{2}-\d{2}T/);
    for (const file of benchFiles()) {
      expect(document).toContain(`_${file}: `);
    }
    // the sections of this issue's scripts, with their tables and goals
    expect(document).toContain('## Synth time and memory');
    expect(document).toMatch(/\| validation \| N \| library \| plain L2 \| raw L1 \|/);
    expect(document).toMatch(/\| off \| 2 \| \d+ \/ \d+ \/ \d+ \|/);
    expect(document).toContain('## Template size per workload');
    expect(document).toMatch(/\| library \| [\d.]+ KB \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+× \|/);
    expect(document).toContain('## Key policy capacity');
    expect(document).toMatch(/\| library, same account, 12-character names \| \d+ \| \d+ \| \d+ \|/);
    // pattern- and tag-based access: the same size whatever the number of roles
    const rows = [...document.matchAll(/^\| (\d+) \| (\d+) \| (\d+) \|$/gm)].map(m => [m[2], m[3]]);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rows.map(r => r.join()))).toEqual(new Set([rows[0].join()]));
  }, 1_800_000);
});

describe('runScripts', () => {
  test('a failing script, or one that prints no section, gets a FAILED section; the others are kept and the failures listed', () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { sections, failed } = runScripts(['a.bench.ts', 'b.bench.ts', 'c.bench.ts'], (file) => {
        if (file === 'a.bench.ts') throw new Error('no handler for dynamodb:putItem');
        if (file === 'b.bench.ts') return 'just text';
        return '## C\n\n| x |';
      });
      expect(failed).toEqual(['a.bench.ts', 'b.bench.ts']);
      expect(sections).toHaveLength(3);
      expect(sections[0]).toMatch(/^## a\.bench\.ts: FAILED\n[\s\S]*no handler for dynamodb:putItem[\s\S]*_a\.bench\.ts: \d+ s\._$/);
      expect(sections[1]).toMatch(/^## b\.bench\.ts: FAILED\n[\s\S]*printed no markdown section/);
      expect(sections[2]).toMatch(/^## C\n\n\| x \|\n\n_c\.bench\.ts: \d+ s\._$/);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});
