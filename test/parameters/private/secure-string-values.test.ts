import {
  canonicalSource,
  checkValueSize,
  decodeCiphertextBlob,
  DEFAULT_CHARACTERS,
  diffTags,
  extractJsonField,
  generateRandomString,
  MAX_USER_TAGS,
  notOwnedBecause,
  OWNER_RESOURCE_TAG,
  OWNER_STACK_TAG,
  ownerTags,
  parameterArn,
  parameterArnPrefix,
  ParameterNameError,
  ParameterPropertyError,
  parseCharacters,
  parseSource,
  parseStringMap,
  parseTags,
  parseTier,
  toTagList,
  userTagsOf,
  validateDescription,
  validateKeyId,
  validateParameterName,
} from '../../../src/parameters/private/secure-string-values';

const PREFIX = parameterArnPrefix('aws', 'us-east-2', '111122223333');
const OWNER = { stackId: 'arn:aws:cloudformation:us-east-2:111122223333:stack/app/1234', logicalResourceId: 'DbPassword' };
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-2:111122223333:secret:db-AbCdEf';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('parameter names', () => {
  test('the ARN prefix is what SSM counts before the name (45 characters in the SSM docs\' example)', () => {
    expect(PREFIX).toBe('arn:aws:ssm:us-east-2:111122223333:parameter/');
    expect(PREFIX).toHaveLength(45);
    expect(parameterArn(PREFIX, '/app/db')).toBe(`${PREFIX}app/db`);
    expect(parameterArn(PREFIX, 'plain')).toBe(`${PREFIX}plain`);
  });

  test.each(['plain', '/app/db/password', 'a.b-c_d', '/A/b9'])('%s is accepted', (name) => {
    expect(validateParameterName(name, PREFIX)).toBe(name);
  });

  test.each([
    ['', 'must be 1 to 2048 characters', '0 characters'],
    ['x'.repeat(2049), 'must be 1 to 2048 characters', '2049 characters'],
    ['/app/db pass!', 'may contain only a-z, A-Z, 0-9, _ . - and /', '"/app/db pass!" with " ", "!"'],
    ['aws-config', expect.stringMatching(/^must not start with "aws" or "ssm"/), 'aws-config'],
    ['/AWS/x', expect.stringMatching(/^must not start with "aws" or "ssm"/), '/AWS/x'],
    ['SsmThing', expect.stringMatching(/^must not start with "aws" or "ssm"/), 'SsmThing'],
    ['app/db', 'must start with / when it is in a hierarchy', 'app/db'],
    ['/app//db', 'must not contain an empty hierarchy level (// or a trailing /)', '/app//db'],
    ['/app/db/', 'must not contain an empty hierarchy level (// or a trailing /)', '/app/db/'],
  ])('%j is refused', (name, expectation, received) => {
    const error = errorOf(() => validateParameterName(name)) as ParameterNameError;
    expect(error).toBeInstanceOf(ParameterNameError);
    expect(error).toBeInstanceOf(ParameterPropertyError);
    expect(error.name).toBe('ParameterNameError');
    expect(error.expectation).toEqual(expectation);
    expect(error.received).toBe(received);
    expect(error.message).toBe(`Name ${error.expectation}, got ${received}`);
  });

  test('15 levels above the name are accepted, 16 are not', () => {
    const levels = (n: number) => `/${Array.from({ length: n }, (_, i) => `l${i}`).join('/')}/name`;
    expect(validateParameterName(levels(15))).toBe(levels(15));
    expect(() => validateParameterName(levels(16))).toThrow('Name may have at most 15 hierarchy levels above the parameter name (this one has 16)');
  });

  test('1011 characters counting the ARN prefix are accepted, one more is not; the leading / is not counted', () => {
    const longest = `/${'n'.repeat(1011 - PREFIX.length)}`;
    expect(validateParameterName(longest, PREFIX)).toBe(longest);
    expect(() => validateParameterName(`${longest}n`, PREFIX))
      .toThrow(`Name must be at most ${longest.length} characters: SSM allows 1011 counting the ARN prefix ${PREFIX}, got ${longest.length + 1} characters (1012 with the ARN prefix)`);
  });

  test('without an ARN prefix only the model\'s 2048 characters are checked', () => {
    expect(validateParameterName('n'.repeat(2048))).toHaveLength(2048);
  });
});

