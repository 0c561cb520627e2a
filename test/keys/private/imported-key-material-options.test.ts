import { Duration, Expiration, Lazy } from 'aws-cdk-lib';
import { validateImportedKeyMaterial } from '../../../src/keys/private/imported-key-material-options';

describe('validateImportedKeyMaterial', () => {
  test('no expiration: the material does not expire', () => {
    expect(validateImportedKeyMaterial('p', {})).toBeUndefined();
  });

  test('an expiration within 365 days is returned as ISO-8601', () => {
    const date = new Date(Date.now() + 30 * 24 * 3600 * 1000);
    expect(validateImportedKeyMaterial('p', { expiration: Expiration.atDate(date) })).toBe(date.toISOString());
  });

  test.each([
    ['in the past', Expiration.atDate(new Date(Date.now() - 60_000)), /p.expiration must be in the future, got '/],
    ['more than 365 days ahead', Expiration.after(Duration.days(400)), /p.expiration must be at most 365 days ahead \(KMS limit\), got '/],
  ])('refuses an expiration %s', (_name, expiration, message) => {
    expect(() => validateImportedKeyMaterial('p', { expiration })).toThrow(message);
  });

  test.each([
    ['too short', 'abc', /p.secretVersionId must be a Secrets Manager version id \(32 to 64 letters, digits or hyphens\), got 'abc'/],
    ['a character Secrets Manager never uses', `${'a'.repeat(32)}_`, /p.secretVersionId must be a Secrets Manager version id/],
  ])('refuses a secretVersionId %s', (_name, secretVersionId, message) => {
    expect(() => validateImportedKeyMaterial('p', { secretVersionId })).toThrow(message);
  });

  test('a version id known only at deploy time (a token) passes', () => {
    expect(() => validateImportedKeyMaterial('p', { secretVersionId: Lazy.string({ produce: () => 'x' }) })).not.toThrow();
  });
});
