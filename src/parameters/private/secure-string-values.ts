// Pure helpers for the SecureString parameter custom resource.
//
// Used by `secure-string-parameter.lambda.ts`; no AWS SDK and no aws-cdk-lib imports, so they can
// be bundled into the handler and tested on their own. Nothing here logs, and no error message built
// here contains a parameter value, a secret or a JSON field value: only names, lengths and limits.
//
// Facts relied on:
// - SSM API Reference, PutParameter: names are 1..2048 characters in the model, but at most 1011
//   characters may be specified, counting the ARN prefix (`arn:aws:ssm:us-east-2:111122223333:parameter/`
//   is 45 of them); only a-zA-Z0-9_.- and / are allowed; a name can't be prefixed with "aws" or
//   "ssm" (case-insensitive; the User Guide lists `/aws/testparam1` as rejected too); hierarchies
//   have at most 15 levels; a name in a hierarchy starts with /. Description is 0..1024 characters.
//   KeyId matches ^([a-zA-Z0-9:/_-]+)$, 1..256 characters.
// - KMS Developer Guide, "How AWS Systems Manager Parameter Store uses AWS KMS": standard
//   SecureString parameters cannot exceed 4096 bytes; the SSM tier table gives 4 KB (Standard) and
//   8 KB (Advanced). The limits are therefore checked in UTF-8 bytes, which is never less than the
//   number of characters, so the check is the stricter one whichever way SSM counts.
// - SSM API Reference, AddTagsToResource: at most 50 tags on a parameter; tag keys 1..128 and values
//   0..256 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@]. Keys starting with `aws:` are reserved by AWS.
// - KMS API Reference, GenerateRandom: NumberOfBytes 1..1024. Decrypt: CiphertextBlob 1..6144 bytes.
// - CloudFormation: a StackId is `arn:<partition>:cloudformation:<region>:<account>:stack/<name of at
//   most 128 characters>/<uuid>` (at most 229 characters), a logical id at most 255 characters: each
//   fits a tag value (256), which is why ownership takes two tags rather than one.
//
// The construct (`secure-string-parameter.ts`) imports the name rules and the ciphertext limit from
// here, so that synth and deploy time check the same thing.

/** Parameter tiers this resource supports; `Intelligent-Tiering` is not offered on purpose. */
export const TIERS = ['Standard', 'Advanced'] as const;
export type Tier = (typeof TIERS)[number];

/** Maximum size of a parameter value per tier, in UTF-8 bytes. */
export const TIER_VALUE_LIMIT_BYTES: Record<Tier, number> = { Standard: 4096, Advanced: 8192 };

export const MAX_NAME_LENGTH = 2048;
export const MAX_SPECIFIED_NAME_LENGTH = 1011;
export const MAX_HIERARCHY_LEVELS = 15;
export const MAX_DESCRIPTION_LENGTH = 1024;
export const MAX_TAGS = 50;
export const MAX_GENERATED_LENGTH = 4096;
export const MAX_RANDOM_BYTES_PER_CALL = 1024;
export const MAX_CIPHERTEXT_BYTES = 6144;

/** Letters and digits: the default alphabet of generated values. */
export const DEFAULT_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A property that cannot be used; the message names the property and never contains a secret. */
export class ParameterPropertyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterPropertyError';
  }
}

// ---------------------------------------------------------------------------------------------
// Name, key, tier, description
// ---------------------------------------------------------------------------------------------

/**
 * A parameter name SSM would refuse. `expectation` says what is allowed (`must be ...`), `received`
 * what was given, so that the handler (`Name <expectation>, got <received>`) and the construct
 * (`parameterName <expectation>, got '<name>'`) word the same rule the same way.
 */
export class ParameterNameError extends ParameterPropertyError {
  constructor(public readonly expectation: string, public readonly received: string) {
    super(`Name ${expectation}, got ${received}`);
    this.name = 'ParameterNameError';
  }
}

