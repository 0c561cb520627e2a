// Pure helpers for importing key material into a KMS key with Origin EXTERNAL.
//
// Used by `import-key-material.lambda.ts`; no AWS SDK and no aws-cdk-lib imports, so they can be
// bundled into the handler and tested on their own. Nothing here logs, and no error message built
// here contains key material: only key specs, lengths and algorithm names.
//
// Facts relied on (AWS KMS Developer Guide, "Step 3: Encrypt the key material" and "Select a
// wrapping algorithm"; KMS API Reference, GetParametersForImport):
// - SYMMETRIC_DEFAULT material is 32 random bytes (16 in China Regions only, not supported here).
// - HMAC material length must match the key spec: HMAC_224 28 bytes, HMAC_256 32, HMAC_384 48,
//   HMAC_512 64.
// - Asymmetric material is the private key only, PKCS#8, DER-encoded; KMS derives the public key.
// - RSAES_OAEP_SHA_256 = RSA-OAEP with SHA-256 and MGF1-SHA-256, directly over the material. Not
//   allowed for RSA private keys.
// - RSA_AES_KEY_WRAP_SHA_256 = AES key wrap with padding (RFC 5649, OpenSSL `id-aes256-wrap-pad`,
//   IV A65959A6) of the material under a fresh 256-bit AES key, then RSA-OAEP-SHA-256 of that AES
//   key; the import blob is the RSA-wrapped AES key followed by the AES-wrapped material. Supported
//   for RSA and ECC private keys; not available in China Regions.
// - KMS API Reference, ImportKeyMaterial: ValidTo is at most 365 days after the request.
//
// The constructs (`imported-key-material.ts`, `key-specs.ts`) import the key specs and the validity
// limit from here, so that synth and deploy time check the same thing.

import {
  KeyObject,
  constants,
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';

/** The wrapping algorithms this library uses, named as KMS names them. */
export const WRAPPING_ALGORITHM_DIRECT = 'RSAES_OAEP_SHA_256';
export const WRAPPING_ALGORITHM_HYBRID = 'RSA_AES_KEY_WRAP_SHA_256';
/** The wrapping key spec requested from GetParametersForImport. */
export const WRAPPING_KEY_SPEC = 'RSA_4096';
const WRAPPING_KEY_BITS = 4096;

/** Imported key material expires at most this many days after the import (ImportKeyMaterial ValidTo). */
export const MAX_KEY_MATERIAL_VALIDITY_DAYS = 365;
/** The same limit in milliseconds. */
export const MAX_KEY_MATERIAL_VALIDITY_MS = MAX_KEY_MATERIAL_VALIDITY_DAYS * 24 * 60 * 60 * 1000;

/** RFC 5649 alternative initial value (the 32-bit constant; OpenSSL appends the length). */
const AES_KWP_IV = Buffer.from('A65959A6', 'hex');

/** Raw material length in bytes for each symmetric or HMAC key spec. */
const SECRET_KEY_LENGTHS: Readonly<Record<string, number>> = {
  SYMMETRIC_DEFAULT: 32,
  HMAC_224: 28,
  HMAC_256: 32,
  HMAC_384: 48,
  HMAC_512: 64,
};

interface AsymmetricExpectation {
  readonly keyType: 'rsa' | 'ec';
  /** For RSA: the modulus length in bits. */
  readonly modulusLength?: number;
  /** For EC: the OpenSSL curve name that node:crypto reports. */
  readonly namedCurve?: string;
}

/** What a PKCS#8 private key must be for each asymmetric key spec. */
const ASYMMETRIC_KEY_SPECS: Readonly<Record<string, AsymmetricExpectation>> = {
  RSA_2048: { keyType: 'rsa', modulusLength: 2048 },
  RSA_3072: { keyType: 'rsa', modulusLength: 3072 },
  RSA_4096: { keyType: 'rsa', modulusLength: 4096 },
  ECC_NIST_P256: { keyType: 'ec', namedCurve: 'prime256v1' },
  ECC_NIST_P384: { keyType: 'ec', namedCurve: 'secp384r1' },
  ECC_NIST_P521: { keyType: 'ec', namedCurve: 'secp521r1' },
  ECC_SECG_P256K1: { keyType: 'ec', namedCurve: 'secp256k1' },
};

/** Every key spec the handler can import into, sorted: also what the construct accepts. */
export const SUPPORTED_KEY_SPECS: readonly string[] = [
  ...Object.keys(SECRET_KEY_LENGTHS),
  ...Object.keys(ASYMMETRIC_KEY_SPECS),
].sort();

/** Thrown for material that does not fit the key spec. Never carries the material. */
export class KeyMaterialFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyMaterialFormatError';
  }
}

