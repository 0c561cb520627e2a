/**
 * Custom resource `onEvent` handler (aws-cdk-lib `custom_resources.Provider`) that creates an SSM
 * SecureString parameter encrypted under a customer managed KMS key. CloudFormation cannot create
 * SecureString parameters, and the value must never appear in the template, in the Lambda
 * environment or in logs: the handler obtains it at deploy time from one of three sources.
 *
 * ResourceProperties (strings, as CloudFormation passes them, unless noted):
 * - `Name` (required): the parameter name, validated as SSM does (a-zA-Z0-9_.-/, a leading / in a
 *   hierarchy, at most 15 levels, at most 1011 characters with the ARN prefix, not starting with
 *   aws or ssm in any case).
 * - `KeyId` (required): the customer managed key SSM encrypts the value with (key ARN preferred).
 * - `Tier` (optional): `Standard` (default, values up to 4096 bytes) or `Advanced` (8192 bytes).
 * - `Description` (optional): up to 1024 characters.
 * - `Tags` (optional): an object of tag key to value, or its JSON text; at most 48 (SSM's 50 less the
 *   two ownership tags), none with a key starting with `cdk-kms-patterns:`.
 * - `RemovalPolicy` (optional): `retain` (default) or `destroy`.
 * - `OwnershipTags` (optional): `true` once the parameter carries its ownership tags (the construct
 *   always sends it). An Update whose old properties lack it adds the ownership tags to a parameter
 *   created by an earlier version of this handler.
 * - `Source` (required, an object with string leaves):
 *   - `{ Type: 'generate', Length: '1'..'4096', Characters?: '<alphabet>' }`: random characters drawn
 *     without modulo bias from KMS GenerateRandom bytes (default alphabet: letters and digits).
 *   - `{ Type: 'ciphertext', CiphertextBlob: '<base64>', EncryptionContext?: {...}, KeyId?: '<key>' }`:
 *     a ciphertext made offline with `aws kms encrypt`, decrypted with KMS Decrypt at deploy time, so
 *     that encrypted secrets can live in code. Decrypt names `Source.KeyId`, else the parameter's KeyId.
 *   - `{ Type: 'secret', SecretArn: '<arn>', JsonField?: '<field>', VersionId? | VersionStage? }`:
 *     the SecretString of a Secrets Manager secret, or one field of it when it holds a JSON object.
 *
 * Ownership: every parameter this resource creates carries two tags, `cdk-kms-patterns:stack-id` (the
 * event's StackId) and `cdk-kms-patterns:logical-id` (its LogicalResourceId). They let the handler
 * tell its own parameters from others, and let its IAM policy reach the parameters it had under
 * earlier names (`aws:ResourceTag`), which the policy of the current template no longer lists.
 *
 * Create: obtain the value, check it against the tier limit (in UTF-8 bytes), PutParameter with Type
 * SecureString, KeyId, Tier, Description, Tags (with the ownership tags) and Overwrite false. When
 * the name is taken (ParameterAlreadyExists), ListTagsForResource: a parameter carrying this
 * resource's ownership tags is its own (a create retried after its PutParameter succeeded, or a
 * rollback to a previous name whose parameter was kept) and is overwritten, its tags made the
 * requested ones; any other parameter is an error: this resource never overwrites a parameter it
 * did not create.
 *
 * PhysicalResourceId is the parameter Name. Data: `Name`, `Version` (the parameter version, as a
 * string) and `Tier`. Never the value.
 *
 * Update:
 * - Name changed: a new parameter is created as on Create (an existing one of this resource is
 *   overwritten). Its value is copied from the old parameter (GetParameter WithDecryption) unless
 *   Source changed too, or the old parameter is gone; then it comes from Source. CloudFormation then
 *   deletes the old physical id, following the old RemovalPolicy. When the stack update fails after
 *   that, CloudFormation's rollback sends an Update back to the old Name, whose parameter was kept:
 *   it carries this resource's ownership tags, so it is overwritten with the value of the new one
 *   (the same value, unless Source changed too) instead of failing the rollback.
 * - Source changed (compared as canonical JSON): the value is obtained again, PutParameter Overwrite.
 * - Only KeyId, Tier or Description changed: GetParameter WithDecryption and PutParameter Overwrite
 *   with the same value, so a generated value is never regenerated. Advanced cannot go back to
 *   Standard (SSM forbids it): change Name to get a new Standard parameter.
 * - Tags: AddTagsToResource for new or changed tags, RemoveTagsFromResource for removed keys.
 * - A parameter deleted out of band is created again from Source.
 *
 * Delete: with RemovalPolicy `destroy`, DeleteParameter (a parameter already gone is fine); with
 * `retain`, or anything else, nothing. Nothing either when the physical id is not the `Name` property
 * (a placeholder id of a failed create): the handler deletes only the parameter it created.
 *
 * The value is never logged, never put in an error message or Data, and an AWS error message that
 * quotes it (from PutParameter) is redacted, in the thrown error and in its `cause`. Logs carry only
 * step names, parameter names, key ids, the tier, the source type, secret ARNs and field names.
 *
 * IAM for the handler's role (parameter ARN: arn:<partition>:ssm:<region>:<account>:parameter/<name
 * without its leading slash>):
 * - ssm:PutParameter, ssm:GetParameter, ssm:AddTagsToResource, ssm:RemoveTagsFromResource,
 *   ssm:ListTagsForResource on the parameter; ssm:DeleteParameter on it only with RemovalPolicy
 *   destroy. The same on every parameter carrying this resource's ownership tags (parameters it had
 *   under earlier names: a rename copies from the old one, a rollback writes it again).
 * - On KeyId (key policy, or IAM where the key policy delegates to IAM): kms:Encrypt for Standard,
 *   kms:GenerateDataKey for Advanced, kms:Decrypt (updates read the value back). SSM calls KMS with
 *   the role's credentials, with encryption context PARAMETER_ARN=<parameter ARN>.
 * - generate: kms:GenerateRandom, which has no resource (Resource "*").
 * - ciphertext: kms:Decrypt on the key that encrypted the blob.
 * - secret: secretsmanager:GetSecretValue on the secret, and kms:Decrypt on its key when that is a
 *   customer managed key.
 */