/** `arn:<partition>:ssm:<region>:<account>:parameter/`: what SSM counts before the name. */
export function parameterArnPrefix(partition: string, region: string, account: string): string {
  return `arn:${partition}:ssm:${region}:${account}:parameter/`;
}

/**
 * Validates a parameter name as SSM does. `arnPrefix` (`arn:<partition>:ssm:<region>:<account>:parameter/`)
 * enables the 1011-character check, which counts the ARN prefix. Used by the handler and, at synth,
 * by the construct.
 *
 * @throws ParameterNameError
 */
export function validateParameterName(name: string, arnPrefix?: string): string {
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) {
    throw new ParameterNameError(`must be 1 to ${MAX_NAME_LENGTH} characters`, `${name.length} characters`);
  }
  const invalid = Array.from(new Set(name.replace(/[a-zA-Z0-9_.\-/]/g, '')));
  if (invalid.length > 0) {
    throw new ParameterNameError(
      'may contain only a-z, A-Z, 0-9, _ . - and /',
      `${JSON.stringify(name)} with ${invalid.map((c) => JSON.stringify(c)).join(', ')}`,
    );
  }
  if (/^\/?(aws|ssm)/i.test(name)) {
    throw new ParameterNameError(
      'must not start with "aws" or "ssm" (any case, with or without a leading /): those are reserved by AWS',
      name,
    );
  }
  if (name.includes('/')) {
    if (!name.startsWith('/')) {
      throw new ParameterNameError('must start with / when it is in a hierarchy', name);
    }
    const segments = name.slice(1).split('/');
    if (segments.some((segment) => segment === '')) {
      throw new ParameterNameError('must not contain an empty hierarchy level (// or a trailing /)', name);
    }
    const levels = segments.length - 1;
    if (levels > MAX_HIERARCHY_LEVELS) {
      throw new ParameterNameError(
        `may have at most ${MAX_HIERARCHY_LEVELS} hierarchy levels above the parameter name (this one has ${levels})`,
        name,
      );
    }
  }
  if (arnPrefix !== undefined) {
    const bare = name.replace(/^\//, '');
    const arnLength = arnPrefix.length + bare.length;
    if (arnLength > MAX_SPECIFIED_NAME_LENGTH) {
      const allowed = MAX_SPECIFIED_NAME_LENGTH - arnPrefix.length + (name.length - bare.length);
      throw new ParameterNameError(
        `must be at most ${allowed} characters: SSM allows ${MAX_SPECIFIED_NAME_LENGTH} counting the ARN prefix ${arnPrefix}`,
        `${name.length} characters (${arnLength} with the ARN prefix)`,
      );
    }
  }
  return name;
}

/** `arn:<partition>:ssm:<region>:<account>:parameter/<name without its leading slash>`. */
export function parameterArn(arnPrefix: string, name: string): string {
  return `${arnPrefix}${name.replace(/^\//, '')}`;
}

/** The KMS key SSM encrypts with: a key id, key ARN, alias or alias ARN, never an AWS managed key. */
export function validateKeyId(keyId: string, property = 'KeyId'): string {
  if (keyId.length > 256 || !/^[a-zA-Z0-9:/_-]+$/.test(keyId)) {
    throw new ParameterPropertyError(
      `${property} must be a KMS key id, key ARN, alias or alias ARN (up to 256 characters of a-zA-Z0-9:/_-), got ${keyId}`,
    );
  }
  if (/(^|:)alias\/aws\//.test(keyId)) {
    throw new ParameterPropertyError(`${property} must be a customer managed key, got the AWS managed key ${keyId}`);
  }
  return keyId;
}

export function parseTier(raw: string | undefined): Tier {
  if (raw === undefined) {
    return 'Standard';
  }
  if (!(TIERS as readonly string[]).includes(raw)) {
    throw new ParameterPropertyError(`Tier must be one of ${TIERS.join(', ')}, got ${raw}`);
  }
  return raw as Tier;
}

export function validateDescription(description: string | undefined): string | undefined {
  if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) {
    throw new ParameterPropertyError(
      `Description must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${description.length}`,
    );
  }
  return description;
}