describe('key, tier, description and value size', () => {
  test.each([
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'alias/app',
    'arn:aws:kms:us-east-2:111122223333:alias/app',
  ])('KeyId %s is accepted', (keyId) => {
    expect(validateKeyId(keyId)).toBe(keyId);
  });

  test.each(['alias/aws/ssm', 'arn:aws:kms:us-east-2:111122223333:alias/aws/ssm'])('the AWS managed key %s is refused', (keyId) => {
    expect(() => validateKeyId(keyId, 'Source.KeyId')).toThrow(`Source.KeyId must be a customer managed key, got the AWS managed key ${keyId}`);
  });

  test.each(['alias/my app', 'k'.repeat(257), ''])('KeyId %j is refused', (keyId) => {
    expect(() => validateKeyId(keyId)).toThrow(/^KeyId must be a KMS key id, key ARN, alias or alias ARN/);
  });

  test('Tier: Standard by default, Advanced on request, never Intelligent-Tiering', () => {
    expect(parseTier(undefined)).toBe('Standard');
    expect(parseTier('Advanced')).toBe('Advanced');
    expect(() => parseTier('Intelligent-Tiering')).toThrow('Tier must be one of Standard, Advanced, got Intelligent-Tiering');
  });

  test('Description: up to 1024 characters', () => {
    expect(validateDescription(undefined)).toBeUndefined();
    expect(validateDescription('d'.repeat(1024))).toHaveLength(1024);
    expect(() => validateDescription('d'.repeat(1025))).toThrow('Description must be at most 1024 characters, got 1025');
  });

  test('values are counted in UTF-8 bytes: 4096 for Standard, 8192 for Advanced', () => {
    expect(() => checkValueSize('v'.repeat(4096), 'Standard')).not.toThrow();
    expect(() => checkValueSize('é'.repeat(2049), 'Standard'))
      .toThrow('the value is 4098 bytes (UTF-8), over the 4096-byte limit of the Standard tier; use Tier Advanced (up to 8192 bytes) or a shorter value');
    expect(() => checkValueSize('v'.repeat(8192), 'Advanced')).not.toThrow();
    expect(() => checkValueSize('v'.repeat(8193), 'Advanced')).toThrow(/over the 8192-byte limit of the Advanced tier; the Advanced tier is the largest SSM offers/);
  });

  test('an empty value is refused, and no size message quotes the value', () => {
    expect(() => checkValueSize('', 'Standard')).toThrow(/the value is empty/);
    const value = `secret-${'x'.repeat(5000)}`;
    expect(errorOf(() => checkValueSize(value, 'Standard')).message).not.toContain('secret-');
  });
});

describe('string maps and tags', () => {
  test('a map given as an object or JSON text; numbers and booleans become strings', () => {
    expect(parseStringMap({ a: 'x', n: 3, b: true }, 'P')).toEqual({ a: 'x', n: '3', b: 'true' });
    expect(parseStringMap('{"a":"x"}', 'P')).toEqual({ a: 'x' });
    for (const empty of [undefined, null, '']) {
      expect(parseStringMap(empty, 'P')).toBeUndefined();
    }
  });

  test.each([
    ['text that is not JSON', '{"a": secret', 'P must be an object or its JSON text, got text that is not JSON'],
    ['an array', ['a'], 'P must be an object of strings, got an array'],
    ['a number', 5, 'P must be an object of strings, got number'],
    ['a nested object', { a: { b: 'c' } }, 'P.a must be a string, got object'],
    ['a null leaf', { a: null }, 'P.a must be a string, got null'],
  ])('%s is refused', (_what, raw, message) => {
    expect(() => parseStringMap(raw, 'P')).toThrow(new ParameterPropertyError(message));
  });

  test('tags: letters of any script, spaces and _ . : / = + - @; empty values allowed', () => {
    expect(parseTags({ 'team name': 'Équipe 1', 'cost:center': '', 'a/b=c+d-e@f_g.h': 'v' })).toEqual({ 'team name': 'Équipe 1', 'cost:center': '', 'a/b=c+d-e@f_g.h': 'v' });
    expect(parseTags(undefined)).toEqual({});
  });

  test(`at most ${MAX_USER_TAGS} tags: SSM's 50 less the two ownership tags`, () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(MAX_USER_TAGS).toBe(48);
    expect(Object.keys(parseTags(tags(48)))).toHaveLength(48);
    expect(() => parseTags(tags(49))).toThrow('Tags may hold at most 48 tags (SSM allows 50, 2 are the ownership tags), got 49');
  });

  test.each([
    ['an empty key', { '': 'v' }, /tag key "" must be 1 to 128/],
    ['a key of 129 characters', { ['k'.repeat(129)]: 'v' }, /must be 1 to 128/],
    ['a key with #', { 'a#b': 'v' }, /tag key "a#b" must be 1 to 128/],
    ['the aws: prefix in any case', { 'AWS:x': 'v' }, 'tag key AWS:x uses the prefix aws:, which is reserved by AWS'],
    ['the ownership prefix', { [OWNER_STACK_TAG]: 'v' }, /uses the prefix cdk-kms-patterns:, which is reserved for the ownership tags/],
    ['a value of 257 characters', { k: 'v'.repeat(257) }, 'tag k must have a value of at most 256 letters, digits, spaces or _ . : / = + - @'],
    ['a value with a quote', { k: 'it\'s' }, /tag k must have a value of at most 256/],
  ])('%s is refused', (_what, raw, message) => {
    expect(() => parseTags(raw)).toThrow(message);
  });
});