import { TextDecoder } from 'node:util';
// The AWS SDK v3 is provided by the Lambda runtime and left external by the bundler; the package
// lists it as a devDependency for types and tests only.
// eslint-disable-next-line import/no-extraneous-dependencies
import { DecryptCommand, GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
// eslint-disable-next-line import/no-extraneous-dependencies
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  type PutParameterCommandInput,
  type Tag as SsmTag,
} from '@aws-sdk/client-ssm';
import type {
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import {
  ParameterPropertyError,
  type CiphertextSource,
  type Owner,
  type SecretSource,
  type Tier,
  type ValueSource,
  TIER_VALUE_LIMIT_BYTES,
  canonicalSource,
  checkValueSize,
  diffTags,
  extractJsonField,
  generateRandomString,
  notOwnedBecause,
  ownerTags,
  parameterArn,
  parseSource,
  parseTags,
  parseTier,
  toTagList,
  userTagsOf,
  validateDescription,
  validateKeyId,
  validateParameterName,
} from './private/secure-string-values';
import { errorName, log, stringProp } from '../private/handler-utils';

/** SDK attempts per call, including the first; covers ThrottlingException with backoff. */
const MAX_ATTEMPTS = 5;
/** Values shorter than this are not redacted from AWS messages (they would mangle the text). */
const MIN_REDACTED_LENGTH = 4;

const kms = new KMSClient({ maxAttempts: MAX_ATTEMPTS });
const ssm = new SSMClient({ maxAttempts: MAX_ATTEMPTS });
const secretsManager = new SecretsManagerClient({ maxAttempts: MAX_ATTEMPTS });

/** Response of an `onEvent` handler of the CDK Provider framework. */
export interface SecureStringParameterResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The steps the handler takes, as they appear in logs and error messages. */
type Step =
  | 'ValidateProperties'
  | 'GenerateRandom'
  | 'Decrypt'
  | 'GetSecretValue'
  | 'CheckValue'
  | 'GetParameter'
  | 'ListTagsForResource'
  | 'PutParameter'
  | 'AddTagsToResource'
  | 'RemoveTagsFromResource'
  | 'DeleteParameter';

/** Every failure of this handler; the message names the step and never contains the value. */
export class SecureStringParameterError extends Error {
  public readonly step: Step;

  constructor(step: Step, message: string, cause?: unknown) {
    super(`${step} failed: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'SecureStringParameterError';
    this.step = step;
  }
}

type RemovalPolicy = 'retain' | 'destroy';

interface ParameterProperties {
  readonly name: string;
  readonly keyId: string;
  readonly tier: Tier;
  readonly description?: string;
  readonly tags: Record<string, string>;
  readonly removalPolicy: RemovalPolicy;
  readonly source: ValueSource;
}

/** Where the parameters live: `arn:<partition>:ssm:<region>:<account>:parameter/`, when known. */
interface Location {
  readonly arnPrefix?: string;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<SecureStringParameterResponse> {
  const location = locationOf(event.StackId);
  const owner: Owner = { stackId: event.StackId, logicalResourceId: event.LogicalResourceId };
  switch (event.RequestType) {
    case 'Create': {
      const props = parseProperties(event.ResourceProperties, location);
      log('Create', describe(props));
      return createParameter(props, location, owner);
    }
    case 'Update':
      return update(event, location, owner);
    case 'Delete':
      return remove(event.PhysicalResourceId, event.ResourceProperties, location);
  }
}

// ---------------------------------------------------------------------------------------------
// Create, Update, Delete
// ---------------------------------------------------------------------------------------------

async function createParameter(
  props: ParameterProperties,
  location: Location,
  owner: Owner,
  copiedValue?: string,
): Promise<SecureStringParameterResponse> {
  const value = copiedValue ?? await obtainValue(props);
  checkValue(value, props);
  let version: string;
  try {
    version = await putParameter(props, value, false, location, { ...props.tags, ...ownerTags(owner) });
  } catch (err) {
    if (!(err instanceof SecureStringParameterError) || errorName(err.cause) !== 'ParameterAlreadyExists') {
      throw err;
    }
    version = await overwriteOwnParameter(props, value, location, owner, err);
  }
  logDone('Create', props, version);
  return response(props, version);
}

/**
 * The name is taken. When the parameter carries this resource's ownership tags it is this resource's
 * own (a create retried after its PutParameter succeeded, or a rollback to a name this resource had
 * before, whose parameter was kept): overwrite it and make its tags the requested ones. Anything
 * else is refused: this resource never overwrites a parameter it did not create.
 */
async function overwriteOwnParameter(
  props: ParameterProperties,
  value: string,
  location: Location,
  owner: Owner,
  exists: SecureStringParameterError,
): Promise<string> {
  const tags = await listTags(props.name, location);
  const reason = notOwnedBecause(tags, owner);
  if (reason !== undefined) {
    throw new SecureStringParameterError(
      'PutParameter',
      `a parameter named ${props.name} already exists and ${reason}; choose another name or delete it first — `
      + 'this resource never overwrites a parameter it did not create',
      exists.cause,
    );
  }
  log('PutParameter', {
    name: props.name,
    note: 'the parameter exists and carries this resource\'s ownership tags (a retried create, or a rollback to a '
      + 'previous name): overwriting it',
  });
  const version = await putParameter(props, value, true, location);
  await updateTags(props.name, userTagsOf(tags), props.tags, location);
  return version;
}

async function update(
  event: CloudFormationCustomResourceUpdateEvent,
  location: Location,
  owner: Owner,
): Promise<SecureStringParameterResponse> {
  const props = parseProperties(event.ResourceProperties, location);
  const old = event.OldResourceProperties;
  const oldName = event.PhysicalResourceId;
  const newSource = canonicalSource(event.ResourceProperties.Source);
  const sourceChanged = newSource === undefined || newSource !== canonicalSource(old.Source);
  const changes = {
    nameChanged: props.name !== oldName,
    sourceChanged,
    keyChanged: stringProp(old, 'KeyId') !== props.keyId,
    tierChanged: tierOf(old) !== props.tier,
    descriptionChanged: stringProp(old, 'Description') !== props.description,
  };
  log('Update', { ...describe(props), previousName: oldName, ...changes });

  if (changes.nameChanged) {
    // A new parameter; CloudFormation deletes the old one afterwards according to its RemovalPolicy.
    const copied = sourceChanged ? undefined : await readValue(oldName, location, true);
    if (!sourceChanged && copied === undefined) {
      log('Update', { name: oldName, note: `parameter ${oldName} is gone; the new parameter takes its value from Source` });
    }
    return createParameter(props, location, owner, copied);
  }

  if (tierOf(old) === 'Advanced' && props.tier === 'Standard') {
    throw new SecureStringParameterError(
      'ValidateProperties',
      `Tier of parameter ${props.name} cannot change from Advanced to Standard: SSM cannot turn an advanced parameter `
      + 'back into a standard one; change Name as well to create a new Standard parameter',
    );
  }

  let version: string;
  if (changes.sourceChanged) {
    const value = await obtainValue(props);
    checkValue(value, props);
    version = await putParameter(props, value, true, location);
  } else if (changes.keyChanged || changes.tierChanged || changes.descriptionChanged) {
    // Same value, re-encrypted or re-described: read it back instead of obtaining (or generating) it again.
    const existing = await readValue(props.name, location, true);
    if (existing === undefined) {
      return recreateMissing(props, location, owner);
    }
    checkValue(existing, props);
    version = await putParameter(props, existing, true, location);
  } else {
    const current = await currentVersion(props.name, location);
    if (current === undefined) {
      return recreateMissing(props, location, owner);
    }
    version = current;
  }

  // The ownership tags are set at creation. A parameter whose old properties lack OwnershipTags was
  // created by an earlier version of this handler, without them: it gets them now.
  const ownership = ownerTags(owner);
  const hadOwnership = stringProp(old, 'OwnershipTags') === 'true';
  await updateTags(props.name, { ...tagsOf(old), ...(hadOwnership ? ownership : {}) }, { ...props.tags, ...ownership }, location);
  logDone('Update', props, version);
  return response(props, version);
}

/** The parameter was deleted outside CloudFormation: create it again from Source. */
async function recreateMissing(props: ParameterProperties, location: Location, owner: Owner): Promise<SecureStringParameterResponse> {
  log('Update', { name: props.name, note: 'the parameter no longer exists; creating it again from Source' });
  return createParameter(props, location, owner);
}

async function remove(
  physicalId: string,
  raw: Record<string, unknown>,
  location: Location,
): Promise<SecureStringParameterResponse> {
  const result = { PhysicalResourceId: physicalId };
  const name = stringProp(raw, 'Name');
  if (name === undefined || physicalId !== name) {
    log('Delete', {
      physicalResourceId: physicalId,
      name: name ?? 'none',
      action: 'none: the physical id is not the name of a parameter this resource created (for example a failed create)',
    });
    return result;
  }
  const removalPolicy = stringProp(raw, 'RemovalPolicy') ?? 'retain';
  if (removalPolicy !== 'destroy') {
    log('Delete', { name, removalPolicy, action: 'none: the parameter is retained' });
    return result;
  }
  log('DeleteParameter', { name });
  try {
    await ssm.send(new DeleteParameterCommand({ Name: name }));
  } catch (err) {
    if (errorName(err) !== 'ParameterNotFound') {
      throw awsError('DeleteParameter', err, { name, location });
    }
    log('DeleteParameter', { name, note: 'the parameter was already gone' });
  }
  return result;
}

function response(props: ParameterProperties, version: string): SecureStringParameterResponse {
  return { PhysicalResourceId: props.name, Data: { Name: props.name, Version: version, Tier: props.tier } };
}

// ---------------------------------------------------------------------------------------------
// The value: from a source, or read back from the parameter
// ---------------------------------------------------------------------------------------------

async function obtainValue(props: ParameterProperties): Promise<string> {
  const source = props.source;
  switch (source.type) {
    case 'generate':
      return generateValue(source.length, source.characters);
    case 'ciphertext':
      return decryptValue(source, props.keyId);
    case 'secret':
      return secretValue(source);
  }
}

async function generateValue(length: number, characters: readonly string[]): Promise<string> {
  log('GenerateRandom', { length, alphabetSize: characters.length });
  let calls = 0;
  const value = await generateRandomString(length, characters, async (count) => {
    calls++;
    try {
      const result = await kms.send(new GenerateRandomCommand({ NumberOfBytes: count }));
      if (!result.Plaintext || result.Plaintext.length === 0) {
        throw new SecureStringParameterError('GenerateRandom', 'KMS returned no random bytes');
      }
      return result.Plaintext;
    } catch (err) {
      if (err instanceof SecureStringParameterError) {
        throw err;
      }
      throw awsError('GenerateRandom', err, {});
    }
  });
  log('GenerateRandom', { length, calls });
  return value;
}

async function decryptValue(source: CiphertextSource, parameterKeyId: string): Promise<string> {
  const keyId = source.keyId ?? parameterKeyId;
  log('Decrypt', {
    keyId,
    ciphertextBytes: source.ciphertextBlob.length,
    encryptionContextKeys: Object.keys(source.encryptionContext ?? {}),
  });
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = (await kms.send(new DecryptCommand({
      CiphertextBlob: source.ciphertextBlob,
      KeyId: keyId,
      ...(source.encryptionContext ? { EncryptionContext: source.encryptionContext } : {}),
    }))).Plaintext;
  } catch (err) {
    throw awsError('Decrypt', err, { keyId, encryptionContext: source.encryptionContext !== undefined });
  }
  if (!plaintext || plaintext.length === 0) {
    throw new SecureStringParameterError('Decrypt', `KMS returned no plaintext for Source.CiphertextBlob (key ${keyId})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch {
    throw new SecureStringParameterError(
      'Decrypt',
      `the plaintext of Source.CiphertextBlob is not UTF-8 text; encrypt the text of the value (key ${keyId})`,
    );
  } finally {
    plaintext.fill(0);
  }
}

async function secretValue(source: SecretSource): Promise<string> {
  const version = source.versionId ? `version ${source.versionId}` : `stage ${source.versionStage ?? 'AWSCURRENT'}`;
  const where = `secret ${source.secretArn} (${version})`;
  log('GetSecretValue', { secretArn: source.secretArn, version, jsonField: source.jsonField });
  let secret;
  try {
    secret = await secretsManager.send(new GetSecretValueCommand({
      SecretId: source.secretArn,
      ...(source.versionId ? { VersionId: source.versionId } : {}),
      ...(source.versionStage ? { VersionStage: source.versionStage } : {}),
    }));
  } catch (err) {
    throw awsError('GetSecretValue', err, { where });
  }
  if (secret.SecretString === undefined) {
    throw new SecureStringParameterError(
      'GetSecretValue',
      `${where} holds SecretBinary, not SecretString; only text secrets can become SecureString parameters`,
    );
  }
  if (source.jsonField === undefined) {
    return secret.SecretString;
  }
  try {
    return extractJsonField(secret.SecretString, source.jsonField, where);
  } catch (err) {
    throw new SecureStringParameterError('GetSecretValue', (err as Error).message);
  }
}

/** The decrypted value of an existing parameter, or `undefined` when it does not exist and `missingOk`. */
async function readValue(name: string, location: Location, missingOk: boolean): Promise<string | undefined> {
  log('GetParameter', { name, withDecryption: true });
  try {
    const result = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = result.Parameter?.Value;
    if (value === undefined) {
      throw new SecureStringParameterError('GetParameter', `SSM returned no value for parameter ${name}`);
    }
    return value;
  } catch (err) {
    if (err instanceof SecureStringParameterError) {
      throw err;
    }
    if (missingOk && errorName(err) === 'ParameterNotFound') {
      return undefined;
    }
    throw awsError('GetParameter', err, { name, location, decrypt: true });
  }
}

/** The current version of a parameter without decrypting it, or `undefined` when it does not exist. */
async function currentVersion(name: string, location: Location): Promise<string | undefined> {
  log('GetParameter', { name, withDecryption: false });
  try {
    const result = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: false }));
    return String(result.Parameter?.Version ?? 'unknown');
  } catch (err) {
    if (errorName(err) === 'ParameterNotFound') {
      return undefined;
    }
    throw awsError('GetParameter', err, { name, location });
  }
}