/** Throws when `value` does not fit `tier`; the message names the tier and sizes, never the value. */
export function checkValueSize(value: string, tier: Tier): void {
  if (value.length === 0) {
    throw new ParameterPropertyError('the value is empty; SSM parameters need a value of at least one character');
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  const limit = TIER_VALUE_LIMIT_BYTES[tier];
  if (bytes > limit) {
    const hint = tier === 'Standard'
      ? `use Tier Advanced (up to ${TIER_VALUE_LIMIT_BYTES.Advanced} bytes) or a shorter value`
      : 'the Advanced tier is the largest SSM offers; use a shorter value';
    throw new ParameterPropertyError(
      `the value is ${bytes} bytes (UTF-8), over the ${limit}-byte limit of the ${tier} tier; ${hint}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Objects passed by CloudFormation: string maps and tags
// ---------------------------------------------------------------------------------------------

/**
 * A map of strings given as an object or as its JSON text. CloudFormation passes nested objects
 * with string leaves; numbers and booleans are turned into strings.
 */
export function parseStringMap(raw: unknown, property: string): Record<string, string> | undefined {
  if (raw === undefined || raw === null || raw === '') {
    return undefined;
  }
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ParameterPropertyError(`${property} must be an object or its JSON text, got text that is not JSON`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParameterPropertyError(`${property} must be an object of strings, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const result: Record<string, string> = {};
  for (const [key, leaf] of Object.entries(value as Record<string, unknown>)) {
    if (typeof leaf !== 'string' && typeof leaf !== 'number' && typeof leaf !== 'boolean') {
      throw new ParameterPropertyError(`${property}.${key} must be a string, got ${leaf === null ? 'null' : typeof leaf}`);
    }
    result[key] = String(leaf);
  }
  return result;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Tags as an object (or its JSON text) of key to value, checked against the SSM tag rules. */
export function parseTags(raw: unknown): Record<string, string> {
  const tags = parseStringMap(raw, 'Tags') ?? {};
  const keys = Object.keys(tags);
  if (keys.length > MAX_USER_TAGS) {
    throw new ParameterPropertyError(
      `Tags may hold at most ${MAX_USER_TAGS} tags (SSM allows ${MAX_TAGS}, ${OWNER_TAG_KEYS.length} are the ownership tags), got ${keys.length}`,
    );
  }
  for (const key of keys) {
    const value = tags[key];
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key)) {
      throw new ParameterPropertyError(
        `tag key ${JSON.stringify(key)} must be 1 to 128 letters, digits, spaces or _ . : / = + - @`,
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new ParameterPropertyError(`tag key ${key} uses the prefix aws:, which is reserved by AWS`);
    }
    if (key.startsWith(RESERVED_TAG_PREFIX)) {
      throw new ParameterPropertyError(
        `tag key ${key} uses the prefix ${RESERVED_TAG_PREFIX}, which is reserved for the ownership tags of this resource`,
      );
    }
    if (value.length > 256 || !TAG_TEXT.test(value)) {
      throw new ParameterPropertyError(
        `tag ${key} must have a value of at most 256 letters, digits, spaces or _ . : / = + - @`,
      );
    }
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------
// Ownership: the tags by which the handler knows a parameter as its own
// ---------------------------------------------------------------------------------------------

/** Prefix of the ownership tags; users' tags may not use it. */
export const RESERVED_TAG_PREFIX = 'cdk-kms-patterns:';
/** The `StackId` of the stack whose custom resource created the parameter (at most 229 characters). */
export const OWNER_STACK_TAG = `${RESERVED_TAG_PREFIX}stack-id`;
/** The `LogicalResourceId` of that custom resource (at most 255 characters). */
export const OWNER_RESOURCE_TAG = `${RESERVED_TAG_PREFIX}logical-id`;
export const OWNER_TAG_KEYS: readonly string[] = [OWNER_STACK_TAG, OWNER_RESOURCE_TAG];
/** Tags a user may set: SSM's 50 less the ownership tags. */
export const MAX_USER_TAGS = MAX_TAGS - OWNER_TAG_KEYS.length;

/** Which custom resource manages a parameter: the stack id and logical id of its event. */
export interface Owner {
  readonly stackId: string;
  readonly logicalResourceId: string;
}

/** The ownership tags of `owner`. */
export function ownerTags(owner: Owner): Record<string, string> {
  return { [OWNER_STACK_TAG]: owner.stackId, [OWNER_RESOURCE_TAG]: owner.logicalResourceId };
}

/**
 * Whether tags read from an existing parameter (ListTagsForResource) mark it as managed by `owner`:
 * `undefined` when they do, else why not (for the error message; tag values are identifiers, never
 * secrets).
 */
export function notOwnedBecause(tags: readonly { Key?: string; Value?: string }[], owner: Owner): string | undefined {
  const found = new Map(tags.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  const stackId = found.get(OWNER_STACK_TAG);
  const logicalId = found.get(OWNER_RESOURCE_TAG);
  if (stackId === undefined || logicalId === undefined) {
    return `it has no ${OWNER_STACK_TAG} and ${OWNER_RESOURCE_TAG} tags, so it was not created by this resource`;
  }
  if (stackId !== owner.stackId || logicalId !== owner.logicalResourceId) {
    return `its tags say it is managed by resource ${logicalId} of stack ${stackId}`;
  }
  return undefined;
}

/** User tags read back from a parameter: every tag except the ownership tags. */
export function userTagsOf(tags: readonly { Key?: string; Value?: string }[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tag of tags) {
    if (tag.Key !== undefined && !OWNER_TAG_KEYS.includes(tag.Key)) {
      result[tag.Key] = tag.Value ?? '';
    }
  }
  return result;
}

export function toTagList(tags: Record<string, string>): Tag[] {
  return Object.keys(tags).sort().map((key) => ({ Key: key, Value: tags[key] }));
}

/** What AddTagsToResource and RemoveTagsFromResource must do to turn `before` into `after`. */
export function diffTags(
  before: Record<string, string>,
  after: Record<string, string>,
): { readonly add: Tag[]; readonly remove: string[] } {
  const add = toTagList(after).filter((tag) => before[tag.Key] !== tag.Value);
  const remove = Object.keys(before).filter((key) => !(key in after)).sort();
  return { add, remove };
}

// ---------------------------------------------------------------------------------------------
// Sources of the value
// ---------------------------------------------------------------------------------------------

export interface GenerateSource {
  readonly type: 'generate';
  readonly length: number;
  readonly characters: readonly string[];
}

export interface CiphertextSource {
  readonly type: 'ciphertext';
  readonly ciphertextBlob: Buffer;
  readonly encryptionContext?: Record<string, string>;
  /** The key that encrypted the blob, when it is not the parameter's key. */
  readonly keyId?: string;
}

export interface SecretSource {
  readonly type: 'secret';
  readonly secretArn: string;
  readonly jsonField?: string;
  readonly versionId?: string;
  readonly versionStage?: string;
}

export type ValueSource = GenerateSource | CiphertextSource | SecretSource;

const SOURCE_FIELDS: Record<ValueSource['type'], readonly string[]> = {
  generate: ['Type', 'Length', 'Characters'],
  ciphertext: ['Type', 'CiphertextBlob', 'EncryptionContext', 'KeyId'],
  secret: ['Type', 'SecretArn', 'JsonField', 'VersionId', 'VersionStage'],
};

/** The `Source` property as a plain object (CloudFormation passes an object; JSON text is accepted). */
function sourceObject(raw: unknown): Record<string, unknown> {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ParameterPropertyError('Source must be an object (or its JSON text), got text that is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParameterPropertyError(
      `Source must be an object with Type generate, ciphertext or secret, got ${value === undefined ? 'nothing' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

function sourceString(source: Record<string, unknown>, field: string): string | undefined {
  const value = source[field];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ParameterPropertyError(`Source.${field} must be a string, got ${typeof value}`);
  }
  return String(value);
}

/** Parses and checks the `Source` property. */
export function parseSource(raw: unknown): ValueSource {
  const source = sourceObject(raw);
  const type = sourceString(source, 'Type');
  if (type !== 'generate' && type !== 'ciphertext' && type !== 'secret') {
    throw new ParameterPropertyError(`Source.Type must be one of generate, ciphertext, secret, got ${type ?? 'nothing'}`);
  }
  const unknown = Object.keys(source).filter((field) => !SOURCE_FIELDS[type].includes(field));
  if (unknown.length > 0) {
    throw new ParameterPropertyError(
      `Source of Type ${type} does not take ${unknown.join(', ')}; allowed: ${SOURCE_FIELDS[type].join(', ')}`,
    );
  }
  switch (type) {
    case 'generate':
      return {
        type,
        length: parseLength(sourceString(source, 'Length')),
        characters: parseCharacters(sourceString(source, 'Characters')),
      };
    case 'ciphertext': {
      const blob = sourceString(source, 'CiphertextBlob');
      if (blob === undefined) {
        throw new ParameterPropertyError('Source.CiphertextBlob is required for Type ciphertext');
      }
      const keyId = sourceString(source, 'KeyId');
      return {
        type,
        ciphertextBlob: decodeCiphertextBlob(blob),
        encryptionContext: parseStringMap(source.EncryptionContext, 'Source.EncryptionContext'),
        keyId: keyId === undefined ? undefined : validateKeyId(keyId, 'Source.KeyId'),
      };
    }
    case 'secret': {
      const secretArn = sourceString(source, 'SecretArn');
      if (secretArn === undefined) {
        throw new ParameterPropertyError('Source.SecretArn is required for Type secret');
      }
      if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(secretArn)) {
        throw new ParameterPropertyError(`Source.SecretArn must be a Secrets Manager secret ARN, got ${secretArn}`);
      }
      const versionId = sourceString(source, 'VersionId');
      const versionStage = sourceString(source, 'VersionStage');
      if (versionId !== undefined && versionStage !== undefined) {
        throw new ParameterPropertyError('set either Source.VersionId or Source.VersionStage, not both');
      }
      return { type, secretArn, jsonField: sourceString(source, 'JsonField'), versionId, versionStage };
    }
  }
}

/**
 * A canonical text of the `Source` property (sorted keys, string leaves), so that an update can tell
 * whether the source really changed. `undefined` when it cannot be read.
 */
export function canonicalSource(raw: unknown): string | undefined {
  try {
    return canonical(sourceObject(raw));
  } catch {
    return undefined;
  }
}

function canonical(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, leaf]) => leaf !== undefined && leaf !== null && leaf !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, leaf]) => `${JSON.stringify(key)}:${canonical(leaf)}`).join(',')}}`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  return JSON.stringify(String(value));
}

function parseLength(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) {
    throw new ParameterPropertyError(`Source.Length must be a whole number from 1 to ${MAX_GENERATED_LENGTH}, got ${raw ?? 'nothing'}`);
  }
  const length = Number(raw);
  if (length < 1 || length > MAX_GENERATED_LENGTH) {
    throw new ParameterPropertyError(`Source.Length must be from 1 to ${MAX_GENERATED_LENGTH}, got ${raw}`);
  }
  return length;
}

/** The distinct characters of `Characters` (code points), or letters and digits by default. */
export function parseCharacters(raw: string | undefined): readonly string[] {
  const characters = Array.from(raw ?? DEFAULT_CHARACTERS);
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const c of characters) {
    if (seen.has(c)) {
      repeated.add(c);
    }
    seen.add(c);
  }
  if (repeated.size > 0) {
    throw new ParameterPropertyError(
      `Source.Characters must list each character once (a repeated one would be drawn more often), repeated: ${Array.from(repeated).map((c) => JSON.stringify(c)).join(', ')}`,
    );
  }
  if (characters.length < 2) {
    throw new ParameterPropertyError(`Source.Characters must hold at least 2 characters, got ${characters.length}`);
  }
  if (characters.length > 65536) {
    throw new ParameterPropertyError(`Source.Characters must hold at most 65536 characters, got ${characters.length}`);
  }
  return characters;
}

/** Standard base64 (whitespace ignored) of 1..6144 bytes. */
export function decodeCiphertextBlob(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new ParameterPropertyError(
      'Source.CiphertextBlob must be standard base64, as `aws kms encrypt --output text --query CiphertextBlob` prints it',
    );
  }
  const blob = Buffer.from(compact, 'base64');
  if (blob.length > MAX_CIPHERTEXT_BYTES) {
    throw new ParameterPropertyError(
      `Source.CiphertextBlob must decode to at most ${MAX_CIPHERTEXT_BYTES} bytes (a KMS limit), got ${blob.length}`,
    );
  }
  return blob;
}

// ---------------------------------------------------------------------------------------------
// Generated values: random bytes to characters without modulo bias
// ---------------------------------------------------------------------------------------------

/**
 * Draws `length` characters uniformly from `characters`, reading random bytes from `nextBytes`
 * (KMS GenerateRandom in the handler) at most `MAX_RANDOM_BYTES_PER_CALL` at a time.
 *
 * Rejection sampling: each draw reads `k` bytes (1 for up to 256 characters, else 2) as a number
 * `v` in [0, 256^k). Only `v < limit`, with `limit` the largest multiple of the alphabet size not
 * above 256^k, is used, as `characters[v % size]`; larger `v` are discarded. Every character then
 * has exactly `limit / size` values mapping to it, so none is favoured (plain `v % size` would favour
 * the first `256^k mod size` characters). The byte buffers are zeroed after use.
 */
export async function generateRandomString(
  length: number,
  characters: readonly string[],
  nextBytes: (count: number) => Promise<Uint8Array>,
): Promise<string> {
  const size = characters.length;
  const bytesPerDraw = size <= 256 ? 1 : 2;
  const range = 256 ** bytesPerDraw;
  const limit = range - (range % size);
  const acceptance = limit / range;
  const out: string[] = [];
  while (out.length < length) {
    const remaining = length - out.length;
    const draws = Math.ceil(remaining / acceptance) + 4;
    const count = Math.min(MAX_RANDOM_BYTES_PER_CALL - (MAX_RANDOM_BYTES_PER_CALL % bytesPerDraw), draws * bytesPerDraw);
    const bytes = await nextBytes(count);
    if (bytes.length < bytesPerDraw) {
      throw new Error(`the random source returned ${bytes.length} bytes, expected ${count}`);
    }
    try {
      for (let i = 0; i + bytesPerDraw <= bytes.length && out.length < length; i += bytesPerDraw) {
        const v = bytesPerDraw === 1 ? bytes[i] : bytes[i] * 256 + bytes[i + 1];
        if (v < limit) {
          out.push(characters[v % size]);
        }
      }
    } finally {
      bytes.fill(0);
    }
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Secrets Manager JSON fields
// ---------------------------------------------------------------------------------------------

/**
 * The field `field` of a JSON object held in a SecretString. Strings are returned as they are,
 * numbers and booleans as their JSON text. Errors name the field and the secret, never a value
 * (JSON.parse messages quote the input, so they are not passed on).
 */
export function extractJsonField(secretString: string, field: string, where: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new ParameterPropertyError(`the SecretString of ${where} is not JSON, so Source.JsonField ${field} cannot be read`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ParameterPropertyError(
      `the SecretString of ${where} is JSON but not an object, so Source.JsonField ${field} cannot be read`,
    );
  }
  if (!Object.prototype.hasOwnProperty.call(parsed, field)) {
    throw new ParameterPropertyError(`the SecretString of ${where} has no field ${field} (Source.JsonField)`);
  }
  const value = (parsed as Record<string, unknown>)[field];
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  throw new ParameterPropertyError(
    `field ${field} of the SecretString of ${where} is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object'}; Source.JsonField must name a string, number or boolean`,
  );
}