describe('ownership tags', () => {
  test('the owner is recorded in two tags, stack id and logical id', () => {
    expect(ownerTags(OWNER)).toEqual({ [OWNER_STACK_TAG]: OWNER.stackId, [OWNER_RESOURCE_TAG]: 'DbPassword' });
  });

  test('a parameter tagged with this owner is its own', () => {
    expect(notOwnedBecause(toTagList({ ...ownerTags(OWNER), team: 'a' }), OWNER)).toBeUndefined();
  });

  test('a parameter without both tags was not created by this resource', () => {
    expect(notOwnedBecause([], OWNER)).toMatch(/it has no cdk-kms-patterns:stack-id and cdk-kms-patterns:logical-id tags/);
    expect(notOwnedBecause([{ Key: OWNER_STACK_TAG, Value: OWNER.stackId }], OWNER)).toMatch(/it has no/);
  });

  test('a parameter of another resource or stack names its owner', () => {
    expect(notOwnedBecause(toTagList(ownerTags({ ...OWNER, logicalResourceId: 'Other' })), OWNER))
      .toBe(`its tags say it is managed by resource Other of stack ${OWNER.stackId}`);
    expect(notOwnedBecause(toTagList(ownerTags({ ...OWNER, stackId: 'arn:aws:cloudformation:us-east-2:111122223333:stack/other/9' })), OWNER))
      .toMatch(/stack\/other\/9$/);
  });

  test('user tags read back leave out the ownership tags; a missing value is empty', () => {
    expect(userTagsOf([...toTagList(ownerTags(OWNER)), { Key: 'team', Value: 'a' }, { Key: 'empty' }, { Value: 'no key' }]))
      .toEqual({ team: 'a', empty: '' });
  });

  test('tag lists are sorted by key; the diff adds new and changed tags and removes dropped ones', () => {
    expect(toTagList({ b: '2', a: '1' })).toEqual([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    expect(diffTags({ keep: '1', change: 'old', drop: 'x', zdrop: 'y' }, { keep: '1', change: 'new', add: 'a' })).toEqual({
      add: [{ Key: 'add', Value: 'a' }, { Key: 'change', Value: 'new' }],
      remove: ['drop', 'zdrop'],
    });
    expect(diffTags({ a: '1' }, { a: '1' })).toEqual({ add: [], remove: [] });
  });
});

describe('parseSource', () => {
  test('generate: letters and digits by default', () => {
    expect(parseSource({ Type: 'generate', Length: '20' })).toEqual({ type: 'generate', length: 20, characters: Array.from(DEFAULT_CHARACTERS) });
    expect(DEFAULT_CHARACTERS).toHaveLength(62);
  });

  test('generate: a number Length and custom Characters, given as JSON text', () => {
    expect(parseSource('{"Type":"generate","Length":4096,"Characters":"ab"}')).toEqual({ type: 'generate', length: 4096, characters: ['a', 'b'] });
  });

  test('ciphertext: the blob decoded, the encryption context and the key checked', () => {
    const source = parseSource({ Type: 'ciphertext', CiphertextBlob: 'AQID', EncryptionContext: '{"app":"x"}', KeyId: 'alias/app' });
    expect(source).toEqual({ type: 'ciphertext', ciphertextBlob: Buffer.from([1, 2, 3]), encryptionContext: { app: 'x' }, keyId: 'alias/app' });
  });

  test('secret: the ARN and the optional field and version', () => {
    expect(parseSource({ Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'password', VersionStage: 'AWSPREVIOUS' }))
      .toEqual({ type: 'secret', secretArn: SECRET_ARN, jsonField: 'password', versionId: undefined, versionStage: 'AWSPREVIOUS' });
    expect(parseSource({ Type: 'secret', SecretArn: 'arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:x' })).toMatchObject({ type: 'secret' });
  });

  test.each([
    ['nothing', undefined, 'Source must be an object with Type generate, ciphertext or secret, got nothing'],
    ['text that is not JSON', '{Type: generate', 'Source must be an object (or its JSON text), got text that is not JSON'],
    ['no Type', {}, 'Source.Type must be one of generate, ciphertext, secret, got nothing'],
    ['an unknown Type', { Type: 'plaintext' }, 'Source.Type must be one of generate, ciphertext, secret, got plaintext'],
    ['a field of another type', { Type: 'generate', Length: '8', SecretArn: SECRET_ARN }, 'Source of Type generate does not take SecretArn; allowed: Type, Length, Characters'],
    ['no Length', { Type: 'generate' }, 'Source.Length must be a whole number from 1 to 4096, got nothing'],
    ['a fractional Length', { Type: 'generate', Length: '8.5' }, 'Source.Length must be a whole number from 1 to 4096, got 8.5'],
    ['a Length of 0', { Type: 'generate', Length: '0' }, 'Source.Length must be from 1 to 4096, got 0'],
    ['a Length of 4097', { Type: 'generate', Length: 4097 }, 'Source.Length must be from 1 to 4096, got 4097'],
    ['an object Length', { Type: 'generate', Length: { n: 1 } }, 'Source.Length must be a string, got object'],
    ['no CiphertextBlob', { Type: 'ciphertext' }, 'Source.CiphertextBlob is required for Type ciphertext'],
    ['an AWS managed KeyId', { Type: 'ciphertext', CiphertextBlob: 'AQID', KeyId: 'alias/aws/ssm' }, /^Source.KeyId must be a customer managed key/],
    ['no SecretArn', { Type: 'secret' }, 'Source.SecretArn is required for Type secret'],
    ['a parameter ARN as SecretArn', { Type: 'secret', SecretArn: `${PREFIX}x` }, /^Source.SecretArn must be a Secrets Manager secret ARN/],
    ['both VersionId and VersionStage', { Type: 'secret', SecretArn: SECRET_ARN, VersionId: 'v1', VersionStage: 'AWSCURRENT' },
      'set either Source.VersionId or Source.VersionStage, not both'],
  ])('%s is refused', (_what, raw, message) => {
    const error = errorOf(() => parseSource(raw));
    expect(error).toBeInstanceOf(ParameterPropertyError);
    expect(error.message).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
  });
});

describe('canonicalSource', () => {
  test('the same source written differently has one text; a real change does not', () => {
    const a = canonicalSource({ Type: 'generate', Length: 8, Characters: '' });
    expect(a).toBe(canonicalSource('{"Length":"8","Type":"generate"}'));
    expect(a).not.toBe(canonicalSource({ Type: 'generate', Length: 9 }));
    expect(canonicalSource({ Type: 'ciphertext', CiphertextBlob: 'AQID', EncryptionContext: { b: '2', a: '1' } }))
      .toBe(canonicalSource({ EncryptionContext: { a: '1', b: 2 }, CiphertextBlob: 'AQID', Type: 'ciphertext' }));
  });

  test('unreadable sources have none', () => {
    expect(canonicalSource('not json')).toBeUndefined();
    expect(canonicalSource(42)).toBeUndefined();
  });
});

describe('parseCharacters', () => {
  test('characters are code points: an emoji is one character', () => {
    expect(parseCharacters('a😀')).toEqual(['a', '😀']);
  });

  test.each([
    ['a repeated character', 'abca', 'Source.Characters must list each character once (a repeated one would be drawn more often), repeated: "a"'],
    ['one character', 'a', 'Source.Characters must hold at least 2 characters, got 1'],
    ['nothing', '', 'Source.Characters must hold at least 2 characters, got 0'],
  ])('%s is refused', (_what, raw, message) => {
    expect(() => parseCharacters(raw)).toThrow(new ParameterPropertyError(message));
  });

  test('at most 65536 characters (two random bytes per draw)', () => {
    const alphabet = (n: number) => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x10000 + i)).join('');
    expect(parseCharacters(alphabet(65536))).toHaveLength(65536);
    expect(() => parseCharacters(alphabet(65537))).toThrow('Source.Characters must hold at most 65536 characters, got 65537');
  });
});