function checkValue(value: string, props: ParameterProperties): void {
  try {
    checkValueSize(value, props.tier);
  } catch (err) {
    throw new SecureStringParameterError('CheckValue', `parameter ${props.name}: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// SSM writes
// ---------------------------------------------------------------------------------------------

/**
 * PutParameter. A new parameter (`overwrite` false) gets `createTags`: SSM accepts Tags only when
 * creating; updates go through Add/RemoveTagsFromResource.
 */
async function putParameter(
  props: ParameterProperties,
  value: string,
  overwrite: boolean,
  location: Location,
  createTags: Record<string, string> = {},
): Promise<string> {
  const tags = overwrite ? [] : toTagList(createTags);
  const input: PutParameterCommandInput = {
    Name: props.name,
    Value: value,
    Type: 'SecureString',
    KeyId: props.keyId,
    Tier: props.tier,
    Overwrite: overwrite,
    // On overwrite an empty description clears one that was removed from the properties.
    ...(overwrite ? { Description: props.description ?? '' } : props.description ? { Description: props.description } : {}),
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
  log('PutParameter', {
    name: props.name,
    keyId: props.keyId,
    tier: props.tier,
    overwrite,
    tagKeys: overwrite ? undefined : tags.map((tag) => tag.Key),
  });
  try {
    const result = await ssm.send(new PutParameterCommand(input));
    return String(result.Version ?? 'unknown');
  } catch (err) {
    throw awsError('PutParameter', err, {
      name: props.name,
      location,
      keyId: props.keyId,
      tier: props.tier,
      tagged: tags.length > 0,
      secret: value,
    });
  }
}

async function updateTags(
  name: string,
  before: Record<string, string>,
  after: Record<string, string>,
  location: Location,
): Promise<void> {
  const { add, remove: removeKeys } = diffTags(before, after);
  if (add.length > 0) {
    log('AddTagsToResource', { name, tagKeys: add.map((tag) => tag.Key) });
    try {
      await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: add }));
    } catch (err) {
      throw awsError('AddTagsToResource', err, { name, location });
    }
  }
  if (removeKeys.length > 0) {
    log('RemoveTagsFromResource', { name, tagKeys: removeKeys });
    try {
      await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: removeKeys }));
    } catch (err) {
      throw awsError('RemoveTagsFromResource', err, { name, location });
    }
  }
}

/** The tags of an existing parameter. */
async function listTags(name: string, location: Location): Promise<SsmTag[]> {
  log('ListTagsForResource', { name });
  try {
    const result = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
    return result.TagList ?? [];
  } catch (err) {
    throw awsError('ListTagsForResource', err, { name, location });
  }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

function parseProperties(raw: Record<string, unknown>, location: Location): ParameterProperties {
  const name = stringProp(raw, 'Name');
  const keyId = stringProp(raw, 'KeyId');
  const missing = [['Name', name], ['KeyId', keyId], ['Source', raw.Source]]
    .filter(([, value]) => value === undefined || value === null || value === '')
    .map(([property]) => property);
  if (missing.length > 0 || name === undefined || keyId === undefined) {
    throw new SecureStringParameterError('ValidateProperties', `missing required properties: ${missing.join(', ')}`);
  }
  try {
    const removalPolicy = stringProp(raw, 'RemovalPolicy') ?? 'retain';
    if (removalPolicy !== 'retain' && removalPolicy !== 'destroy') {
      throw new ParameterPropertyError(`RemovalPolicy must be retain or destroy, got ${removalPolicy}`);
    }
    return {
      name: validateParameterName(name, location.arnPrefix),
      keyId: validateKeyId(keyId),
      tier: parseTier(stringProp(raw, 'Tier')),
      description: validateDescription(stringProp(raw, 'Description')),
      tags: parseTags(raw.Tags),
      removalPolicy,
      source: parseSource(raw.Source),
    };
  } catch (err) {
    if (err instanceof ParameterPropertyError) {
      throw new SecureStringParameterError('ValidateProperties', err.message);
    }
    throw err;
  }
}

/** The tier recorded in old properties (default Standard), or `undefined` when unreadable. */
function tierOf(raw: Record<string, unknown>): Tier | undefined {
  try {
    return parseTier(stringProp(raw, 'Tier'));
  } catch {
    return undefined;
  }
}

/** The tags recorded in old properties; none when unreadable. */
function tagsOf(raw: Record<string, unknown>): Record<string, string> {
  try {
    return parseTags(raw.Tags);
  } catch {
    return {};
  }
}

function locationOf(stackId: string | undefined): Location {
  const match = /^arn:(aws[a-z-]*):cloudformation:([a-z0-9-]+):(\d{12}):/.exec(stackId ?? '');
  return match ? { arnPrefix: `arn:${match[1]}:ssm:${match[2]}:${match[3]}:parameter/` } : {};
}

function arnOf(name: string, location: Location | undefined): string {
  return location?.arnPrefix ? parameterArn(location.arnPrefix, name) : `parameter ${name}`;
}

/** What may be logged about the properties: no value, no ciphertext. */
function describe(props: ParameterProperties): Record<string, unknown> {
  return {
    name: props.name,
    keyId: props.keyId,
    tier: props.tier,
    removalPolicy: props.removalPolicy,
    sourceType: props.source.type,
    tagKeys: Object.keys(props.tags).sort(),
  };
}

function logDone(requestType: string, props: ParameterProperties, version: string): void {
  log('Done', { requestType, name: props.name, version, tier: props.tier, limitBytes: TIER_VALUE_LIMIT_BYTES[props.tier] });
}

// ---------------------------------------------------------------------------------------------
// Errors and logging
// ---------------------------------------------------------------------------------------------

interface ErrorContext {
  readonly name?: string;
  readonly location?: Location;
  readonly keyId?: string;
  readonly tier?: Tier;
  readonly tagged?: boolean;
  readonly decrypt?: boolean;
  readonly encryptionContext?: boolean;
  readonly where?: string;
  /** The value sent in the failed request: removed from the AWS message and the cause. */
  readonly secret?: string;
}

/** Turn an AWS SDK error into a message that says what to do; the SDK error stays as `cause`. */
function awsError(step: Step, err: unknown, ctx: ErrorContext): SecureStringParameterError {
  const name = errorName(err);
  const awsMessage = redact(err instanceof Error ? err.message : String(err), ctx.secret);
  const parameter = ctx.name ?? 'unknown';
  const arn = ctx.name ? arnOf(ctx.name, ctx.location) : 'the parameter';
  let message: string;
  switch (name) {
    case 'AccessDeniedException':
    case 'AccessDenied':
      message = accessDeniedMessage(step, ctx, arn);
      break;
    case 'ParameterAlreadyExists':
      message = `a parameter named ${parameter} already exists; choose another name or delete it first — `
        + 'this resource never overwrites a parameter it did not create';
      break;
    case 'ParameterNotFound':
      message = `parameter ${parameter} was not found`;
      break;
    case 'ParameterMaxVersionLimitExceeded':
      message = `parameter ${parameter} has 100 versions, the most SSM keeps, and its oldest version has a label, so SSM `
        + 'cannot drop that version to make room; move the label to a newer version (LabelParameterVersion) and retry';
      break;
    case 'HierarchyLevelLimitExceededException':
      message = `parameter name ${parameter} has more hierarchy levels than SSM allows (15); use a shorter path`;
      break;
    case 'HierarchyTypeMismatchException':
    case 'UnsupportedParameterType':
      message = `parameter ${parameter} exists with another type and SSM cannot change a parameter's type; choose another Name`;
      break;
    case 'ParameterLimitExceeded':
      message = `the account has reached its quota of ${ctx.tier ?? ''} parameters in this Region (10,000 Standard, `
        + '100,000 Advanced); delete unused parameters or use the Advanced tier';
      break;
    case 'InvalidKeyId':
      message = `SSM rejected KeyId ${ctx.keyId ?? 'unknown'} for parameter ${parameter}: it must be an enabled symmetric `
        + 'encryption KMS key in this Region that the handler\'s role may use '
        + `(kms:${ctx.tier === 'Advanced' ? 'GenerateDataKey' : 'Encrypt'} and kms:Decrypt): ${awsMessage}`;
      break;
    case 'TooManyTagsError':
      message = `too many tags for parameter ${parameter}: a parameter holds at most 50 tags`;
      break;
    case 'IncorrectKeyException':
      message = `Source.CiphertextBlob was encrypted under another key than ${ctx.keyId}; set Source.KeyId to the key `
        + 'that encrypted it';
      break;
    case 'InvalidCiphertextException':
      message = `KMS could not decrypt Source.CiphertextBlob with key ${ctx.keyId}: the blob is damaged, or `
        + `${ctx.encryptionContext ? 'Source.EncryptionContext differs from' : 'Source.EncryptionContext is missing, but'} `
        + 'the encryption context it was encrypted with';
      break;
    case 'InvalidKeyUsageException':
      message = `key ${ctx.keyId} is not a symmetric encryption key: ${awsMessage}`;
      break;
    case 'NotFoundException':
      message = `key ${ctx.keyId} was not found (check the key id and the Region)`;
      break;
    case 'DisabledException':
    case 'KMSInvalidStateException':
      message = `key ${ctx.keyId} is disabled or pending deletion: ${awsMessage}`;
      break;
    case 'ResourceNotFoundException':
      message = `${ctx.where ?? 'the secret'} was not found (check SecretArn, the version and the Region)`;
      break;
    case 'DecryptionFailure':
      message = `Secrets Manager could not decrypt ${ctx.where ?? 'the secret'}: the handler's role needs kms:Decrypt `
        + 'on the KMS key that encrypts the secret';
      break;
    case 'ThrottlingException':
    case 'TooManyRequestsException':
    case 'TooManyUpdates':
    case 'LimitExceededException':
    case 'InternalServerError':
    case 'InternalServiceError':
    case 'KMSInternalException':
    case 'DependencyTimeoutException':
    case 'KeyUnavailableException':
      message = `${name} after ${MAX_ATTEMPTS} attempts; retry the deployment later: ${awsMessage}`;
      break;
    case 'ValidationException':
    case 'InvalidParameterException':
    case 'InvalidRequestException':
      message = `the request for ${step === 'GetSecretValue' ? ctx.where : `parameter ${parameter}`} was rejected: `
        + `${name}: ${awsMessage}`;
      break;
    default:
      message = `${name}: ${awsMessage}`;
  }
  return new SecureStringParameterError(step, message, redactedCause(err, ctx.secret));
}

function accessDeniedMessage(step: Step, ctx: ErrorContext, arn: string): string {
  const prefix = 'access denied: the handler\'s role needs';
  const keyPolicy = '(in the key policy, or in an IAM policy where the key policy delegates to IAM)';
  switch (step) {
    case 'GenerateRandom':
      return `${prefix} kms:GenerateRandom, granted by an IAM policy with Resource "*" (GenerateRandom uses no key)`;
    case 'Decrypt':
      return `${prefix} kms:Decrypt on key ${ctx.keyId} ${keyPolicy}`
        + `${ctx.encryptionContext ? ', for the encryption context in Source.EncryptionContext' : ''}`;
    case 'GetSecretValue':
      return `${prefix} secretsmanager:GetSecretValue on ${ctx.where}, and kms:Decrypt on the KMS key that encrypts `
        + 'the secret if that is a customer managed key';
    case 'PutParameter':
      return `${prefix} ssm:PutParameter on ${arn}${ctx.tagged ? ' and ssm:AddTagsToResource (Tags are set)' : ''}, and `
        + `kms:${ctx.tier === 'Advanced' ? 'GenerateDataKey' : 'Encrypt'} on key ${ctx.keyId} ${keyPolicy}: SSM calls `
        + 'KMS with the role\'s credentials';
    case 'GetParameter':
      return `${prefix} ssm:GetParameter on ${arn}${ctx.decrypt ? ', and kms:Decrypt on the key that encrypts the parameter now' : ''}`;
    case 'ListTagsForResource':
      return `${prefix} ssm:ListTagsForResource on ${arn}: the parameter already exists, and only its ownership tags `
        + 'tell whether this resource created it (a parameter it did not create is never overwritten)';
    default:
      return `${prefix} ssm:${step} on ${arn}`;
  }
}

/** `text` without `secret` (and its JSON-escaped form). */
function redact(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length < MIN_REDACTED_LENGTH) {
    return text;
  }
  let result = text;
  for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
    result = result.split(form).join('***');
  }
  return result;
}

/** The SDK error, or a copy without the value when its message or stack quotes it. */
function redactedCause(err: unknown, secret: string | undefined): unknown {
  if (!(err instanceof Error) || secret === undefined || secret.length < MIN_REDACTED_LENGTH) {
    return err;
  }
  const text = `${err.message}\n${err.stack ?? ''}`;
  if (redact(text, secret) === text) {
    return err;
  }
  const copy = new Error(redact(err.message, secret));
  copy.name = err.name;
  const metadata = (err as { $metadata?: unknown }).$metadata;
  return metadata === undefined ? copy : Object.assign(copy, { $metadata: metadata });
}
