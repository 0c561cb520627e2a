import { Expiration, Token } from 'aws-cdk-lib';
import { MAX_KEY_MATERIAL_VALIDITY_DAYS, MAX_KEY_MATERIAL_VALIDITY_MS } from './import-wrapping';
import { invalid } from '../../private/validation';

/**
 * Checks imported key material options; returns the ISO-8601 expiry, if any.
 */
export function validateImportedKeyMaterial(
  prop: string,
  options: { readonly secretVersionId?: string; readonly expiration?: Expiration },
): string | undefined {
  let validTo: string | undefined;
  if (options.expiration) {
    const date = options.expiration.date;
    const now = Date.now();
    if (date.getTime() <= now) {
      invalid(`${prop}.expiration`, 'must be in the future', date.toISOString());
    }
    if (date.getTime() > now + MAX_KEY_MATERIAL_VALIDITY_MS) {
      invalid(`${prop}.expiration`, `must be at most ${MAX_KEY_MATERIAL_VALIDITY_DAYS} days ahead (KMS limit)`, date.toISOString());
    }
    validTo = date.toISOString();
  }
  if (options.secretVersionId !== undefined && !Token.isUnresolved(options.secretVersionId) && !/^[A-Za-z0-9-]{32,64}$/.test(options.secretVersionId)) {
    invalid(`${prop}.secretVersionId`, 'must be a Secrets Manager version id (32 to 64 letters, digits or hyphens)', options.secretVersionId);
  }
  return validTo;
}