/** Whether `keySpec` is one this library can import. */
export function isSupportedKeySpec(keySpec: string): boolean {
  return keySpec in SECRET_KEY_LENGTHS || keySpec in ASYMMETRIC_KEY_SPECS;
}

/** Whether material for `keySpec` is an asymmetric private key (wrapped with RSA_AES_KEY_WRAP). */
export function isAsymmetricKeySpec(keySpec: string): boolean {
  return keySpec in ASYMMETRIC_KEY_SPECS;
}

/** The wrapping algorithm to request for `keySpec`. */
export function wrappingAlgorithmFor(keySpec: string): string {
  return isAsymmetricKeySpec(keySpec) ? WRAPPING_ALGORITHM_HYBRID : WRAPPING_ALGORITHM_DIRECT;
}

/**
 * Decode the base64 text of a SecretString into bytes.
 *
 * Whitespace (line breaks included) is ignored; anything else that is not standard base64 is
 * rejected rather than silently skipped, as `Buffer.from(s, 'base64')` would do. The error never
 * quotes the text.
 */
export function decodeBase64Material(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0) {
    throw new KeyMaterialFormatError('SecretString is empty');
  }
  if (compact.startsWith('-----BEGIN')) {
    throw new KeyMaterialFormatError(
      'SecretString looks like PEM; store the base64 encoding of the raw key material '
      + '(for a private key: of its DER-encoded PKCS#8 form) or store the bytes as SecretBinary',
    );
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
    throw new KeyMaterialFormatError(
      `SecretString is not standard base64 (${compact.length} characters after removing whitespace); `
      + 'store the base64 encoding of the raw key material, or store the bytes as SecretBinary',
    );
  }
  const decoded = Buffer.from(compact, 'base64');
  // Reject non-canonical encodings (stray bits in the last character, wrong padding).
  const canonical = decoded.toString('base64');
  const padded = compact.includes('=');
  if (canonical.replace(/=+$/, '') !== compact.replace(/=+$/, '') || (padded && canonical !== compact)) {
    decoded.fill(0);
    throw new KeyMaterialFormatError('SecretString is not canonical base64');
  }
  return decoded;
}

/**
 * Check that `material` is valid key material for `keySpec`.
 *
 * - Symmetric and HMAC specs: exact byte length.
 * - Asymmetric specs: a single DER-encoded, unencrypted PKCS#8 private key whose type and
 *   modulus length or curve match the spec.
 *
 * @throws KeyMaterialFormatError naming the spec and what was received (lengths, types, curves)
 */
