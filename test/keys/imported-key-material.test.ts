import { Duration, Expiration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IMPORTABLE_SPECS } from '../../src/keys/key-specs';
import { MAX_KEY_MATERIAL_VALIDITY_DAYS, SUPPORTED_KEY_SPECS } from '../../src/keys/private/import-wrapping';
import { validateImportedKeyMaterial } from '../../src/keys/private/imported-key-material-options';

const WRAPPING_MODULE = '../../src/keys/private/import-wrapping';

afterEach(() => {
  jest.dontMock(WRAPPING_MODULE);
});

describe('imported key material limits: written once, shared by the construct and its handler', () => {
  test('the construct accepts exactly the key specs the handler can import', () => {
    expect([...IMPORTABLE_SPECS].sort()).toEqual([...SUPPORTED_KEY_SPECS]);
    expect(IMPORTABLE_SPECS).not.toContain(kms.KeySpec.ML_DSA_44);
    expect(IMPORTABLE_SPECS).not.toContain(kms.KeySpec.ECC_NIST_EDWARDS25519);
  });

  test('the construct\'s key specs come from the handler\'s module', () => {
    jest.isolateModules(() => {
      // GIVEN the handler's module lists one spec
      jest.doMock(WRAPPING_MODULE, () => ({ ...jest.requireActual(WRAPPING_MODULE), SUPPORTED_KEY_SPECS: ['HMAC_256'] }));

      // WHEN / THEN the construct follows it
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { IMPORTABLE_SPECS: specs } = require('../../src/keys/key-specs');
      expect(specs).toEqual(['HMAC_256']);
    });
  });

  test('the construct\'s expiry limit comes from the handler\'s module', () => {
    jest.isolateModules(() => {
      // GIVEN the handler's module allows 10 days
      jest.doMock(WRAPPING_MODULE, () => ({
        ...jest.requireActual(WRAPPING_MODULE),
        MAX_KEY_MATERIAL_VALIDITY_DAYS: 10,
        MAX_KEY_MATERIAL_VALIDITY_MS: 10 * 86_400_000,
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const isolated: typeof validateImportedKeyMaterial = require('../../src/keys/private/imported-key-material-options').validateImportedKeyMaterial;

      // WHEN / THEN
      expect(() => isolated('importedKeyMaterial', { expiration: Expiration.after(Duration.days(9)) })).not.toThrow();
      expect(() => isolated('importedKeyMaterial', { expiration: Expiration.after(Duration.days(11)) }))
        .toThrow(/importedKeyMaterial.expiration must be at most 10 days ahead \(KMS limit\)/);
    });
  });

  test('365 days: a day less passes, a day more is refused', () => {
    expect(MAX_KEY_MATERIAL_VALIDITY_DAYS).toBe(365);
    expect(validateImportedKeyMaterial('p', { expiration: Expiration.after(Duration.days(364)) })).toMatch(/^\d{4}-/);
    expect(() => validateImportedKeyMaterial('p', { expiration: Expiration.after(Duration.days(366)) }))
      .toThrow(/p.expiration must be at most 365 days ahead \(KMS limit\), got '\d{4}-/);
  });
});
