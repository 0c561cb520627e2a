/**
 * cfn-lint (the Python package) over synthesized templates.
 *
 * cfn-lint checks resource types, property names and values, and the grammar of embedded IAM, KMS
 * and S3 policies (E3510 identity policies, E3512 resource policies, W3037 unknown actions). It does
 * not look inside state machine definitions that CDK emits as `Fn::Join`: use `state-machine.ts`.
 *
 * The command is found in this order: `options.command`; `$CFN_LINT` (split on spaces); the
 * `cfn-lint` executable on the PATH; `python3 -c "...cfnlint.runner.main()"` (cfn-lint 1.x has no
 * `python3 -m cfnlint` entry point). When none works the helpers throw with an install hint: a
 * missing linter must fail the test run, not skip it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The levels cfn-lint reports. */
export type CfnLintLevel = 'Error' | 'Warning' | 'Informational';

/** One cfn-lint match. */
export interface CfnLintFinding {
  readonly level: CfnLintLevel;
  /** e.g. `E3002`. */
  readonly ruleId: string;
  /** The template file, as given to cfn-lint. */
  readonly file: string;
  readonly message: string;
  /** Where in the template, e.g. `Resources/Key/Properties/KeyPolicy/Statement/0/Effect`. */
  readonly path: string;
  readonly line?: number;
}

/** Options for {@link cfnLintDir} and {@link cfnLintFiles}. */
export interface CfnLintOptions {
  /**
   * Rule ids (or prefixes, as cfn-lint understands them: `W3`, `E3002`) to ignore.
   * @default - none
   */
  readonly ignoreRules?: readonly string[];
  /**
   * Regions to validate resource types and properties against.
   * @default ['us-east-1']
   */
  readonly regions?: readonly string[];
  /**
   * The command to run, as argv (e.g. `['python3', '-c', '...']`).
   * @default - detected, see the module doc comment
   */
  readonly command?: readonly string[];
  /**
   * Timeout for one cfn-lint run, in milliseconds.
   * @default 120000
   */
  readonly timeoutMs?: number;
}

const INSTALL_HINT = 'install it with `pip install cfn-lint` (the Python package; the npm package named cfn-lint is unrelated), or set CFN_LINT to its command';
const PYTHON_RUNNER = ['python3', '-c', 'import sys; from cfnlint.runner import main; sys.exit(main())'];

/**
 * The argv prefix that runs cfn-lint: `command` if given, else `$CFN_LINT`, else `cfn-lint` if it is
 * on the PATH, else the Python runner if `python3` can import `cfnlint`. Throws with an install hint
 * when none is available. (Finding the executable on the PATH instead of running `--version` saves
 * a Python start-up per test file; a found command that is not cfn-lint fails on its first run.)
 */
export function cfnLintCommand(command?: readonly string[]): readonly string[] {
  const fromEnv = process.env.CFN_LINT?.trim() ? process.env.CFN_LINT.trim().split(/\s+/) : undefined;
  const explicit = command ?? fromEnv;
  if (explicit) {
    if (explicit.length === 0 || !onPath(explicit[0])) {
      throw new Error(`cfn-lint is not available: ${JSON.stringify(explicit.join(' '))} is not an executable on the PATH. ${INSTALL_HINT}`);
    }
    return explicit;
  }
  if (onPath('cfn-lint')) return ['cfn-lint'];
  if (onPath('python3')) {
    const probe = spawnSync('python3', ['-c', 'import cfnlint'], { encoding: 'utf-8', timeout: 60_000 });
    if (probe.status === 0) return PYTHON_RUNNER;
  }
  throw new Error(`cfn-lint is not available: no cfn-lint executable on the PATH and python3 cannot import cfnlint. ${INSTALL_HINT}`);
}

function onPath(executable: string): boolean {
  const isExecutable = (file: string): boolean => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (executable.includes(path.sep)) return isExecutable(executable);
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && isExecutable(path.join(dir, executable)));
}

/**
 * Every `*.template.json` under a cloud assembly directory (including nested assemblies of stages,
 * `assembly-*`), sorted. Asset directories are skipped.
 */
export function templateFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new Error(`${dir} does not exist; synthesize the app into it first (new App({ outdir }) then app.synth())`);
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('asset.')) out.push(...templateFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.template.json')) out.push(full);
  }
  return out.sort();
}

/** Runs cfn-lint once over `files` and returns every match (filtered by `ignoreRules`). */
export function cfnLintFiles(files: readonly string[], options: CfnLintOptions = {}): CfnLintFinding[] {
  if (files.length === 0) throw new Error('cfnLintFiles needs at least one template');
  const command = cfnLintCommand(options.command);
  const args = [
    ...command.slice(1),
    '--format', 'json',
    '--regions', ...(options.regions ?? ['us-east-1']),
    ...(options.ignoreRules && options.ignoreRules.length > 0 ? ['--ignore-checks', ...options.ignoreRules] : []),
    '--', ...files,
  ];
  const result = spawnSync(command[0], args, { encoding: 'utf-8', timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`running ${command.join(' ')} failed: ${result.error.message}`);
  let matches: unknown;
  try {
    matches = JSON.parse(result.stdout);
  } catch {
    throw new Error(
      `${command.join(' ')} (exit ${result.status}) did not print cfn-lint's JSON; is cfn-lint installed? ${INSTALL_HINT}.\n` +
      `stdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 2000)}`,
    );
  }
  if (!Array.isArray(matches)) throw new Error(`cfn-lint printed ${result.stdout.slice(0, 500)}, expected a JSON list`);
  const ignored = options.ignoreRules ?? [];
  return (matches as RawMatch[])
    .map((m): CfnLintFinding => ({
      level: m.Level,
      ruleId: m.Rule.Id,
      file: m.Filename,
      message: m.Message,
      path: (m.Location?.Path ?? []).join('/'),
      line: m.Location?.Start?.LineNumber,
    }))
    .filter((f) => !ignored.some((rule) => f.ruleId.startsWith(rule)));
}

/** Runs cfn-lint over every template of a cloud assembly directory (see {@link templateFiles}). */
export function cfnLintDir(dir: string, options: CfnLintOptions = {}): CfnLintFinding[] {
  const files = templateFiles(dir);
  if (files.length === 0) throw new Error(`no *.template.json in ${dir}; synthesize the app into it first`);
  return cfnLintFiles(files, options);
}

/** Formats findings one per line: `Level RuleId file:line path message`. */
export function formatCfnLintFindings(findings: readonly CfnLintFinding[]): string {
  return findings
    .map((f) => `${f.level.padEnd(13)} ${f.ruleId.padEnd(6)} ${path.basename(f.file)}${f.line !== undefined ? `:${f.line}` : ''}  ${f.path}\n${' '.repeat(21)}${f.message}`)
    .join('\n');
}

/**
 * Throws, listing them, if cfn-lint reports errors (level `Error`) for any template under `dir`.
 * Warnings and informational matches are returned, not thrown, so a caller can assert on them.
 */
export function expectNoCfnLintErrors(dir: string, options: CfnLintOptions = {}): CfnLintFinding[] {
  const findings = cfnLintDir(dir, options);
  const errors = findings.filter((f) => f.level === 'Error');
  if (errors.length > 0) {
    throw new Error(`cfn-lint reported ${errors.length} error${errors.length === 1 ? '' : 's'} in ${dir}:\n${formatCfnLintFindings(errors)}`);
  }
  return findings;
}

interface RawMatch {
  readonly Level: CfnLintLevel;
  readonly Filename: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location?: { readonly Path?: readonly (string | number)[]; readonly Start?: { readonly LineNumber?: number } };
}