describe('decodeCiphertextBlob', () => {
  test('standard base64 with whitespace ignored', () => {
    expect(decodeCiphertextBlob(' AQID\nBA== ')).toEqual(Buffer.from([1, 2, 3, 4]));
  });

  test.each(['', 'AQI', 'AQ-_', 'AQID=', 'A===', '====='])('%j is refused', (text) => {
    expect(() => decodeCiphertextBlob(text)).toThrow(/Source.CiphertextBlob must be standard base64/);
  });

  test('6144 bytes (a KMS limit) are accepted, one more is not', () => {
    expect(decodeCiphertextBlob(Buffer.alloc(6144, 1).toString('base64'))).toHaveLength(6144);
    expect(() => decodeCiphertextBlob(Buffer.alloc(6145, 1).toString('base64')))
      .toThrow('Source.CiphertextBlob must decode to at most 6144 bytes (a KMS limit), got 6145');
  });
});

describe('generateRandomString', () => {
  /** A random source that hands out `bytes` in order and records each request. */
  function scripted(bytes: number[]) {
    const requests: number[] = [];
    const handed: Uint8Array[] = [];
    let next = 0;
    const source = async (count: number) => {
      requests.push(count);
      const chunk = Uint8Array.from(bytes.slice(next, next + count));
      next += count;
      handed.push(chunk);
      return chunk;
    };
    return { source, requests, handed };
  }

  test('nothing is drawn for an empty string', async () => {
    const { source, requests } = scripted([]);
    await expect(generateRandomString(0, ['a', 'b'], source)).resolves.toBe('');
    expect(requests).toEqual([]);
  });

  test('bytes at or above the largest multiple of the alphabet size are skipped, the rest map by remainder', async () => {
    // GIVEN 3 characters: 255 = 3 * 85 is the limit, so 255 is skipped
    const { source } = scripted([255, 0, 1, 254, 5]);
    // WHEN
    const value = await generateRandomString(4, ['a', 'b', 'c'], source);
    // THEN 0 -> a, 1 -> b, 254 % 3 = 2 -> c, 5 % 3 = 2 -> c
    expect(value).toBe('abcc');
  });

  test('alphabets over 256 characters read two bytes per draw, big-endian', async () => {
    const alphabet = Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x4e00 + i));
    // 0x0102 = 258; 65535 is at or above 65400 (= 300 * 218) and skipped; 0x012c = 300 -> 0
    const { source, requests } = scripted([0x01, 0x02, 0xff, 0xff, 0x01, 0x2c]);
    expect(await generateRandomString(2, alphabet, source)).toBe(alphabet[258] + alphabet[0]);
    expect(requests[0] % 2).toBe(0);
  });

  test('asks for at most 1024 bytes per call and zeroes every buffer it was given', async () => {
    const bytes = Array.from({ length: 5000 }, (_, i) => i % 62);
    const { source, requests, handed } = scripted(bytes);
    const value = await generateRandomString(3000, Array.from(DEFAULT_CHARACTERS), source);
    expect(value).toHaveLength(3000);
    expect(Math.max(...requests)).toBeLessThanOrEqual(1024);
    expect(requests.length).toBeGreaterThan(1);
    for (const chunk of handed) {
      expect(chunk.every(b => b === 0)).toBe(true);
    }
  });

  test('a source that returns no bytes is an error, not an endless loop', async () => {
    await expect(generateRandomString(4, ['a', 'b'], async () => new Uint8Array(0))).rejects.toThrow(/the random source returned 0 bytes, expected \d+/);
  });
});

