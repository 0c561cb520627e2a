import { constants, createDecipheriv, generateKeyPairSync, KeyObject, privateDecrypt, randomBytes } from 'crypto';
import {
  decodeBase64Material,
  isAsymmetricKeySpec,
  isSupportedKeySpec,
  KeyMaterialFormatError,
  MAX_KEY_MATERIAL_VALIDITY_DAYS,
  MAX_KEY_MATERIAL_VALIDITY_MS,
  SUPPORTED_KEY_SPECS,
  validateKeyMaterial,
  wrapKeyMaterial,
  WRAPPING_ALGORITHM_DIRECT,
  WRAPPING_ALGORITHM_HYBRID,
  WRAPPING_KEY_SPEC,
  wrappingAlgorithmFor,
} from '../../../src/keys/private/import-wrapping';

/** RFC 5649 alternative initial value. */
const AES_KWP_IV = Buffer.from('A65959A6', 'hex');

/** One RSA 2048 key pair for the whole file (key generation is slow). */
const RSA_2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });

function pkcs8(type: 'ec' | 'rsa', options: { namedCurve?: string; modulusLength?: number }): Buffer {
  if (type === 'rsa' && options.modulusLength === 2048) {
    return RSA_2048.privateKey.export({ format: 'der', type: 'pkcs8' });
  }
  const pair = type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: options.namedCurve! })
    : generateKeyPairSync('rsa', { modulusLength: options.modulusLength! });
  return pair.privateKey.export({ format: 'der', type: 'pkcs8' });
}

