import {
  KeyObject,
  constants,
  createDecipheriv,
  generateKeyPairSync,
  privateDecrypt,
  randomBytes,
} from 'node:crypto';
import {
  DescribeKeyCommand,
  ExpiredImportTokenException,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  IncorrectKeyMaterialException,
  KMSClient,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../src/keys/import-key-material.lambda';
import { captureError, consoleOutput as sharedConsoleOutput, everythingAbout } from '../handler-helpers';

const kmsMock = mockClient(KMSClient);
const secretsMock = mockClient(SecretsManagerClient);

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
const OTHER_KEY_ID = '9999abcd-12ab-34cd-56ef-1234567890ff';
const OTHER_KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${OTHER_KEY_ID}`;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:key-material-AbCdEf';
const VERSION_1 = 'a1b2c3d4-0000-0000-0000-000000000001';
const VERSION_2 = 'a1b2c3d4-0000-0000-0000-000000000002';
const TOKEN_1 = Uint8Array.from(Buffer.from('import-token-1'));
const TOKEN_2 = Uint8Array.from(Buffer.from('import-token-2'));
const AES_KWP_IV = Buffer.from('A65959A6', 'hex');

/** The stand-in for the KMS wrapping key pair: generated once, RSA 4096 as the handler requests. */
let wrapping: { publicKeyDer: Uint8Array; privateKey: KeyObject };

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 4096 });
  wrapping = {
    publicKeyDer: Uint8Array.from(pair.publicKey.export({ format: 'der', type: 'spki' })),
    privateKey: pair.privateKey,
  };
}, 60_000);

let logSpy: jest.SpyInstance;
let errorSpy: jest.SpyInstance;
let warnSpy: jest.SpyInstance;

beforeEach(() => {
  kmsMock.reset();
  secretsMock.reset();
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  warnSpy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
});

// ---------------------------------------------------------------------------------------------
// GIVEN helpers
// ---------------------------------------------------------------------------------------------

type Props = Record<string, string>;

function props(overrides: Props = {}): Props {
  return { KeyId: KEY_ARN, SecretArn: SECRET_ARN, KeySpec: 'SYMMETRIC_DEFAULT', ...overrides };
}

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider',
  ResponseURL: 'https://example.invalid/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/s/1',
  RequestId: 'request-1',
  LogicalResourceId: 'ImportedMaterial',
  ResourceType: 'Custom::KmsImportKeyMaterial',
};

function createEvent(p: Props): CloudFormationCustomResourceEvent {
  return { ...common, RequestType: 'Create', ResourceProperties: { ServiceToken: common.ServiceToken, ...p } };
}

function updateEvent(p: Props, old: Props, physicalId = KEY_ARN): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...p },
    OldResourceProperties: { ServiceToken: common.ServiceToken, ...old },
  };
}

function deleteEvent(p: Props, physicalId = KEY_ARN): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Delete',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...p },
  };
}

function givenKey(metadata: Partial<KeyMetadata> & { KeyId?: string; Arn?: string } = {}): void {
  const keyId = metadata.KeyId ?? KEY_ID;
  kmsMock.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: keyId,
      Arn: metadata.Arn ?? KEY_ARN,
      Origin: 'EXTERNAL',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyState: 'PendingImport',
      MultiRegion: false,
      ...metadata,
    },
  });
}

function givenImportParameters(): void {
  kmsMock.on(GetParametersForImportCommand).resolves({
    KeyId: KEY_ARN,
    PublicKey: wrapping.publicKeyDer,
    ImportToken: TOKEN_1,
    ParametersValidTo: new Date(Date.now() + 86_400_000),
  });
  kmsMock.on(ImportKeyMaterialCommand).resolves({ KeyId: KEY_ARN });
}

/** The secret returns a copy: the handler zeroes what it reads, the test keeps `material`. */
function givenSecretBinary(material: Buffer, versionId = VERSION_1): Uint8Array {
  const sdkBytes = Uint8Array.from(material);
  secretsMock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, VersionId: versionId, SecretBinary: sdkBytes });
  return sdkBytes;
}

function givenSecretString(text: string, versionId = VERSION_1): void {
  secretsMock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, VersionId: versionId, SecretString: text });
}

function givenSymmetricImport(material: Buffer, versionId = VERSION_1): void {
  givenKey();
  givenSecretBinary(material, versionId);
  givenImportParameters();
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

// ---------------------------------------------------------------------------------------------
// THEN helpers: unwrap what the handler sent to KMS with the private half of the wrapping key
// ---------------------------------------------------------------------------------------------

function importInput(index = 0) {
  const calls = kmsMock.commandCalls(ImportKeyMaterialCommand);
  expect(calls.length).toBeGreaterThan(index);
  return calls[index].args[0].input;
}

function rsaOaepSha256Decrypt(ciphertext: Buffer): Buffer {
  return privateDecrypt(
    { key: wrapping.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    ciphertext,
  );
}

/** RSAES_OAEP_SHA_256: the whole blob is one RSA-OAEP ciphertext. */
function unwrapDirect(encrypted: Uint8Array | undefined): Buffer {
  return rsaOaepSha256Decrypt(Buffer.from(encrypted!));
}

/** RSA_AES_KEY_WRAP_SHA_256: RSA-OAEP(aesKey) (512 bytes for RSA 4096) || AES-KWP(aesKey, material). */
function unwrapHybrid(encrypted: Uint8Array | undefined): Buffer {
  const blob = Buffer.from(encrypted!);
  const aesKey = rsaOaepSha256Decrypt(blob.subarray(0, 512));
  expect(aesKey.length).toBe(32);
  const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, AES_KWP_IV);
  return Buffer.concat([decipher.update(blob.subarray(512)), decipher.final()]);
}

function pkcs8(type: 'ec' | 'rsa', options: { namedCurve?: string; modulusLength?: number }): Buffer {
  const pair = type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: options.namedCurve! })
    : generateKeyPairSync('rsa', { modulusLength: options.modulusLength! });
  return pair.privateKey.export({ format: 'der', type: 'pkcs8' });
}

/** Every representation of `material` that could leak into text. */
function materialForms(material: Buffer): string[] {
  return [
    material.toString('hex'),
    material.toString('hex').toUpperCase(),
    material.toString('base64'),
    material.toString('base64').replace(/=+$/, ''),
    material.toString('base64url'),
    Array.from(material).join(','),
    Array.from(material).join(', '),
  ];
}

function expectNoMaterial(text: string, material: Buffer): void {
  for (const form of materialForms(material)) {
    expect(text).not.toContain(form);
  }
}

function consoleOutput(): string {
  return sharedConsoleOutput(logSpy, errorSpy, warnSpy);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('import-key-material handler', () => {
  describe('Create with symmetric key material', () => {
    test('imports SecretBinary material wrapped with RSAES_OAEP_SHA_256 under an RSA_4096 wrapping key', async () => {
      // GIVEN
      const material = randomBytes(32);
      givenSymmetricImport(material);

      // WHEN
      const response = await handler(createEvent(props()));

      // THEN
      expect(kmsMock.commandCalls(DescribeKeyCommand)[0].args[0].input).toEqual({ KeyId: KEY_ARN });
      expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
        SecretId: SECRET_ARN,
        VersionStage: 'AWSCURRENT',
      });
      expect(kmsMock.commandCalls(GetParametersForImportCommand)[0].args[0].input).toEqual({
        KeyId: KEY_ARN,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_4096',
      });
      const input = importInput();
      expect(input.KeyId).toBe(KEY_ARN);
      expect(Buffer.from(input.ImportToken!)).toEqual(Buffer.from(TOKEN_1));
      expect(input.ExpirationModel).toBe('KEY_MATERIAL_DOES_NOT_EXPIRE');
      expect(input.ValidTo).toBeUndefined();
      expect(input.ImportType).toBeUndefined();
      expect(unwrapDirect(input.EncryptedKeyMaterial).equals(material)).toBe(true);
      expect(response).toEqual({
        PhysicalResourceId: KEY_ARN,
        Data: {
          KeyId: KEY_ID,
          KeyArn: KEY_ARN,
          ImportedVersion: VERSION_1,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        },
      });
    });

    test('the physical id is the key ARN even when KeyId is given as a bare key id', async () => {
      // GIVEN
      givenSymmetricImport(randomBytes(32));

      // WHEN
      const response = await handler(createEvent(props({ KeyId: KEY_ID })));

      // THEN
      expect(response.PhysicalResourceId).toBe(KEY_ARN);
      expect(importInput().KeyId).toBe(KEY_ID);
    });

    test('zeroes the SecretBinary bytes after the import', async () => {
      // GIVEN
      const material = randomBytes(32);
      givenKey();
      const sdkBytes = givenSecretBinary(material);
      givenImportParameters();

      // WHEN
      await handler(createEvent(props()));

      // THEN
      expect(Buffer.from(sdkBytes).equals(Buffer.alloc(32))).toBe(true);
      expect(unwrapDirect(importInput().EncryptedKeyMaterial).equals(material)).toBe(true);
    });

    test('zeroes the SecretBinary bytes when the import fails', async () => {
      // GIVEN
      givenKey();
      const sdkBytes = givenSecretBinary(randomBytes(32));
      givenImportParameters();
      kmsMock.on(ImportKeyMaterialCommand).rejects(awsError('AccessDeniedException', 'not authorized'));

      // WHEN
      await expect(handler(createEvent(props()))).rejects.toThrow(/kms:ImportKeyMaterial/);

      // THEN
      expect(Buffer.from(sdkBytes).equals(Buffer.alloc(32))).toBe(true);
    });

    test('imports material from a base64 SecretString, tolerating whitespace and line breaks', async () => {
      // GIVEN
      const material = randomBytes(32);
      const b64 = material.toString('base64');
      givenKey();
      givenSecretString(`  ${b64.slice(0, 20)}\n${b64.slice(20)}\r\n`);
      givenImportParameters();

      // WHEN
      await handler(createEvent(props()));

      // THEN
      expect(unwrapDirect(importInput().EncryptedKeyMaterial).equals(material)).toBe(true);
    });

    test('rejects a SecretString that is not base64 without quoting it', async () => {
      // GIVEN
      const secretText = '{"material":"not-base64-%%%"}';
      givenKey();
      givenSecretString(secretText);
      givenImportParameters();

      // WHEN
      const err = await captureError(handler(createEvent(props())));

      // THEN
      expect(err.message).toMatch(/GetSecretValue failed: secret .* is not standard base64/);
      expect(everythingAbout(err)).not.toContain('not-base64-%%%');
      expect(kmsMock.commandCalls(ImportKeyMaterialCommand)).toHaveLength(0);
    });

    test('rejects a PEM SecretString with a hint to store DER as base64', async () => {
      // GIVEN
      givenKey({ KeySpec: 'ECC_NIST_P256' });
      const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
      givenSecretString(pem);
      givenImportParameters();

      // WHEN / THEN
      await expect(handler(createEvent(props({ KeySpec: 'ECC_NIST_P256' }))))
        .rejects.toThrow(/looks like PEM; store the base64 encoding .* DER-encoded PKCS#8/);
    });

    test('reads exactly the requested SecretVersionId', async () => {
      // GIVEN
      const material = randomBytes(32);
      givenSymmetricImport(material, VERSION_2);

      // WHEN
      const response = await handler(createEvent(props({ SecretVersionId: VERSION_2 })));

      // THEN
      expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
        SecretId: SECRET_ARN,
        VersionId: VERSION_2,
      });
      expect(response.Data?.ImportedVersion).toBe(VERSION_2);
    });
  });

  describe('ValidTo', () => {
    test('sets KEY_MATERIAL_EXPIRES with that ValidTo', async () => {
      // GIVEN
      const validTo = new Date(Date.now() + 30 * 86_400_000);
      validTo.setUTCMilliseconds(0);
      givenSymmetricImport(randomBytes(32));

      // WHEN
      const response = await handler(createEvent(props({ ValidTo: validTo.toISOString() })));

      // THEN
      const input = importInput();
      expect(input.ExpirationModel).toBe('KEY_MATERIAL_EXPIRES');
      expect(input.ValidTo).toEqual(validTo);
      expect(response.Data).toMatchObject({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo.toISOString() });
    });

    test('rejects a ValidTo in the past before calling AWS', async () => {
      // GIVEN
      givenSymmetricImport(randomBytes(32));

      // WHEN / THEN
      await expect(handler(createEvent(props({ ValidTo: '2020-01-01T00:00:00Z' }))))
        .rejects.toThrow(/ValidateProperties failed: ValidTo must be in the future, got 2020-01-01T00:00:00Z/);
      expect(kmsMock.calls()).toHaveLength(0);
      expect(secretsMock.calls()).toHaveLength(0);
    });

    test.each(['next tuesday', '2030-13-45T99:00:00Z', '1893456000'])('rejects the unparsable ValidTo %p', async (validTo) => {
      // GIVEN
      givenSymmetricImport(randomBytes(32));

      // WHEN / THEN
      await expect(handler(createEvent(props({ ValidTo: validTo }))))
        .rejects.toThrow(/ValidTo must be an ISO-8601 timestamp/);
      expect(kmsMock.calls()).toHaveLength(0);
    });

    test('rejects a ValidTo more than 365 days ahead (KMS limit)', async () => {
      // GIVEN
      givenSymmetricImport(randomBytes(32));
      const tooLate = new Date(Date.now() + 400 * 86_400_000).toISOString();

      // WHEN / THEN
      await expect(handler(createEvent(props({ ValidTo: tooLate }))))
        .rejects.toThrow(/ValidTo must be at most 365 days from now/);
    });
  });

  describe('limits shared with the construct', () => {
    test('the expiry limit comes from the module the construct reads it from', async () => {
      // GIVEN that module allows 10 days
      const wrappingModule = '../../src/keys/private/import-wrapping';
      let isolatedHandler!: typeof handler;
      jest.isolateModules(() => {
        jest.doMock(wrappingModule, () => ({
          ...jest.requireActual(wrappingModule),
          MAX_KEY_MATERIAL_VALIDITY_DAYS: 10,
          MAX_KEY_MATERIAL_VALIDITY_MS: 10 * 86_400_000,
        }));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        isolatedHandler = require('../../src/keys/import-key-material.lambda').handler;
      });
      jest.dontMock(wrappingModule);
      givenSymmetricImport(randomBytes(32));
      const elevenDays = new Date(Date.now() + 11 * 86_400_000).toISOString();

      // WHEN / THEN
      await expect(isolatedHandler(createEvent(props({ ValidTo: elevenDays }))))
        .rejects.toThrow(/ValidTo must be at most 10 days from now \(a KMS limit\)/);
    });
  });

  describe('validation of the material', () => {
    test('rejects material of the wrong length without revealing it', async () => {
      // GIVEN
      const material = randomBytes(31);
      givenKey();
      givenSecretString(material.toString('base64'));
      givenImportParameters();

      // WHEN
      const err = await captureError(handler(createEvent(props())));

      // THEN
      expect(err.message).toMatch(
        /^ValidateKeyMaterial failed: key material for SYMMETRIC_DEFAULT must be exactly 32 bytes, got 31 bytes/,
      );
      expectNoMaterial(everythingAbout(err), material);
      expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(0);
      expect(kmsMock.commandCalls(ImportKeyMaterialCommand)).toHaveLength(0);
    });

    test.each([
      ['HMAC_224', 28],
      ['HMAC_256', 32],
      ['HMAC_384', 48],
      ['HMAC_512', 64],
    ])('imports %s material of %d bytes with RSAES_OAEP_SHA_256', async (keySpec, length) => {
      // GIVEN
      const material = randomBytes(length);
      givenKey({ KeySpec: keySpec as KeyMetadata['KeySpec'] });
      givenSecretBinary(material);
      givenImportParameters();

      // WHEN
      await handler(createEvent(props({ KeySpec: keySpec })));

      // THEN
      expect(kmsMock.commandCalls(GetParametersForImportCommand)[0].args[0].input.WrappingAlgorithm)
        .toBe('RSAES_OAEP_SHA_256');
      expect(unwrapDirect(importInput().EncryptedKeyMaterial).equals(material)).toBe(true);
    });

    test('rejects 32 bytes for HMAC_512', async () => {
      // GIVEN
      givenKey({ KeySpec: 'HMAC_512' });
      givenSecretBinary(randomBytes(32));
      givenImportParameters();

      // WHEN / THEN
      await expect(handler(createEvent(props({ KeySpec: 'HMAC_512' }))))
        .rejects.toThrow(/key material for HMAC_512 must be exactly 64 bytes, got 32 bytes/);
    });
  });

  describe('asymmetric key material', () => {
    test('imports an ECC_NIST_P256 PKCS#8 key wrapped with RSA_AES_KEY_WRAP_SHA_256', async () => {
      // GIVEN
      const der = pkcs8('ec', { namedCurve: 'P-256' });
      givenKey({ KeySpec: 'ECC_NIST_P256' });
      givenSecretString(der.toString('base64'));
      givenImportParameters();

      // WHEN
      await handler(createEvent(props({ KeySpec: 'ECC_NIST_P256' })));

      // THEN
      expect(kmsMock.commandCalls(GetParametersForImportCommand)[0].args[0].input).toEqual({
        KeyId: KEY_ARN,
        WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
        WrappingKeySpec: 'RSA_4096',
      });
      const input = importInput();
      expect(input.ImportType).toBeUndefined();
      expect(unwrapHybrid(input.EncryptedKeyMaterial).equals(der)).toBe(true);
    });

    test('imports an RSA_2048 PKCS#8 key wrapped with RSA_AES_KEY_WRAP_SHA_256', async () => {
      // GIVEN
      const der = pkcs8('rsa', { modulusLength: 2048 });
      givenKey({ KeySpec: 'RSA_2048' });
      givenSecretBinary(der);
      givenImportParameters();

      // WHEN
      await handler(createEvent(props({ KeySpec: 'RSA_2048' })));

      // THEN
      expect(unwrapHybrid(importInput().EncryptedKeyMaterial).equals(der)).toBe(true);
    });

    test('rejects a key on another curve than the key spec', async () => {
      // GIVEN
      const der = pkcs8('ec', { namedCurve: 'P-384' });
      givenKey({ KeySpec: 'ECC_NIST_P256' });
      givenSecretBinary(der);
      givenImportParameters();

      // WHEN
      const err = await captureError(handler(createEvent(props({ KeySpec: 'ECC_NIST_P256' }))));

      // THEN
      expect(err.message).toMatch(
        /key material for ECC_NIST_P256 must be an EC key on curve prime256v1, got secp384r1/,
      );
      expectNoMaterial(everythingAbout(err), der);
      expect(kmsMock.commandCalls(ImportKeyMaterialCommand)).toHaveLength(0);
    });

    test('rejects an EC key declared as RSA', async () => {
      // GIVEN
      givenKey({ KeySpec: 'RSA_3072' });
      givenSecretBinary(pkcs8('ec', { namedCurve: 'P-256' }));
      givenImportParameters();

      // WHEN / THEN
      await expect(handler(createEvent(props({ KeySpec: 'RSA_3072' }))))
        .rejects.toThrow(/key material for RSA_3072 must be an RSA private key, got ec/);
    });

    test('rejects a PKCS#8 key followed by extra bytes', async () => {
      // GIVEN
      givenKey({ KeySpec: 'ECC_NIST_P256' });
      givenSecretBinary(Buffer.concat([pkcs8('ec', { namedCurve: 'P-256' }), Buffer.from([0])]));
      givenImportParameters();

      // WHEN / THEN
      await expect(handler(createEvent(props({ KeySpec: 'ECC_NIST_P256' }))))
        .rejects.toThrow(/must be one DER-encoded PKCS#8 private key/);
    });
  });

  describe('DescribeKey checks', () => {
    test('rejects a key whose Origin is AWS_KMS before reading the secret', async () => {
      // GIVEN
      givenKey({ Origin: 'AWS_KMS' });
      givenSecretBinary(randomBytes(32));
      givenImportParameters();

      // WHEN / THEN
      await expect(handler(createEvent(props())))
        .rejects.toThrow(/DescribeKey failed: key .* must have Origin EXTERNAL .* got AWS_KMS/);
      expect(secretsMock.calls()).toHaveLength(0);
      expect(kmsMock.commandCalls(ImportKeyMaterialCommand)).toHaveLength(0);
    });

    test('rejects a key whose KeySpec differs from the declared one', async () => {
      // GIVEN
      givenKey({ KeySpec: 'HMAC_256' });
      givenSecretBinary(randomBytes(32));
      givenImportParameters();

      // WHEN / THEN
      await expect(handler(createEvent(props())))
        .rejects.toThrow(/has KeySpec HMAC_256, but KeySpec SYMMETRIC_DEFAULT was declared/);
      expect(secretsMock.calls()).toHaveLength(0);
    });

    test('imports into a symmetric multi-Region replica with ImportType EXISTING_KEY_MATERIAL', async () => {
      // GIVEN
      const material = randomBytes(32);
      givenKey({ MultiRegion: true, MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' } });
      givenSecretBinary(material);
      givenImportParameters();

      // WHEN
      await handler(createEvent(props()));

      // THEN
      expect(importInput().ImportType).toBe('EXISTING_KEY_MATERIAL');
      expect(unwrapDirect(importInput().EncryptedKeyMaterial).equals(material)).toBe(true);
    });
  });

  describe('Update', () => {
    test('a new SecretVersionId re-imports and keeps the physical id', async () => {
      // GIVEN
      const material = randomBytes(32);
      givenSymmetricImport(material, VERSION_2);

      // WHEN
      const response = await handler(updateEvent(
        props({ SecretVersionId: VERSION_2 }),
        props({ SecretVersionId: VERSION_1 }),
      ));

      // THEN
      expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input.VersionId).toBe(VERSION_2);
      expect(unwrapDirect(importInput().EncryptedKeyMaterial).equals(material)).toBe(true);
      expect(response.PhysicalResourceId).toBe(KEY_ARN);
      expect(response.Data?.ImportedVersion).toBe(VERSION_2);
    });

    test('a changed KeyId imports into the new key and returns its physical id', async () => {
      // GIVEN
      const material = randomBytes(32);
      givenKey({ KeyId: OTHER_KEY_ID, Arn: OTHER_KEY_ARN });
      givenSecretBinary(material);
      givenImportParameters();

      // WHEN
      const response = await handler(updateEvent(props({ KeyId: OTHER_KEY_ARN }), props({ KeyId: KEY_ARN })));

      // THEN
      expect(kmsMock.commandCalls(DescribeKeyCommand)[0].args[0].input.KeyId).toBe(OTHER_KEY_ARN);
      expect(kmsMock.commandCalls(GetParametersForImportCommand)[0].args[0].input.KeyId).toBe(OTHER_KEY_ARN);
      expect(importInput().KeyId).toBe(OTHER_KEY_ARN);
      for (const call of kmsMock.calls()) {
        expect(JSON.stringify((call.args[0] as { input: unknown }).input)).not.toContain(KEY_ID);
      }
      expect(unwrapDirect(importInput().EncryptedKeyMaterial).equals(material)).toBe(true);
      expect(response.PhysicalResourceId).toBe(OTHER_KEY_ARN);
    });
  });

  describe('Delete', () => {
    test('calls nothing on KMS or Secrets Manager and returns the physical id', async () => {
      // GIVEN
      givenSymmetricImport(randomBytes(32));

      // WHEN
      const response = await handler(deleteEvent(props()));

      // THEN
      expect(response).toEqual({ PhysicalResourceId: KEY_ARN });
      expect(kmsMock.calls()).toHaveLength(0);
      expect(secretsMock.calls()).toHaveLength(0);
    });

    test('succeeds even when the properties are no longer valid', async () => {
      // WHEN
      const response = await handler(deleteEvent({ KeySpec: 'NOT_A_SPEC' }, 'some-old-physical-id'));

      // THEN
      expect(response).toEqual({ PhysicalResourceId: 'some-old-physical-id' });
      expect(kmsMock.calls()).toHaveLength(0);
    });
  });

  describe('AWS errors', () => {
    test('AccessDenied on GetSecretValue names secretsmanager:GetSecretValue and keeps the cause', async () => {
      // GIVEN
      givenKey();
      const denied = awsError('AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue');
      secretsMock.on(GetSecretValueCommand).rejects(denied);
      givenImportParameters();

      // WHEN
      const err = await captureError(handler(createEvent(props())));

      // THEN
      expect(err.message).toMatch(/^GetSecretValue failed: access denied: .*secretsmanager:GetSecretValue on secret arn:aws:secretsmanager/);
      expect(err.message).toMatch(/kms:Decrypt/);
      expect(err.cause).toBe(denied);
      expect(kmsMock.commandCalls(ImportKeyMaterialCommand)).toHaveLength(0);
    });

    test.each([
      { action: 'DescribeKey', command: DescribeKeyCommand },
      { action: 'GetParametersForImport', command: GetParametersForImportCommand },
      { action: 'ImportKeyMaterial', command: ImportKeyMaterialCommand },
    ])('AccessDenied on $action names kms:$action on the key', async ({ action, command }) => {
      // GIVEN
      givenSymmetricImport(randomBytes(32));
      kmsMock.on(command as typeof DescribeKeyCommand).rejects(awsError('AccessDeniedException', 'denied'));

      // WHEN / THEN
      await expect(handler(createEvent(props())))
        .rejects.toThrow(new RegExp(`^${action} failed: access denied: the handler's role needs kms:${action} on key ${KEY_ARN}`));
    });

    test('a missing secret version is reported as such', async () => {
      // GIVEN
      givenKey();
      secretsMock.on(GetSecretValueCommand).rejects(
        new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value", $metadata: {} }),
      );

      // WHEN / THEN
      await expect(handler(createEvent(props({ SecretVersionId: VERSION_2 }))))
        .rejects.toThrow(`secret ${SECRET_ARN} version ${VERSION_2} was not found`);
    });

    test('IncorrectKeyMaterialException explains that a key accepts only the same material again', async () => {
      // GIVEN
      const material = randomBytes(32);
      givenSymmetricImport(material, VERSION_2);
      const incorrect = new IncorrectKeyMaterialException({ message: 'The key material is incorrect', $metadata: {} });
      kmsMock.on(ImportKeyMaterialCommand).rejects(incorrect);

      // WHEN
      const err = await captureError(handler(createEvent(props({ SecretVersionId: VERSION_2 }))));

      // THEN
      expect(err.message).toMatch(/^ImportKeyMaterial failed: KMS rejected the key material of secret .* version a1b2c3d4-0000-0000-0000-000000000002/);
      expect(err.message).toMatch(/differs from the key material previously imported/);
      expect(err.message).toMatch(/accepts only the same key material again/);
      expect(err.cause).toBe(incorrect);
      expectNoMaterial(everythingAbout(err), material);
    });

    test('ExpiredImportTokenException is retried once with fresh parameters', async () => {
      // GIVEN
      const material = randomBytes(32);
      givenKey();
      givenSecretBinary(material);
      kmsMock.on(GetParametersForImportCommand)
        .resolvesOnce({ KeyId: KEY_ARN, PublicKey: wrapping.publicKeyDer, ImportToken: TOKEN_1 })
        .resolvesOnce({ KeyId: KEY_ARN, PublicKey: wrapping.publicKeyDer, ImportToken: TOKEN_2 });
      kmsMock.on(ImportKeyMaterialCommand)
        .rejectsOnce(new ExpiredImportTokenException({ message: 'The import token is expired', $metadata: {} }))
        .resolves({ KeyId: KEY_ARN });

      // WHEN
      const response = await handler(createEvent(props()));

      // THEN
      expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(2);
      expect(kmsMock.commandCalls(ImportKeyMaterialCommand)).toHaveLength(2);
      expect(Buffer.from(importInput(1).ImportToken!)).toEqual(Buffer.from(TOKEN_2));
      expect(unwrapDirect(importInput(1).EncryptedKeyMaterial).equals(material)).toBe(true);
      expect(response.PhysicalResourceId).toBe(KEY_ARN);
    });

    test('ExpiredImportTokenException twice fails after one retry', async () => {
      // GIVEN
      givenSymmetricImport(randomBytes(32));
      kmsMock.on(ImportKeyMaterialCommand)
        .rejects(new ExpiredImportTokenException({ message: 'The import token is expired', $metadata: {} }));

      // WHEN / THEN
      await expect(handler(createEvent(props()))).rejects.toThrow(/import token for key .* expired again/);
      expect(kmsMock.commandCalls(ImportKeyMaterialCommand)).toHaveLength(2);
    });

    test('ThrottlingException that survives the SDK retries says so', async () => {
      // GIVEN
      givenSymmetricImport(randomBytes(32));
      kmsMock.on(GetParametersForImportCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

      // WHEN / THEN
      await expect(handler(createEvent(props())))
        .rejects.toThrow(/^GetParametersForImport failed: ThrottlingException after 5 attempts/);
    });
  });

  describe('properties', () => {
    test('rejects missing required properties', async () => {
      await expect(handler(createEvent({ SecretArn: SECRET_ARN })))
        .rejects.toThrow('ValidateProperties failed: missing required properties: KeyId, KeySpec');
      expect(kmsMock.calls()).toHaveLength(0);
    });

    test('rejects an unsupported KeySpec', async () => {
      await expect(handler(createEvent(props({ KeySpec: 'SM2' }))))
        .rejects.toThrow(/KeySpec must be one of .*SYMMETRIC_DEFAULT.*, got SM2/);
    });
  });

  describe('logging', () => {
    test('console output names the steps and identifiers but never the material', async () => {
      // GIVEN a successful import from a base64 SecretString
      const material = randomBytes(32);
      givenKey();
      givenSecretString(material.toString('base64'));
      givenImportParameters();

      // WHEN
      await handler(createEvent(props({ SecretVersionId: VERSION_1 })));

      // THEN the logs are there (the spy sees them) ...
      const output = consoleOutput();
      for (const expected of ['DescribeKey', 'GetSecretValue', 'GetParametersForImport', 'ImportKeyMaterial',
        KEY_ARN, SECRET_ARN, VERSION_1, 'SYMMETRIC_DEFAULT']) {
        expect(output).toContain(expected);
      }
      // ... and none of them contains the material, nor the wrapped blob
      expectNoMaterial(output, material);
      expect(output).not.toContain(Buffer.from(importInput().EncryptedKeyMaterial!).toString('base64'));
    });

    test('console output of a failed import never contains the material', async () => {
      // GIVEN material of the wrong length
      const material = randomBytes(48);
      givenKey();
      givenSecretBinary(material);
      givenImportParameters();

      // WHEN
      await expect(handler(createEvent(props()))).rejects.toThrow(/must be exactly 32 bytes, got 48 bytes/);

      // THEN
      expect(consoleOutput()).toContain('ValidateKeyMaterial');
      expectNoMaterial(consoleOutput(), material);
    });
  });
});
