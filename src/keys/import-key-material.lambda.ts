/**
 * Custom resource `onEvent` handler (aws-cdk-lib `custom_resources.Provider`) that imports key
 * material held in a Secrets Manager secret into a KMS key created with Origin EXTERNAL.
 *
 * ResourceProperties (strings, as CloudFormation passes them):
 * - `KeyId` (required): key ARN or key id of the EXTERNAL-origin KMS key.
 * - `SecretArn` (required): the secret holding the material, as SecretBinary (raw bytes) or as
 *   SecretString with the base64 encoding of the raw bytes (whitespace ignored).
 * - `SecretVersionId` (optional): read exactly this version; otherwise AWSCURRENT.
 * - `ValidTo` (optional): ISO-8601 time at which KMS deletes the imported material
 *   (ExpirationModel KEY_MATERIAL_EXPIRES); without it KEY_MATERIAL_DOES_NOT_EXPIRE. Must be in
 *   the future and at most 365 days ahead (the KMS limit).
 * - `KeySpec` (required): the spec the construct declared; DescribeKey must report the same spec
 *   and Origin EXTERNAL.
 *
 * Create and Update: DescribeKey (checks), GetSecretValue, validate the material for the spec,
 * GetParametersForImport (RSA_4096 wrapping key), wrap, ImportKeyMaterial. Symmetric and HMAC
 * material is wrapped with RSAES_OAEP_SHA_256; asymmetric private keys (PKCS#8 DER) with
 * RSA_AES_KEY_WRAP_SHA_256. An ExpiredImportTokenException is retried once with fresh parameters.
 * Every Update re-imports: a new SecretVersionId, a new ValidTo, or a new KeyId (the new key gets
 * the material; CloudFormation then sends a Delete for the old physical id, which does nothing).
 *
 * PhysicalResourceId is the key ARN reported by DescribeKey, so it stays the same for the same key
 * whatever the secret version and however KeyId is spelled: a new secret version never triggers a
 * replacement and therefore never a Delete.
 *
 * Data: `KeyId` (key id), `KeyArn`, `ImportedVersion` (the secret VersionId actually read),
 * `ExpirationModel`, and `ValidTo` (ISO-8601, only when set).
 *
 * Delete does nothing on purpose. It neither deletes the key (the key resource owns that, with
 * its own removal policy and pending window) nor calls DeleteImportedKeyMaterial: removing this
 * resource, replacing it, or a rollback must never make a key unusable or lose ciphertexts
 * protected by it. Material that should stop working expires through `ValidTo`, or is deleted
 * deliberately outside CloudFormation.
 *
 * The key material never leaves this process except wrapped for KMS: it is not logged, not put in
 * error messages, and not returned. Logs carry only step names, key id, secret ARN, version id and
 * key spec. Buffers holding material are zeroed after use (a base64 SecretString is a JS string
 * and cannot be zeroed; SecretBinary avoids that copy).
 *
 * IAM for the handler's role: secretsmanager:GetSecretValue on the secret; kms:Decrypt on the
 * secret's KMS key when that is a customer managed key; kms:DescribeKey, kms:GetParametersForImport
 * and kms:ImportKeyMaterial on the target key. Nothing else.
 */

// The AWS SDK v3 is provided by the Lambda runtime and left external by the bundler; the package
// lists it as a devDependency for types and tests only.
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  type ImportKeyMaterialCommandInput,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
// eslint-disable-next-line import/no-extraneous-dependencies
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  KeyMaterialFormatError,
  MAX_KEY_MATERIAL_VALIDITY_DAYS,
  MAX_KEY_MATERIAL_VALIDITY_MS,
  SUPPORTED_KEY_SPECS,
  WRAPPING_KEY_SPEC,
  decodeBase64Material,
  isSupportedKeySpec,
  validateKeyMaterial,
  wrapKeyMaterial,
  wrappingAlgorithmFor,
} from './private/import-wrapping';
import { errorName, log, stringProp } from '../private/handler-utils';

/** SDK attempts per call, including the first; covers ThrottlingException with backoff. */
const MAX_ATTEMPTS = 5;

const kms = new KMSClient({ maxAttempts: MAX_ATTEMPTS });
const secretsManager = new SecretsManagerClient({ maxAttempts: MAX_ATTEMPTS });

/** Response of an `onEvent` handler of the CDK Provider framework. */
export interface ImportKeyMaterialResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The steps the handler takes, as they appear in logs and error messages. */
type Step =
  | 'ValidateProperties'
  | 'DescribeKey'
  | 'GetSecretValue'
  | 'ValidateKeyMaterial'
  | 'GetParametersForImport'
  | 'WrapKeyMaterial'
  | 'ImportKeyMaterial';