export function validateKeyMaterial(keySpec: string, material: Buffer): void {
  const expectedLength = SECRET_KEY_LENGTHS[keySpec];
  if (expectedLength !== undefined) {
    if (material.length !== expectedLength) {
      throw new KeyMaterialFormatError(
        `key material for ${keySpec} must be exactly ${expectedLength} bytes, got ${material.length} bytes`,
      );
    }
    return;
  }
  const expected = ASYMMETRIC_KEY_SPECS[keySpec];
  if (expected === undefined) {
    throw new KeyMaterialFormatError(
      `KeySpec must be one of ${SUPPORTED_KEY_SPECS.join(', ')}, got ${keySpec}`,
    );
  }
  if (!isSingleDerSequence(material)) {
    throw new KeyMaterialFormatError(
      `key material for ${keySpec} must be one DER-encoded PKCS#8 private key (${material.length} bytes received `
      + 'are not a single DER SEQUENCE)',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  } catch {
    // The parser's message carries no key bytes, but there is nothing in it worth keeping either.
    throw new KeyMaterialFormatError(
      `key material for ${keySpec} must be an unencrypted DER-encoded PKCS#8 private key; it could not be parsed`,
    );
  }
  const keyType = key.asymmetricKeyType;
  if (keyType !== expected.keyType) {
    throw new KeyMaterialFormatError(
      `key material for ${keySpec} must be an ${expected.keyType.toUpperCase()} private key, got ${keyType ?? 'unknown'}`,
    );
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (expected.modulusLength !== undefined && details.modulusLength !== expected.modulusLength) {
    throw new KeyMaterialFormatError(
      `key material for ${keySpec} must be an RSA key with a ${expected.modulusLength}-bit modulus, `
      + `got ${details.modulusLength ?? 'unknown'} bits`,
    );
  }
  if (expected.namedCurve !== undefined && details.namedCurve !== expected.namedCurve) {
    throw new KeyMaterialFormatError(
      `key material for ${keySpec} must be an EC key on curve ${expected.namedCurve}, `
      + `got ${details.namedCurve ?? 'unknown'}`,
    );
  }
}

/**
 * Wrap `material` with the public key from GetParametersForImport using `wrappingAlgorithm`.
 *
 * @param publicKeyDer the `PublicKey` of GetParametersForImport: a DER-encoded X.509
 *   SubjectPublicKeyInfo of an RSA key
 * @returns the `EncryptedKeyMaterial` for ImportKeyMaterial (not secret: only KMS can unwrap it)
 */
export function wrapKeyMaterial(wrappingAlgorithm: string, publicKeyDer: Uint8Array, material: Buffer): Buffer {
  const publicKey = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const bits = publicKey.asymmetricKeyDetails?.modulusLength;
  if (publicKey.asymmetricKeyType !== 'rsa' || bits !== WRAPPING_KEY_BITS) {
    throw new KeyMaterialFormatError(
      `the wrapping public key must be ${WRAPPING_KEY_SPEC}, got ${publicKey.asymmetricKeyType ?? 'unknown'} `
      + `with ${bits ?? 'unknown'} bits`,
    );
  }
  switch (wrappingAlgorithm) {
    case WRAPPING_ALGORITHM_DIRECT:
      return rsaOaepSha256(publicKey, material);
    case WRAPPING_ALGORITHM_HYBRID:
      return rsaAesKeyWrapSha256(publicKey, material);
    default:
      throw new KeyMaterialFormatError(
        `wrapping algorithm must be ${WRAPPING_ALGORITHM_DIRECT} or ${WRAPPING_ALGORITHM_HYBRID}, got ${wrappingAlgorithm}`,
      );
  }
}

/** RSAES-OAEP with SHA-256 (node uses `oaepHash` for both the OAEP digest and MGF1). */
function rsaOaepSha256(publicKey: KeyObject, plaintext: Buffer): Buffer {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    plaintext,
  );
}

/** RSA_AES_KEY_WRAP_SHA_256: RSA-OAEP-SHA-256(aesKey) || AES-KWP(aesKey, material). */
function rsaAesKeyWrapSha256(publicKey: KeyObject, material: Buffer): Buffer {
  const aesKey = randomBytes(32);
  try {
    const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, AES_KWP_IV);
    const wrappedMaterial = Buffer.concat([cipher.update(material), cipher.final()]);
    const wrappedAesKey = rsaOaepSha256(publicKey, aesKey);
    return Buffer.concat([wrappedAesKey, wrappedMaterial]);
  } finally {
    aesKey.fill(0);
  }
}

/** True when `der` is exactly one DER SEQUENCE (tag 0x30) with nothing after it. */
function isSingleDerSequence(der: Buffer): boolean {
  if (der.length < 2 || der[0] !== 0x30) {
    return false;
  }
  const first = der[1];
  let header = 2;
  let length = first;
  if (first >= 0x80) {
    const count = first - 0x80;
    if (count === 0 || count > 4 || der.length < 2 + count) {
      return false;
    }
    length = 0;
    for (let i = 0; i < count; i++) {
      length = length * 256 + der[2 + i];
    }
    header += count;
  }
  return header + length === der.length;
}