/** Every text form of `material` an error message could leak. */
function forms(material: Buffer): string[] {
  return [material.toString('hex'), material.toString('base64')];
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('key specs and limits', () => {
  test('the supported specs are sorted and each is importable', () => {
    expect([...SUPPORTED_KEY_SPECS].sort()).toEqual(SUPPORTED_KEY_SPECS);
    for (const spec of SUPPORTED_KEY_SPECS) {
      expect(isSupportedKeySpec(spec)).toBe(true);
    }
    for (const spec of ['SM2', 'ECC_NIST_EDWARDS25519', 'ML_DSA_44', 'RSA_1024', '']) {
      expect(isSupportedKeySpec(spec)).toBe(false);
    }
  });

  test.each([
    ['SYMMETRIC_DEFAULT', WRAPPING_ALGORITHM_DIRECT],
    ['HMAC_384', WRAPPING_ALGORITHM_DIRECT],
    ['RSA_3072', WRAPPING_ALGORITHM_HYBRID],
    ['ECC_SECG_P256K1', WRAPPING_ALGORITHM_HYBRID],
  ])('%s material is wrapped with %s', (spec, algorithm) => {
    expect(wrappingAlgorithmFor(spec)).toBe(algorithm);
    expect(isAsymmetricKeySpec(spec)).toBe(algorithm === WRAPPING_ALGORITHM_HYBRID);
  });

  test('KMS names: RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_256, an RSA_4096 wrapping key, 365 days of validity', () => {
    expect([WRAPPING_ALGORITHM_DIRECT, WRAPPING_ALGORITHM_HYBRID, WRAPPING_KEY_SPEC]).toEqual(['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096']);
    expect(MAX_KEY_MATERIAL_VALIDITY_DAYS).toBe(365);
    expect(MAX_KEY_MATERIAL_VALIDITY_MS).toBe(365 * 86_400_000);
  });
});

describe('decodeBase64Material', () => {
  test('decodes standard base64, ignoring line breaks and spaces', () => {
    const material = randomBytes(48);
    const text = material.toString('base64').replace(/(.{16})/g, '$1\n  ');
    expect(decodeBase64Material(text).equals(material)).toBe(true);
  });

  test('padding may be left out', () => {
    expect(decodeBase64Material('QQ').toString()).toBe('A');
    expect(decodeBase64Material('QUJDRA').toString()).toBe('ABCD');
  });

  test.each([
    ['empty', '  \n ', /SecretString is empty/],
    ['PEM', '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----', /looks like PEM.*DER-encoded PKCS#8/],
    ['base64url', 'ab-_', /not standard base64 \(4 characters after removing whitespace\)/],
    ['one character too many', 'QUJDR', /not standard base64 \(5 characters/],
    ['padding inside', 'QQ==QQ==', /not standard base64/],
    ['stray bits in the last character', 'QR==', /not canonical base64/],
  ])('%s is refused', (_what, text, message) => {
    const error = errorOf(() => decodeBase64Material(text));
    expect(error).toBeInstanceOf(KeyMaterialFormatError);
    expect(error.name).toBe('KeyMaterialFormatError');
    expect(error.message).toMatch(message);
  });

  test('the error never quotes the text', () => {
    const secret = `${randomBytes(24).toString('base64')}!`;
    expect(errorOf(() => decodeBase64Material(secret)).message).not.toContain(secret.slice(0, 8));
  });

  // The source promises to "reject non-canonical encodings (stray bits in the last character, wrong
  // padding)", but padding where none belongs is accepted.
  test('padding where none belongs is refused as not canonical', () => {
    expect(() => decodeBase64Material('QUJD==')).toThrow(KeyMaterialFormatError);
  });
});

describe('validateKeyMaterial', () => {
  test.each([
    ['SYMMETRIC_DEFAULT', 32],
    ['HMAC_224', 28],
    ['HMAC_256', 32],
    ['HMAC_384', 48],
    ['HMAC_512', 64],
  ])('%s takes exactly %d bytes', (spec, length) => {
    expect(() => validateKeyMaterial(spec, randomBytes(length))).not.toThrow();
    const short = randomBytes(length - 1);
    const error = errorOf(() => validateKeyMaterial(spec, short));
    expect(error.message).toBe(`key material for ${spec} must be exactly ${length} bytes, got ${length - 1} bytes`);
    expect(() => validateKeyMaterial(spec, randomBytes(length + 1))).toThrow(KeyMaterialFormatError);
  });

  test('a PKCS#8 private key of the right curve is accepted', () => {
    expect(() => validateKeyMaterial('ECC_NIST_P256', pkcs8('ec', { namedCurve: 'prime256v1' }))).not.toThrow();
    expect(() => validateKeyMaterial('ECC_SECG_P256K1', pkcs8('ec', { namedCurve: 'secp256k1' }))).not.toThrow();
  });

  test('an RSA key of the right size is accepted, of another size refused', () => {
    const rsa2048 = pkcs8('rsa', { modulusLength: 2048 });
    expect(() => validateKeyMaterial('RSA_2048', rsa2048)).not.toThrow();
    expect(() => validateKeyMaterial('RSA_3072', rsa2048))
      .toThrow('key material for RSA_3072 must be an RSA key with a 3072-bit modulus, got 2048 bits');
  });

  test('a key of the wrong curve or type is refused, naming what was received', () => {
    const p384 = pkcs8('ec', { namedCurve: 'secp384r1' });
    expect(() => validateKeyMaterial('ECC_NIST_P256', p384)).toThrow('key material for ECC_NIST_P256 must be an EC key on curve prime256v1, got secp384r1');
    expect(() => validateKeyMaterial('RSA_2048', p384)).toThrow('key material for RSA_2048 must be an RSA private key, got ec');
  });

  test('anything but one DER SEQUENCE is refused before parsing, without showing the bytes', () => {
    const key = pkcs8('ec', { namedCurve: 'prime256v1' });
    for (const material of [Buffer.concat([key, Buffer.from([0])]), key.subarray(0, key.length - 1), Buffer.from('30', 'hex'), randomBytes(64).fill(0x04, 0, 1)]) {
      const error = errorOf(() => validateKeyMaterial('ECC_NIST_P256', material));
      expect(error.message).toMatch(/must be one DER-encoded PKCS#8 private key \(\d+ bytes received are not a single DER SEQUENCE\)/);
      for (const form of forms(material)) {
        expect(error.message).not.toContain(form);
      }
    }
  });

  test('a DER SEQUENCE that is not an unencrypted PKCS#8 key is refused as unparsable', () => {
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'der', type: 'sec1' });
    expect(() => validateKeyMaterial('ECC_NIST_P256', sec1))
      .toThrow('key material for ECC_NIST_P256 must be an unencrypted DER-encoded PKCS#8 private key; it could not be parsed');
  });

  test('an unknown spec names the supported ones', () => {
    expect(() => validateKeyMaterial('SM2', randomBytes(32))).toThrow(`KeySpec must be one of ${SUPPORTED_KEY_SPECS.join(', ')}, got SM2`);
  });
});

describe('wrapKeyMaterial', () => {
  let wrappingPrivate: KeyObject;
  let wrappingPublicDer: Buffer;

  beforeAll(() => {
    // GIVEN the wrapping key GetParametersForImport returns: RSA 4096, as DER SubjectPublicKeyInfo
    const pair = generateKeyPairSync('rsa', { modulusLength: 4096 });
    wrappingPrivate = pair.privateKey;
    wrappingPublicDer = pair.publicKey.export({ format: 'der', type: 'spki' });
  });

  function oaepDecrypt(ciphertext: Buffer): Buffer {
    return privateDecrypt({ key: wrappingPrivate, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ciphertext);
  }

  test('RSAES_OAEP_SHA_256: the blob is RSA-OAEP-SHA-256 of the material, which KMS\'s private key recovers', () => {
    const material = randomBytes(32);
    const blob = wrapKeyMaterial(WRAPPING_ALGORITHM_DIRECT, wrappingPublicDer, material);
    expect(blob.length).toBe(512);
    expect(oaepDecrypt(blob).equals(material)).toBe(true);
  });

  test('RSA_AES_KEY_WRAP_SHA_256: RSA-OAEP of a fresh AES key, then AES key wrap with padding of the material', () => {
    const material = pkcs8('ec', { namedCurve: 'secp384r1' });
    const blob = wrapKeyMaterial(WRAPPING_ALGORITHM_HYBRID, wrappingPublicDer, material);
    const aesKey = oaepDecrypt(blob.subarray(0, 512));
    expect(aesKey.length).toBe(32);
    const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, AES_KWP_IV);
    expect(Buffer.concat([decipher.update(blob.subarray(512)), decipher.final()]).equals(material)).toBe(true);
  });

  test('every hybrid wrap uses a new AES key', () => {
    const material = randomBytes(40);
    const a = wrapKeyMaterial(WRAPPING_ALGORITHM_HYBRID, wrappingPublicDer, material);
    const b = wrapKeyMaterial(WRAPPING_ALGORITHM_HYBRID, wrappingPublicDer, material);
    expect(oaepDecrypt(a.subarray(0, 512)).equals(oaepDecrypt(b.subarray(0, 512)))).toBe(false);
  });

  test('a wrapping key that is not RSA 4096 is refused', () => {
    const rsa2048 = RSA_2048.publicKey.export({ format: 'der', type: 'spki' });
    expect(() => wrapKeyMaterial(WRAPPING_ALGORITHM_DIRECT, rsa2048, randomBytes(32)))
      .toThrow('the wrapping public key must be RSA_4096, got rsa with 2048 bits');
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' });
    expect(() => wrapKeyMaterial(WRAPPING_ALGORITHM_DIRECT, ec, randomBytes(32))).toThrow(/must be RSA_4096, got ec with unknown bits/);
  });

  test('an unknown wrapping algorithm is refused', () => {
    expect(() => wrapKeyMaterial('RSAES_OAEP_SHA_1', wrappingPublicDer, randomBytes(32)))
      .toThrow('wrapping algorithm must be RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256, got RSAES_OAEP_SHA_1');
  });
});