/** Every failure of this handler; the message names the step and never contains key material. */
export class ImportKeyMaterialError extends Error {
  public readonly step: Step;

  constructor(step: Step, message: string, cause?: unknown) {
    super(`${step} failed: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'ImportKeyMaterialError';
    this.step = step;
  }
}

interface ImportProperties {
  readonly keyId: string;
  readonly secretArn: string;
  readonly secretVersionId?: string;
  readonly validTo?: Date;
  readonly keySpec: string;
}

interface SecretMaterial {
  readonly material: Buffer;
  readonly versionId: string;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<ImportKeyMaterialResponse> {
  if (event.RequestType === 'Delete') {
    // Intentionally a no-op: see the header comment. Neither the key nor its material is removed.
    log('Delete', { physicalResourceId: event.PhysicalResourceId, action: 'none (key material is kept)' });
    return { PhysicalResourceId: event.PhysicalResourceId };
  }

  const props = parseProperties(event.ResourceProperties);
  if (event.RequestType === 'Update') {
    const oldKeyId = stringProp(event.OldResourceProperties, 'KeyId');
    log('Update', {
      keyId: props.keyId,
      previousKeyId: oldKeyId,
      keyChanged: oldKeyId !== props.keyId,
      previousSecretVersionId: stringProp(event.OldResourceProperties, 'SecretVersionId'),
    });
  }

  const metadata = await describeKey(props);
  const secret = await readSecret(props);
  try {
    validate(props, secret);
    await importMaterial(props, metadata, secret);
  } finally {
    secret.material.fill(0);
  }

  const expirationModel = props.validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  const data: Record<string, string> = {
    KeyId: metadata.KeyId ?? props.keyId,
    KeyArn: metadata.Arn ?? props.keyId,
    ImportedVersion: secret.versionId,
    ExpirationModel: expirationModel,
  };
  if (props.validTo) {
    data.ValidTo = props.validTo.toISOString();
  }
  log('Done', { keyId: props.keyId, secretArn: props.secretArn, versionId: secret.versionId, keySpec: props.keySpec });
  return { PhysicalResourceId: metadata.Arn ?? props.keyId, Data: data };
}

function parseProperties(raw: Record<string, unknown>): ImportProperties {
  const keyId = stringProp(raw, 'KeyId');
  const secretArn = stringProp(raw, 'SecretArn');
  const keySpec = stringProp(raw, 'KeySpec');
  const secretVersionId = stringProp(raw, 'SecretVersionId');
  const validToText = stringProp(raw, 'ValidTo');

  const missing = [['KeyId', keyId], ['SecretArn', secretArn], ['KeySpec', keySpec]]
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length > 0 || !keyId || !secretArn || !keySpec) {
    throw new ImportKeyMaterialError('ValidateProperties', `missing required properties: ${missing.join(', ')}`);
  }
  if (!isSupportedKeySpec(keySpec)) {
    throw new ImportKeyMaterialError(
      'ValidateProperties',
      `KeySpec must be one of ${SUPPORTED_KEY_SPECS.join(', ')}, got ${keySpec}`,
    );
  }
  return {
    keyId,
    secretArn,
    keySpec,
    secretVersionId,
    validTo: validToText === undefined ? undefined : parseValidTo(validToText),
  };
}

/** An ISO-8601 date or date-time, in the future and no more than MAX_KEY_MATERIAL_VALIDITY_DAYS ahead. */
function parseValidTo(text: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  const time = iso.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time)) {
    throw new ImportKeyMaterialError(
      'ValidateProperties',
      `ValidTo must be an ISO-8601 timestamp such as 2030-01-31T00:00:00Z, got ${text}`,
    );
  }
  const now = Date.now();
  if (time <= now) {
    throw new ImportKeyMaterialError(
      'ValidateProperties',
      `ValidTo must be in the future, got ${text} (now is ${new Date(now).toISOString()}); `
      + 'set a later ValidTo, or remove it for key material that does not expire',
    );
  }
  if (time - now > MAX_KEY_MATERIAL_VALIDITY_MS) {
    throw new ImportKeyMaterialError(
      'ValidateProperties',
      `ValidTo must be at most ${MAX_KEY_MATERIAL_VALIDITY_DAYS} days from now (a KMS limit), got ${text}`,
    );
  }
  return new Date(time);
}

async function describeKey(props: ImportProperties): Promise<KeyMetadata> {
  log('DescribeKey', { keyId: props.keyId, keySpec: props.keySpec });
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await kms.send(new DescribeKeyCommand({ KeyId: props.keyId }))).KeyMetadata;
  } catch (err) {
    throw awsError('DescribeKey', err, props);
  }
  if (!metadata) {
    throw new ImportKeyMaterialError('DescribeKey', `no metadata returned for key ${props.keyId}`);
  }
  if (metadata.Origin !== 'EXTERNAL') {
    throw new ImportKeyMaterialError(
      'DescribeKey',
      `key ${props.keyId} must have Origin EXTERNAL to accept imported key material, got ${metadata.Origin}; `
      + 'create the key with origin EXTERNAL (the origin of an existing key cannot change)',
    );
  }
  if (metadata.KeySpec !== props.keySpec) {
    throw new ImportKeyMaterialError(
      'DescribeKey',
      `key ${props.keyId} has KeySpec ${metadata.KeySpec}, but KeySpec ${props.keySpec} was declared`,
    );
  }
  if (metadata.KeyState === 'PendingDeletion' || metadata.KeyState === 'PendingReplicaDeletion') {
    throw new ImportKeyMaterialError(
      'DescribeKey',
      `key ${props.keyId} is in state ${metadata.KeyState}; cancel the key deletion before importing key material`,
    );
  }
  return metadata;
}

async function readSecret(props: ImportProperties): Promise<SecretMaterial> {
  log('GetSecretValue', { secretArn: props.secretArn, versionId: props.secretVersionId ?? 'AWSCURRENT' });
  let response;
  try {
    response = await secretsManager.send(new GetSecretValueCommand(
      props.secretVersionId
        ? { SecretId: props.secretArn, VersionId: props.secretVersionId }
        : { SecretId: props.secretArn, VersionStage: 'AWSCURRENT' },
    ));
  } catch (err) {
    throw awsError('GetSecretValue', err, props);
  }
  const versionId = response.VersionId ?? props.secretVersionId ?? 'unknown';
  const where = `secret ${props.secretArn} version ${versionId}`;
  let material: Buffer;
  if (response.SecretBinary !== undefined && response.SecretBinary.length > 0) {
    const bytes = response.SecretBinary;
    // A view, not a copy, so that zeroing it clears the SDK's bytes too.
    material = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } else if (response.SecretString !== undefined) {
    try {
      material = decodeBase64Material(response.SecretString);
    } catch (err) {
      throw new ImportKeyMaterialError('GetSecretValue', `${where}: ${(err as Error).message}`);
    }
  } else {
    throw new ImportKeyMaterialError('GetSecretValue', `${where} has neither SecretBinary nor SecretString`);
  }
  log('GetSecretValue', { secretArn: props.secretArn, versionId, bytes: material.length });
  return { material, versionId };
}

function validate(props: ImportProperties, secret: SecretMaterial): void {
  log('ValidateKeyMaterial', { keySpec: props.keySpec, versionId: secret.versionId });
  try {
    validateKeyMaterial(props.keySpec, secret.material);
  } catch (err) {
    const reason = err instanceof KeyMaterialFormatError ? err.message : 'key material could not be validated';
    throw new ImportKeyMaterialError(
      'ValidateKeyMaterial',
      `${reason} (secret ${props.secretArn} version ${secret.versionId})`,
    );
  }
}

/** GetParametersForImport, wrap, ImportKeyMaterial; once more if the import token expired. */
async function importMaterial(props: ImportProperties, metadata: KeyMetadata, secret: SecretMaterial): Promise<void> {
  const wrappingAlgorithm = wrappingAlgorithmFor(props.keySpec);
  for (let attempt = 1; ; attempt++) {
    log('GetParametersForImport', {
      keyId: props.keyId, keySpec: props.keySpec, wrappingAlgorithm, wrappingKeySpec: WRAPPING_KEY_SPEC, attempt,
    });
    let parameters;
    try {
      parameters = await kms.send(new GetParametersForImportCommand({
        KeyId: props.keyId,
        WrappingAlgorithm: wrappingAlgorithm as 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_256',
        WrappingKeySpec: WRAPPING_KEY_SPEC,
      }));
    } catch (err) {
      throw awsError('GetParametersForImport', err, props);
    }
    if (!parameters.PublicKey || !parameters.ImportToken) {
      throw new ImportKeyMaterialError(
        'GetParametersForImport',
        `no PublicKey or ImportToken returned for key ${props.keyId}`,
      );
    }

    log('WrapKeyMaterial', { keyId: props.keyId, wrappingAlgorithm });
    let encrypted: Buffer;
    try {
      encrypted = wrapKeyMaterial(wrappingAlgorithm, parameters.PublicKey, secret.material);
    } catch (err) {
      const reason = err instanceof KeyMaterialFormatError ? err.message : (err as Error).name;
      throw new ImportKeyMaterialError('WrapKeyMaterial', `could not wrap the key material: ${reason}`);
    }

    const input: ImportKeyMaterialCommandInput = {
      KeyId: props.keyId,
      ImportToken: parameters.ImportToken,
      EncryptedKeyMaterial: encrypted,
      ...(props.validTo
        ? { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: props.validTo }
        : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
      // A symmetric replica of a multi-Region key takes the primary's material, which KMS calls
      // EXISTING_KEY_MATERIAL. Elsewhere the default applies: NEW for the first import, EXISTING
      // afterwards. This handler never rotates to new material (NEW_KEY_MATERIAL on a key that has
      // material already).
      ...(isSymmetricReplica(metadata) ? { ImportType: 'EXISTING_KEY_MATERIAL' } : {}),
    };
    log('ImportKeyMaterial', {
      keyId: props.keyId,
      keySpec: props.keySpec,
      versionId: secret.versionId,
      expirationModel: input.ExpirationModel,
      validTo: props.validTo?.toISOString(),
      importType: input.ImportType ?? 'default',
      attempt,
    });
    try {
      await kms.send(new ImportKeyMaterialCommand(input));
      return;
    } catch (err) {
      if (errorName(err) === 'ExpiredImportTokenException' && attempt === 1) {
        log('ImportKeyMaterial', { keyId: props.keyId, retry: 'import token expired, fetching fresh parameters' });
        continue;
      }
      throw awsError('ImportKeyMaterial', err, props, secret.versionId);
    }
  }
}

function isSymmetricReplica(metadata: KeyMetadata): boolean {
  return metadata.KeySpec === 'SYMMETRIC_DEFAULT'
    && metadata.MultiRegion === true
    && metadata.MultiRegionConfiguration?.MultiRegionKeyType === 'REPLICA';
}

/** Turn an AWS SDK error into a message that says what to do; the SDK error stays as `cause`. */
function awsError(step: Step, err: unknown, props: ImportProperties, versionId?: string): ImportKeyMaterialError {
  const name = errorName(err);
  const awsMessage = err instanceof Error ? err.message : String(err);
  const key = `key ${props.keyId}`;
  const secret = `secret ${props.secretArn}${props.secretVersionId ? ` version ${props.secretVersionId}` : ''}`;
  let message: string;
  switch (name) {
    case 'AccessDeniedException':
      message = step === 'GetSecretValue'
        ? `access denied: the handler's role needs secretsmanager:GetSecretValue on ${secret}, and kms:Decrypt `
          + 'on the KMS key that encrypts the secret if that is a customer managed key'
        : `access denied: the handler's role needs kms:${step} on ${key} (allowed by the key policy, or by `
          + 'an IAM policy where the key policy delegates to IAM)';
      break;
    case 'DecryptionFailure':
      message = `Secrets Manager could not decrypt ${secret}: the handler's role needs kms:Decrypt on the KMS key `
        + 'that encrypts the secret';
      break;
    case 'ResourceNotFoundException':
      message = `${secret} was not found (check SecretArn, SecretVersionId and the Region)`;
      break;
    case 'NotFoundException':
      message = `${key} was not found (check KeyId and the Region)`;
      break;
    case 'IncorrectKeyMaterialException':
      message = `KMS rejected the key material of secret ${props.secretArn} version ${versionId ?? 'unknown'} for `
        + `${key}: it differs from the key material previously imported into this key. A KMS key accepts only the `
        + 'same key material again, never different material; point SecretVersionId back to the version that was '
        + 'imported first, or create a new KMS key for the new material';
      break;
    case 'ExpiredImportTokenException':
      message = `the import token for ${key} expired again after fetching fresh parameters; retry the deployment`;
      break;
    case 'InvalidImportTokenException':
      message = `KMS did not accept the import token for ${key}; retry the deployment`;
      break;
    case 'InvalidCiphertextException':
      message = `KMS could not unwrap the key material for ${key}; check that the material matches the key spec `
        + `${props.keySpec}`;
      break;
    case 'KMSInvalidStateException':
      message = `${key} is not in a state that allows ${step}: ${awsMessage}`;
      break;
    case 'UnsupportedOperationException':
      message = `KMS does not support ${step} for ${key} (keys in custom key stores cannot import material, and `
        + `China Regions do not support every wrapping algorithm): ${awsMessage}`;
      break;
    case 'ThrottlingException':
    case 'TooManyRequestsException':
    case 'LimitExceededException':
    case 'KMSInternalException':
    case 'InternalServiceError':
      message = `${name} after ${MAX_ATTEMPTS} attempts; retry the deployment later: ${awsMessage}`;
      break;
    case 'InvalidParameterException':
    case 'InvalidRequestException':
    case 'ValidationException':
    case 'InvalidArnException':
    case 'InvalidKeyUsageException':
      message = `invalid request for ${step === 'GetSecretValue' ? secret : key}: ${name}: ${awsMessage}`;
      break;
    default:
      message = `${name}: ${awsMessage}`;
  }
  return new ImportKeyMaterialError(step, message, err);
}
