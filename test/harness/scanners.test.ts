import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applySkips, CHECKOV_VENV, CHECKOV_VERSION, checkovCommand, readSkips, ScannerFinding, ScannerSkip, works } from './scanners';

function assembly(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scanners-'));
  fs.writeFileSync(path.join(dir, 'S.template.json'), JSON.stringify({
    Resources: {
      Hmac: { Type: 'AWS::KMS::Key', Properties: { KeySpec: 'HMAC_256' } },
      Sym: { Type: 'AWS::KMS::Key', Properties: {} },
    },
  }));
  return dir;
}

const finding = (resource: string, check = 'CKV_AWS_7'): ScannerFinding => ({ scanner: 'checkov', check, template: 'S.template.json', resource, title: 't' });

describe('scanner skips', () => {
  test('a skip covers its check and resources only, and a rotation skip only keys that cannot rotate', () => {
    const dir = assembly();
    const skips: ScannerSkip[] = [{ scanner: 'checkov', check: 'CKV_AWS_7', resources: '.*', onlyKeysThatCannotRotate: true, reason: 'KMS cannot rotate HMAC keys' }];
    const { open, unused } = applySkips(dir, [finding('Hmac'), finding('Sym'), finding('Hmac', 'CKV_AWS_33')], skips);
    expect(open.map(f => `${f.check} ${f.resource}`)).toEqual(['CKV_AWS_7 Sym', 'CKV_AWS_33 Hmac']);
    expect(unused).toEqual([]);
  });

  test('an unused skip is reported', () => {
    const skips: ScannerSkip[] = [{ scanner: 'cfn-guard', check: 'x', resources: '.*', reason: 'a reason long enough to pass' }];
    expect(applySkips(assembly(), [], skips).unused).toEqual(skips);
  });

  test('the repository\'s skip list reads, every entry with a reason', () => {
    expect(readSkips().length).toBeGreaterThan(0);
  });

  test('checkov is found (installed by .ci/run or by the test set-up)', () => {
    expect(works(checkovCommand())).toBe(true);
  });
});

/** A fake python3: `-m venv <dir>` creates <dir>/bin/pip, which "installs" a checkov that prints its version. */
function fakePython(dir: string, pipExit = 0): string {
  const python = path.join(dir, 'python3');
  fs.writeFileSync(python, `#!/bin/sh
# $1=-m $2=venv $3=<dir>
mkdir -p "$3/bin"
cat > "$3/bin/pip" <<'PIP'
#!/bin/sh
echo "$@" > "$(dirname "$0")/pip-args"
[ ${pipExit} -eq 0 ] || { echo "no network" >&2; exit ${pipExit}; }
printf '#!/bin/sh\\necho 3.3.30\\n' > "$(dirname "$0")/checkov"
chmod +x "$(dirname "$0")/checkov"
PIP
chmod +x "$3/bin/pip"
`);
  fs.chmodSync(python, 0o755);
  return python;
}

describe('checkov installation by the test set-up', () => {
  test('when checkov is missing, the venv is created and the pinned version installed in it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkov-install-'));
    const venv = path.join(dir, 'venv');
    const command = checkovCommand({ venv, python: fakePython(dir), candidates: [] });
    expect(command).toBe(path.join(venv, 'bin', 'checkov'));
    expect(fs.readFileSync(path.join(venv, 'bin', 'pip-args'), 'utf8').trim()).toBe(`install --quiet checkov==${CHECKOV_VERSION}`);
    expect(fs.existsSync(`${venv}.lock`)).toBe(false);
  });

  test('a failed installation fails loudly, with pip\'s output', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkov-install-'));
    expect(() => checkovCommand({ venv: path.join(dir, 'venv'), python: fakePython(dir, 1), candidates: [] }))
      .toThrow(/checkov is not installed, and installing it failed: .*pip install --quiet checkov==3\.3\.30.*no network/s);
  });

  test('the pinned version is the one the shared virtual environment holds', () => {
    const venvCheckov = path.join(CHECKOV_VENV, 'bin', 'checkov');
    expect(CHECKOV_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    if (works(venvCheckov)) expect(execFileSync(venvCheckov, ['--version']).toString().trim()).toBe(CHECKOV_VERSION);
  });
});
