/**
 * The security scanners auditors run, over a synthesized cloud assembly: checkov (Python, from
 * PyPI, run with `--skip-download`, never reaching the network) and cfn-guard with the Control Tower
 * rules bundled in `@cdklabs/cdk-validator-cfnguard` (its own cfn-guard binary). Findings are
 * filtered through the reasoned skip list `test/compliance/scanner-skips.json`; an entry that
 * matches nothing is itself an error, so the list never goes stale.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/** One failed check: scanner, check id, template file and logical id. */
export interface ScannerFinding {
  readonly scanner: 'checkov' | 'cfn-guard';
  readonly check: string;
  readonly template: string;
  readonly resource: string;
  readonly title: string;
}

/** One entry of the skip list. */
export interface ScannerSkip {
  readonly scanner: 'checkov' | 'cfn-guard';
  readonly check: string;
  /** A regular expression on the logical id (`(template)` for template-level findings). */
  readonly resources: string;
  /** Only where the resource is a KMS key that KMS cannot rotate (asymmetric, HMAC, imported material). */
  readonly onlyKeysThatCannotRotate?: boolean;
  readonly reason: string;
}

/** The skip list kept in the repository. */
export const SKIP_LIST_FILE = path.join(__dirname, '..', 'compliance', 'scanner-skips.json');

/** Reads the skip list; every entry must give a reason. */
export function readSkips(file = SKIP_LIST_FILE): ScannerSkip[] {
  const skips: ScannerSkip[] = JSON.parse(fs.readFileSync(file, 'utf8')).skips;
  for (const skip of skips) {
    if (!skip.reason || skip.reason.length < 20) throw new Error(`skip of ${skip.scanner} ${skip.check} has no written reason`);
  }
  return skips;
}

function templatesOf(assemblyDir: string): string[] {
  return fs.readdirSync(assemblyDir).filter(f => f.endsWith('.template.json')).map(f => path.join(assemblyDir, f));
}

/**
 * The checkov version the test set-up installs when none is found. `.ci/run` installs checkov
 * without a version into the same virtual environment; this is the version that environment holds
 * (`checkov --version`), pinned here so that a fresh machine gets the checks the skip list was
 * written against.
 */
export const CHECKOV_VERSION = '3.3.30';

/** The virtual environment checkov is installed in (the one `.ci/run` creates). */
export const CHECKOV_VENV = path.join(os.homedir(), '.cache', 'cdk-kms-patterns', 'checkov-venv');

/** Where the installation may look and what it may run (tests replace them). */
export interface CheckovInstallOptions {
  /** The virtual environment to use or create. @default CHECKOV_VENV */
  readonly venv?: string;
  /** The Python that creates it. @default python3 */
  readonly python?: string;
  /** The checkov version to install. @default CHECKOV_VERSION */
  readonly version?: string;
  /** Commands tried before the virtual environment. @default $CHECKOV, then checkov on the PATH */
  readonly candidates?: string[];
}

/** Whether `command --version` runs and exits 0. */
export function works(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Creates the virtual environment and installs the pinned checkov in it. Test files run in
 * parallel: a lock file next to the environment lets one install while the others wait for it.
 * Throws, with pip's output, when the installation fails.
 */
function installCheckov(venv: string, python: string, version: string): string {
  const checkov = path.join(venv, 'bin', 'checkov');
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  const lock = `${venv}.lock`;
  const deadline = Date.now() + 15 * 60 * 1000;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = fs.openSync(lock, 'wx');
    } catch {
      if (works(checkov)) return checkov; // another worker installed it
      if (Date.now() > deadline) throw new Error(`checkov is not installed and ${lock} is still held: remove it if no installation is running`);
      sleep(2000);
    }
  }
  try {
    if (works(checkov)) return checkov;
    const run = (command: string, args: string[]) => {
      try {
        execFileSync(command, args, { stdio: 'pipe', timeout: 15 * 60 * 1000 });
      } catch (error: any) {
        throw new Error(`checkov is not installed, and installing it failed: \`${[command, ...args].join(' ')}\`: `
          + `${error.stderr?.toString() || error.stdout?.toString() || error.message}`);
      }
    };
    run(python, ['-m', 'venv', venv]);
    run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', `checkov==${version}`]);
    if (!works(checkov)) throw new Error(`checkov ${version} was installed in ${venv} but \`${checkov} --version\` fails`);
    return checkov;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(lock, { force: true });
  }
}