describe('extractJsonField', () => {
  const secret = JSON.stringify({ password: 's3cr3t-value', port: 5432, tls: true, nested: { a: 1 }, list: [1], nothing: null });

  test('a string field as it is, numbers and booleans as their JSON text', () => {
    expect(extractJsonField(secret, 'password', 'the secret')).toBe('s3cr3t-value');
    expect(extractJsonField(secret, 'port', 'the secret')).toBe('5432');
    expect(extractJsonField(secret, 'tls', 'the secret')).toBe('true');
  });

  test.each([
    ['a missing field', secret, 'user', 'the SecretString of S has no field user (Source.JsonField)'],
    ['an object field', secret, 'nested', 'field nested of the SecretString of S is an object; Source.JsonField must name a string, number or boolean'],
    ['an array field', secret, 'list', /is an array;/],
    ['a null field', secret, 'nothing', /is null;/],
    ['text that is not JSON', 's3cr3t-value', 'password', 'the SecretString of S is not JSON, so Source.JsonField password cannot be read'],
    ['JSON that is not an object', '["s3cr3t-value"]', 'password', 'the SecretString of S is JSON but not an object, so Source.JsonField password cannot be read'],
    ['an inherited property', '{}', 'constructor', /has no field constructor/],
  ])('%s is refused without showing the secret', (_what, text, field, message) => {
    const error = errorOf(() => extractJsonField(text, field, 'S'));
    expect(error).toBeInstanceOf(ParameterPropertyError);
    expect(error.message).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
    expect(error.message).not.toContain('s3cr3t');
  });
});
