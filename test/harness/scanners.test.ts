import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applySkips, checkovCommand, readSkips, ScannerFinding, ScannerSkip } from './scanners';

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

  test('checkov is found (installed by .ci/run), or the error says how to install it', () => {
    let command: string | undefined;
    try {
      command = checkovCommand();
    } catch (error: any) {
      expect(error.message).toMatch(/pip install checkov/);
    }
    expect(command).toBeDefined();
  });
});