/**
 * Where checkov is: `$CHECKOV`, the PATH, or the virtual environment `.ci/run` creates
 * (`~/.cache/cdk-kms-patterns/checkov-venv`). When none works, the test set-up creates that
 * environment (`python3 -m venv`) and installs the pinned {@link CHECKOV_VERSION} in it, so that
 * `npx projen test` on a fresh machine runs the gate; it fails loudly when that fails.
 */
export function checkovCommand(options: CheckovInstallOptions = {}): string {
  const venv = options.venv ?? CHECKOV_VENV;
  const candidates = (options.candidates ?? [process.env.CHECKOV, 'checkov'].filter((c): c is string => !!c))
    .concat(path.join(venv, 'bin', 'checkov'));
  for (const candidate of candidates) {
    if (works(candidate)) return candidate;
  }
  return installCheckov(venv, options.python ?? 'python3', options.version ?? CHECKOV_VERSION);
}

/** Runs checkov over the templates of a cloud assembly; returns its failed checks. */
export function runCheckov(assemblyDir: string): ScannerFinding[] {
  const templates = templatesOf(assemblyDir);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'checkov-'));
  templates.forEach(t => fs.copyFileSync(t, path.join(work, path.basename(t))));
  let output: string;
  try {
    output = execFileSync(checkovCommand(), ['-d', work, '--framework', 'cloudformation', '--skip-download', '--quiet', '--compact', '-o', 'json'],
      { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' } }).toString();
  } catch (error: any) {
    // checkov exits 1 when a check fails; its report is still on stdout
    output = error.stdout?.toString() ?? '';
    if (!output.trim().startsWith('{') && !output.trim().startsWith('[')) throw new Error(`checkov failed: ${error.stderr?.toString() ?? error}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const reports = ([] as any[]).concat(JSON.parse(output));
  return reports.flatMap(report => (report.results?.failed_checks ?? []).map((f: any) => ({
    scanner: 'checkov' as const,
    check: f.check_id,
    template: path.basename(f.file_path),
    resource: String(f.resource).split('.').slice(1).join('.'),
    title: f.check_name,
  })));
}

/** Runs cfn-guard with the Control Tower rules over the templates of a cloud assembly. */
export function runCfnGuard(assemblyDir: string): ScannerFinding[] {
  const report = new CfnGuardValidator({}).validate({ templatePaths: templatesOf(assemblyDir) } as any);
  return report.violations.flatMap(violation => violation.violatingResources.map(resource => ({
    scanner: 'cfn-guard' as const,
    check: violation.ruleName,
    template: path.basename(resource.templatePath),
    resource: resource.resourceLogicalId ?? '(template)',
    title: violation.description ?? '',
  })));
}

function cannotRotate(assemblyDir: string, finding: ScannerFinding): boolean {
  const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, finding.template), 'utf8'));
  const resource = template.Resources?.[finding.resource];
  if (resource?.Type !== 'AWS::KMS::Key') return false;
  const props = resource.Properties ?? {};
  return (props.KeySpec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT' || (props.Origin ?? 'AWS_KMS') !== 'AWS_KMS';
}

/** The findings no skip covers, and the skips that covered nothing. */
export function applySkips(assemblyDir: string, findings: ScannerFinding[], skips: ScannerSkip[]): { open: ScannerFinding[]; unused: ScannerSkip[] } {
  const used = new Set<ScannerSkip>();
  const open = findings.filter(finding => {
    const skip = skips.find(s => s.scanner === finding.scanner && s.check === finding.check && new RegExp(s.resources).test(finding.resource)
      && (!s.onlyKeysThatCannotRotate || cannotRotate(assemblyDir, finding)));
    if (skip) used.add(skip);
    return !skip;
  });
  return { open, unused: skips.filter(s => !used.has(s)) };
}
