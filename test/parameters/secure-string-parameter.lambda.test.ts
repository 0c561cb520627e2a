import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DEFAULT_CHARACTERS,
  canonicalSource,
  diffTags,
  extractJsonField,
  generateRandomString,
  parseCharacters,
  parseSource,
  parseTags,
  validateParameterName,
} from '../../src/parameters/private/secure-string-values';
import { handler } from '../../src/parameters/secure-string-parameter.lambda';
import { captureError, consoleOutput as sharedConsoleOutput, everythingAbout } from '../handler-helpers';

const kmsMock = mockClient(KMSClient);
const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/s/1';
const ARN_PREFIX = 'arn:aws:ssm:eu-west-1:111122223333:parameter/';
const NAME = '/app/prod/db-password';
const NEW_NAME = '/app/prod/db-password-v2';
const PARAMETER_ARN = `${ARN_PREFIX}app/prod/db-password`;
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890cd';
const ENCRYPTING_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ff';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf';
const VERSION_ID = 'a1b2c3d4-0000-0000-0000-000000000001';
const LOGICAL_ID = 'Parameter';
/** The ownership tags of this resource, as PutParameter and ListTagsForResource carry them (sorted). */
const OWNER_TAGS = [
  { Key: 'cdk-kms-patterns:logical-id', Value: LOGICAL_ID },
  { Key: 'cdk-kms-patterns:stack-id', Value: STACK_ID },
];

/** Values the tests treat as secret: none may ever show up in logs, errors or Data. */
const PLAINTEXT = 'correct horse battery staple 9!';
const SECRET_JSON = JSON.stringify({ username: 'admin-user-name', password: 'pa55-w0rd-from-secrets', port: 5432 });

let logSpy: jest.SpyInstance;
let errorSpy: jest.SpyInstance;
let warnSpy: jest.SpyInstance;

beforeEach(() => {
  kmsMock.reset();
  ssmMock.reset();
  secretsMock.reset();
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  warnSpy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  givenAws();
});

afterEach(() => {
  jest.restoreAllMocks();
});

// ---------------------------------------------------------------------------------------------
// GIVEN helpers
// ---------------------------------------------------------------------------------------------

type Props = Record<string, unknown>;

const GENERATE_32 = { Type: 'generate', Length: '32' };

/** Properties as the construct writes them (it always sends OwnershipTags). */
function props(overrides: Props = {}): Props {
  return { Name: NAME, KeyId: KEY_ARN, Source: GENERATE_32, OwnershipTags: 'true', ...overrides };
}

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider',
  ResponseURL: 'https://example.invalid/response',
  StackId: STACK_ID,
  RequestId: 'request-1',
  LogicalResourceId: LOGICAL_ID,
  ResourceType: 'Custom::SecureStringParameter',
};

function createEvent(p: Props): CloudFormationCustomResourceEvent {
  return { ...common, RequestType: 'Create', ResourceProperties: { ServiceToken: common.ServiceToken, ...p } };
}

function updateEvent(p: Props, old: Props, physicalId = String(old.Name)): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...p },
    OldResourceProperties: { ServiceToken: common.ServiceToken, ...old },
  };
}

function deleteEvent(p: Props, physicalId = String(p.Name)): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Delete',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: common.ServiceToken, ...p },
  };
}

/** KMS, Secrets Manager and SSM answering successfully; the parameter holds `stored`. */
function givenAws(stored = 'stored-value-0001', version = 7): void {
  kmsMock.on(GenerateRandomCommand).callsFake((input: { NumberOfBytes: number }) => ({
    Plaintext: Uint8Array.from(randomBytes(input.NumberOfBytes)),
  }));
  kmsMock.on(DecryptCommand).callsFake(() => ({ KeyId: KEY_ARN, Plaintext: Uint8Array.from(Buffer.from(PLAINTEXT)) }));
  secretsMock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, VersionId: VERSION_ID, SecretString: SECRET_JSON });
  ssmMock.on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' });
  ssmMock.on(GetParameterCommand, { WithDecryption: true }).resolves({
    Parameter: { Name: NAME, Type: 'SecureString', Value: stored, Version: version },
  });
  ssmMock.on(GetParameterCommand, { WithDecryption: false }).resolves({
    Parameter: { Name: NAME, Type: 'SecureString', Value: 'AQICAHh-encrypted-blob', Version: version },
  });
  ssmMock.on(AddTagsToResourceCommand).resolves({});
  ssmMock.on(ListTagsForResourceCommand).resolves({ TagList: [] });
  ssmMock.on(RemoveTagsFromResourceCommand).resolves({});
  ssmMock.on(DeleteParameterCommand).resolves({});
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

function putInputs() {
  return ssmMock.commandCalls(PutParameterCommand).map((call) => call.args[0].input);
}

function onlyPutInput() {
  const inputs = putInputs();
  expect(inputs).toHaveLength(1);
  return inputs[0];
}

function consoleOutput(): string {
  return sharedConsoleOutput(logSpy, errorSpy, warnSpy);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('secure-string-parameter handler', () => {
  describe('Create', () => {
    test('generate: random letters and digits from KMS GenerateRandom, PutParameter SecureString without overwrite', async () => {
      // WHEN
      const response = await handler(createEvent(props({
        Description: 'database password',
        Tags: { team: 'payments', env: 'prod' },
      })));

      // THEN KMS supplied the randomness in one call of at most 1024 bytes
      const randomCalls = kmsMock.commandCalls(GenerateRandomCommand);
      expect(randomCalls).toHaveLength(1);
      expect(randomCalls[0].args[0].input.NumberOfBytes).toBeGreaterThanOrEqual(32);
      expect(randomCalls[0].args[0].input.NumberOfBytes).toBeLessThanOrEqual(1024);

      // ... and every PutParameter field is as specified
      const input = onlyPutInput();
      expect(input.Value).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(input).toEqual({
        Name: NAME,
        Value: input.Value,
        Type: 'SecureString',
        KeyId: KEY_ARN,
        Tier: 'Standard',
        Overwrite: false,
        Description: 'database password',
        Tags: [...OWNER_TAGS, { Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'payments' }],
      });
      expect(response).toEqual({ PhysicalResourceId: NAME, Data: { Name: NAME, Version: '1', Tier: 'Standard' } });
      expect(JSON.stringify(response)).not.toContain(input.Value);
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    });

    test('generate: a long value from a custom alphabet takes several GenerateRandom calls of at most 1024 bytes', async () => {
      // GIVEN
      const characters = 'abc!#%';

      // WHEN
      await handler(createEvent(props({ Source: { Type: 'generate', Length: '4096', Characters: characters } })));

      // THEN
      const sizes = kmsMock.commandCalls(GenerateRandomCommand).map((call) => call.args[0].input.NumberOfBytes!);
      expect(sizes.length).toBeGreaterThanOrEqual(4);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(1024);
      const value = onlyPutInput().Value!;
      expect(value).toHaveLength(4096);
      expect(new Set(value)).toEqual(new Set(characters));
    });

    test('generate: omits Description when none is given; the only tags are the ownership tags', async () => {
      // WHEN
      await handler(createEvent(props()));

      // THEN
      const input = onlyPutInput();
      expect(input).not.toHaveProperty('Description');
      expect(input.Tags).toEqual(OWNER_TAGS);
    });

    test('ciphertext: KMS Decrypt with the parameter key and the encryption context; the plaintext becomes the value', async () => {
      // GIVEN
      const blob = randomBytes(184);

      // WHEN
      const response = await handler(createEvent(props({
        Source: { Type: 'ciphertext', CiphertextBlob: blob.toString('base64'), EncryptionContext: { app: 'payments' } },
      })));

      // THEN
      const decrypt = kmsMock.commandCalls(DecryptCommand);
      expect(decrypt).toHaveLength(1);
      expect(decrypt[0].args[0].input).toEqual({
        CiphertextBlob: blob,
        KeyId: KEY_ARN,
        EncryptionContext: { app: 'payments' },
      });
      expect(onlyPutInput().Value).toBe(PLAINTEXT);
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(0);
      expect(JSON.stringify(response)).not.toContain(PLAINTEXT);
    });

    test('ciphertext: Source.KeyId names the encrypting key when it is not the parameter key', async () => {
      // WHEN
      await handler(createEvent(props({
        Source: { Type: 'ciphertext', CiphertextBlob: randomBytes(64).toString('base64'), KeyId: ENCRYPTING_KEY_ARN },
      })));

      // THEN
      expect(kmsMock.commandCalls(DecryptCommand)[0].args[0].input).toEqual({
        CiphertextBlob: expect.any(Buffer),
        KeyId: ENCRYPTING_KEY_ARN,
      });
      expect(onlyPutInput().KeyId).toBe(KEY_ARN);
    });

    test('ciphertext: a plaintext that is not UTF-8 is refused without showing it', async () => {
      // GIVEN
      kmsMock.on(DecryptCommand).resolves({ Plaintext: Uint8Array.from([0xff, 0xfe, 0x41, 0x80]) });

      // WHEN / THEN
      await expect(handler(createEvent(props({ Source: { Type: 'ciphertext', CiphertextBlob: 'AAAA' } }))))
        .rejects.toThrow(/^Decrypt failed: the plaintext of Source.CiphertextBlob is not UTF-8 text/);
      expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
    });

    test('ciphertext: rejects a blob that is not base64 before calling KMS', async () => {
      await expect(handler(createEvent(props({ Source: { Type: 'ciphertext', CiphertextBlob: 'not base64!' } }))))
        .rejects.toThrow(/ValidateProperties failed: Source.CiphertextBlob must be standard base64/);
      expect(kmsMock.calls()).toHaveLength(0);
    });

    test('secret: the whole SecretString of AWSCURRENT', async () => {
      // WHEN
      await handler(createEvent(props({ Source: { Type: 'secret', SecretArn: SECRET_ARN } })));

      // THEN
      expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: SECRET_ARN });
      expect(onlyPutInput().Value).toBe(SECRET_JSON);
    });

    test('secret: one JSON field of a given version', async () => {
      // WHEN
      await handler(createEvent(props({
        Source: { Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'password', VersionId: VERSION_ID },
      })));

      // THEN
      expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
        SecretId: SECRET_ARN,
        VersionId: VERSION_ID,
      });
      expect(onlyPutInput().Value).toBe('pa55-w0rd-from-secrets');
    });

    test('secret: a numeric JSON field becomes its JSON text', async () => {
      // WHEN
      await handler(createEvent(props({ Source: { Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'port' } })));

      // THEN
      expect(onlyPutInput().Value).toBe('5432');
    });

    test('secret: a missing JSON field is an error that shows no secret content', async () => {
      // WHEN
      const err = await captureError(handler(createEvent(props({
        Source: { Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'apiKey' },
      }))));

      // THEN
      expect(err.message).toBe(
        `GetSecretValue failed: the SecretString of secret ${SECRET_ARN} (stage AWSCURRENT) has no field apiKey (Source.JsonField)`,
      );
      for (const secret of ['pa55-w0rd-from-secrets', 'admin-user-name', SECRET_JSON]) {
        expect(everythingAbout(err)).not.toContain(secret);
        expect(consoleOutput()).not.toContain(secret);
      }
      expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
    });

    test('secret: a SecretString that is not JSON is an error that does not quote it', async () => {
      // GIVEN
      secretsMock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretString: 'plain-text-secret-xyz' });

      // WHEN
      const err = await captureError(handler(createEvent(props({
        Source: { Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'password' },
      }))));

      // THEN
      expect(err.message).toMatch(/is not JSON, so Source.JsonField password cannot be read/);
      expect(everythingAbout(err)).not.toContain('plain-text-secret-xyz');
    });

    test('secret: a binary secret is refused', async () => {
      // GIVEN
      secretsMock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretBinary: Uint8Array.from([1, 2, 3]) });

      // WHEN / THEN
      await expect(handler(createEvent(props({ Source: { Type: 'secret', SecretArn: SECRET_ARN } }))))
        .rejects.toThrow(/holds SecretBinary, not SecretString/);
    });

    test('a foreign parameter of that name is never overwritten: the error says why', async () => {
      // GIVEN a parameter without ownership tags holds the name
      const exists = awsError('ParameterAlreadyExists', 'The parameter already exists.');
      ssmMock.on(PutParameterCommand).rejects(exists);
      ssmMock.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: 'team', Value: 'other' }] });

      // WHEN
      const err = await captureError(handler(createEvent(props())));

      // THEN
      expect(err.message).toBe(
        `PutParameter failed: a parameter named ${NAME} already exists and it has no cdk-kms-patterns:stack-id and `
        + 'cdk-kms-patterns:logical-id tags, so it was not created by this resource; choose another name or delete it first — '
        + 'this resource never overwrites a parameter it did not create',
      );
      expect(err.cause).toBe(exists);
      expect(ssmMock.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input))
        .toEqual([{ ResourceType: 'Parameter', ResourceId: NAME }]);
      expect(putInputs().map((input) => input.Overwrite)).toEqual([false]);
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(RemoveTagsFromResourceCommand)).toHaveLength(0);
    });

    test('a parameter of another resource of the same stack is not overwritten either', async () => {
      // GIVEN
      ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists', 'The parameter already exists.'));
      ssmMock.on(ListTagsForResourceCommand).resolves({
        TagList: [{ Key: 'cdk-kms-patterns:stack-id', Value: STACK_ID }, { Key: 'cdk-kms-patterns:logical-id', Value: 'OtherParameter' }],
      });

      // WHEN / THEN
      await expect(handler(createEvent(props()))).rejects.toThrow(
        `PutParameter failed: a parameter named ${NAME} already exists and its tags say it is managed by resource OtherParameter `
        + `of stack ${STACK_ID}; choose another name`,
      );
      expect(putInputs()).toHaveLength(1);
    });

    test('a parameter whose tags cannot be read is not overwritten, and the error names ssm:ListTagsForResource', async () => {
      // GIVEN
      ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists', 'The parameter already exists.'));
      ssmMock.on(ListTagsForResourceCommand).rejects(awsError('AccessDeniedException', 'denied'));

      // WHEN / THEN
      await expect(handler(createEvent(props()))).rejects.toThrow(
        `ListTagsForResource failed: access denied: the handler's role needs ssm:ListTagsForResource on ${PARAMETER_ARN}: `
        + 'the parameter already exists, and only its ownership tags tell whether this resource created it',
      );
      expect(putInputs()).toHaveLength(1);
    });

    test('a create retried after its PutParameter succeeded overwrites its own parameter', async () => {
      // GIVEN the first attempt created the parameter, with the ownership tags
      ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(awsError('ParameterAlreadyExists', 'The parameter already exists.'));
      ssmMock.on(PutParameterCommand, { Overwrite: true }).resolves({ Version: 2 });
      ssmMock.on(ListTagsForResourceCommand).resolves({ TagList: [...OWNER_TAGS, { Key: 'team', Value: 'payments' }] });

      // WHEN
      const response = await handler(createEvent(props({ Tags: { team: 'payments' } })));

      // THEN
      expect(putInputs().map((input) => [input.Name, input.Overwrite])).toEqual([[NAME, false], [NAME, true]]);
      expect(putInputs()[1]).not.toHaveProperty('Tags');
      expect(putInputs()[1].Value).toBe(putInputs()[0].Value);
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(RemoveTagsFromResourceCommand)).toHaveLength(0);
      expect(response).toEqual({ PhysicalResourceId: NAME, Data: { Name: NAME, Version: '2', Tier: 'Standard' } });
    });

    test('accepts Tags as JSON text', async () => {
      // WHEN
      await handler(createEvent(props({ Tags: '{"owner":"team-a"}' })));

      // THEN
      expect(onlyPutInput().Tags).toEqual([...OWNER_TAGS, { Key: 'owner', Value: 'team-a' }]);
    });

    test('sets Tier Advanced when asked', async () => {
      // WHEN
      const response = await handler(createEvent(props({ Tier: 'Advanced' })));

      // THEN
      expect(onlyPutInput().Tier).toBe('Advanced');
      expect(response.Data?.Tier).toBe('Advanced');
    });
  });

  describe('rename, and the rollback of a failed rename', () => {
    const exists = () => awsError('ParameterAlreadyExists', 'The parameter already exists.');

    test('renaming copies the value into a new parameter tagged as this resource\'s, and leaves the old one to CloudFormation', async () => {
      // GIVEN the parameter under its old name holds a generated value
      givenAws('previously-generated-Abc123');

      // WHEN
      const response = await handler(updateEvent(props({ Name: NEW_NAME }), props()));

      // THEN
      expect(ssmMock.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toEqual([{ Name: NAME, WithDecryption: true }]);
      expect(onlyPutInput()).toMatchObject({ Name: NEW_NAME, Value: 'previously-generated-Abc123', Overwrite: false, Tags: OWNER_TAGS });
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(DeleteParameterCommand)).toHaveLength(0);
      expect(response.PhysicalResourceId).toBe(NEW_NAME);
    });

    test('the rollback to the old name overwrites the kept old parameter, which carries this resource\'s tags', async () => {
      // GIVEN the rename to NEW_NAME succeeded, the stack update failed later, and CloudFormation rolls
      // back: an Update to the old properties, from the new physical id. The old parameter was kept.
      ssmMock.on(GetParameterCommand, { Name: NEW_NAME, WithDecryption: true }).resolves({
        Parameter: { Name: NEW_NAME, Type: 'SecureString', Value: 'previously-generated-Abc123', Version: 1 },
      });
      ssmMock.on(PutParameterCommand, { Name: NAME, Overwrite: false }).rejects(exists());
      ssmMock.on(PutParameterCommand, { Name: NAME, Overwrite: true }).resolves({ Version: 8 });
      ssmMock.on(ListTagsForResourceCommand, { ResourceId: NAME }).resolves({ TagList: [...OWNER_TAGS, { Key: 'a', Value: '1' }] });

      // WHEN
      const response = await handler(updateEvent(
        props({ Tags: { a: '1' } }),
        props({ Name: NEW_NAME, Tags: { a: '1', b: '2' } }),
        NEW_NAME,
      ));

      // THEN the old name is written again, with the same value and its own tags, and is the physical id again
      expect(putInputs()).toEqual([
        expect.objectContaining({ Name: NAME, Overwrite: false }),
        {
          Name: NAME,
          Value: 'previously-generated-Abc123',
          Type: 'SecureString',
          KeyId: KEY_ARN,
          Tier: 'Standard',
          Overwrite: true,
          Description: '',
        },
      ]);
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(RemoveTagsFromResourceCommand)).toHaveLength(0);
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(0);
      expect(response).toEqual({ PhysicalResourceId: NAME, Data: { Name: NAME, Version: '8', Tier: 'Standard' } });
      expect(consoleOutput()).toContain('carries this resource\'s ownership tags');
      expect(consoleOutput()).not.toContain('previously-generated-Abc123');
    });

    test('overwriting its own parameter makes the tags the requested ones', async () => {
      // GIVEN the kept parameter has a tag that is no longer requested and lacks a requested one
      ssmMock.on(PutParameterCommand, { Name: NAME, Overwrite: false }).rejects(exists());
      ssmMock.on(ListTagsForResourceCommand).resolves({ TagList: [...OWNER_TAGS, { Key: 'old', Value: 'x' }] });

      // WHEN
      await handler(updateEvent(props({ Tags: { new: 'y' } }), props({ Name: NEW_NAME }), NEW_NAME));

      // THEN
      expect(ssmMock.commandCalls(AddTagsToResourceCommand).map((call) => call.args[0].input))
        .toEqual([{ ResourceType: 'Parameter', ResourceId: NAME, Tags: [{ Key: 'new', Value: 'y' }] }]);
      expect(ssmMock.commandCalls(RemoveTagsFromResourceCommand).map((call) => call.args[0].input))
        .toEqual([{ ResourceType: 'Parameter', ResourceId: NAME, TagKeys: ['old'] }]);
    });

    test('renaming onto a parameter that is not this resource\'s fails and leaves it untouched', async () => {
      // GIVEN a parameter of another stack holds the new name
      ssmMock.on(PutParameterCommand, { Overwrite: false }).rejects(exists());
      ssmMock.on(ListTagsForResourceCommand).resolves({
        TagList: [{ Key: 'cdk-kms-patterns:stack-id', Value: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/other/2' }, { Key: 'cdk-kms-patterns:logical-id', Value: LOGICAL_ID }],
      });

      // WHEN
      const err = await captureError(handler(updateEvent(props({ Name: NEW_NAME }), props())));

      // THEN
      expect(err.message).toMatch(new RegExp(`^PutParameter failed: a parameter named ${NEW_NAME} already exists and its tags say it is managed by resource ${LOGICAL_ID} of stack arn:aws:cloudformation:eu-west-1:111122223333:stack/other/2`));
      expect(putInputs().map((input) => input.Overwrite)).toEqual([false]);
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    });
  });

  describe('tier limits', () => {
    function givenSecretOf(value: string): Props {
      secretsMock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretString: value });
      return { Type: 'secret', SecretArn: SECRET_ARN };
    }

    test.each([
      { tier: 'Standard', size: 4096 },
      { tier: 'Advanced', size: 8192 },
    ])('$tier accepts a value of exactly $size bytes', async ({ tier, size }) => {
      // WHEN
      await handler(createEvent(props({ Tier: tier, Source: givenSecretOf('x'.repeat(size)) })));

      // THEN
      expect(onlyPutInput().Value).toHaveLength(size);
    });

    test.each([
      { tier: 'Standard', size: 4097, limit: 4096, hint: /use Tier Advanced \(up to 8192 bytes\)/ },
      { tier: 'Advanced', size: 8193, limit: 8192, hint: /largest SSM offers/ },
    ])('$tier refuses $size bytes, naming the tier and the limit but not the value', async ({ tier, size, limit, hint }) => {
      // GIVEN
      const value = 'Q'.repeat(size - 7) + 'SECRET!';

      // WHEN
      const err = await captureError(handler(createEvent(props({ Tier: tier, Source: givenSecretOf(value) }))));

      // THEN
      expect(err.message).toContain(`CheckValue failed: parameter ${NAME}: the value is ${size} bytes (UTF-8), over the ${limit}-byte limit of the ${tier} tier`);
      expect(err.message).toMatch(hint);
      expect(everythingAbout(err)).not.toContain('SECRET!');
      expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
    });

    test('counts UTF-8 bytes, not characters', async () => {
      // GIVEN 2049 two-byte characters: 2049 characters, 4098 bytes
      const source = givenSecretOf('é'.repeat(2049));

      // WHEN / THEN
      await expect(handler(createEvent(props({ Source: source }))))
        .rejects.toThrow(/the value is 4098 bytes \(UTF-8\), over the 4096-byte limit of the Standard tier/);
    });

    test('an empty value is refused', async () => {
      // GIVEN
      secretsMock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretString: '{"password":""}' });

      // WHEN / THEN
      await expect(handler(createEvent(props({ Source: { Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'password' } }))))
        .rejects.toThrow(/CheckValue failed: .*the value is empty/);
    });
  });

  describe('Update', () => {
    test('a changed Description re-puts the same value: no regeneration', async () => {
      // GIVEN the parameter holds a value generated earlier
      givenAws('previously-generated-Abc123');

      // WHEN
      const response = await handler(updateEvent(
        props({ Description: 'new description' }),
        props({ Description: 'old description' }),
      ));

      // THEN
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(GetParameterCommand).map((call) => call.args[0].input))
        .toEqual([{ Name: NAME, WithDecryption: true }]);
      expect(onlyPutInput()).toEqual({
        Name: NAME,
        Value: 'previously-generated-Abc123',
        Type: 'SecureString',
        KeyId: KEY_ARN,
        Tier: 'Standard',
        Overwrite: true,
        Description: 'new description',
      });
      expect(response).toEqual({ PhysicalResourceId: NAME, Data: { Name: NAME, Version: '1', Tier: 'Standard' } });
    });

    test('a changed KeyId re-encrypts the same value under the new key', async () => {
      // GIVEN
      givenAws('previously-generated-Abc123');

      // WHEN
      await handler(updateEvent(props({ KeyId: OTHER_KEY_ARN }), props()));

      // THEN
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(0);
      expect(onlyPutInput()).toMatchObject({
        KeyId: OTHER_KEY_ARN,
        Value: 'previously-generated-Abc123',
        Overwrite: true,
        Description: '',
      });
    });

    test('a removed Description is cleared', async () => {
      // WHEN
      await handler(updateEvent(props(), props({ Description: 'old' })));

      // THEN
      expect(onlyPutInput().Description).toBe('');
    });

    test('Standard to Advanced keeps the value', async () => {
      // GIVEN
      givenAws('previously-generated-Abc123');

      // WHEN
      await handler(updateEvent(props({ Tier: 'Advanced' }), props()));

      // THEN
      expect(onlyPutInput()).toMatchObject({ Tier: 'Advanced', Value: 'previously-generated-Abc123', Overwrite: true });
    });

    test('Advanced to Standard is refused before any change', async () => {
      // WHEN / THEN
      await expect(handler(updateEvent(props({ Tier: 'Standard' }), props({ Tier: 'Advanced' }))))
        .rejects.toThrow(/Tier of parameter .* cannot change from Advanced to Standard.*change Name as well/);
      expect(ssmMock.calls()).toHaveLength(0);
    });

    test('a changed generate Source regenerates and overwrites', async () => {
      // WHEN
      await handler(updateEvent(
        props({ Source: { Type: 'generate', Length: '48' } }),
        props({ Source: { Type: 'generate', Length: '32' } }),
      ));

      // THEN
      expect(kmsMock.commandCalls(GenerateRandomCommand).length).toBeGreaterThanOrEqual(1);
      expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
      const input = onlyPutInput();
      expect(input.Value).toMatch(/^[A-Za-z0-9]{48}$/);
      expect(input.Overwrite).toBe(true);
      expect(input).not.toHaveProperty('Tags');
    });

    test('a changed ciphertext Source decrypts the new blob and overwrites', async () => {
      // GIVEN
      const oldBlob = randomBytes(64).toString('base64');
      const newBlob = randomBytes(64).toString('base64');

      // WHEN
      await handler(updateEvent(
        props({ Source: { Type: 'ciphertext', CiphertextBlob: newBlob } }),
        props({ Source: { Type: 'ciphertext', CiphertextBlob: oldBlob } }),
      ));

      // THEN
      expect(Buffer.from(kmsMock.commandCalls(DecryptCommand)[0].args[0].input.CiphertextBlob!).toString('base64')).toBe(newBlob);
      expect(onlyPutInput()).toMatchObject({ Value: PLAINTEXT, Overwrite: true });
    });

    test('an unchanged generate Source (numbers instead of strings, keys reordered) does not regenerate', async () => {
      // WHEN only the tags change
      await handler(updateEvent(
        props({ Source: { Length: 32, Type: 'generate' }, Tags: { a: '1' } }),
        props({ Source: { Type: 'generate', Length: '32' } }),
      ));

      // THEN
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
    });

    test('tags only: Add and Remove the difference, read the version without decrypting, no PutParameter', async () => {
      // WHEN
      const response = await handler(updateEvent(
        props({ Tags: { keep: 'same', change: 'new', add: 'added' } }),
        props({ Tags: { keep: 'same', change: 'old', drop: 'gone' } }),
      ));

      // THEN
      expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(GetParameterCommand).map((call) => call.args[0].input))
        .toEqual([{ Name: NAME, WithDecryption: false }]);
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)[0].args[0].input).toEqual({
        ResourceType: 'Parameter',
        ResourceId: NAME,
        Tags: [{ Key: 'add', Value: 'added' }, { Key: 'change', Value: 'new' }],
      });
      expect(ssmMock.commandCalls(RemoveTagsFromResourceCommand)[0].args[0].input).toEqual({
        ResourceType: 'Parameter',
        ResourceId: NAME,
        TagKeys: ['drop'],
      });
      expect(response).toEqual({ PhysicalResourceId: NAME, Data: { Name: NAME, Version: '7', Tier: 'Standard' } });
    });

    test('a value change and a tag change together: overwrite, then tag', async () => {
      // WHEN
      await handler(updateEvent(props({ KeyId: OTHER_KEY_ARN, Tags: { a: '2' } }), props({ Tags: { a: '1' } })));

      // THEN
      expect(onlyPutInput()).toMatchObject({ KeyId: OTHER_KEY_ARN, Overwrite: true });
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)[0].args[0].input.Tags).toEqual([{ Key: 'a', Value: '2' }]);
      expect(ssmMock.commandCalls(RemoveTagsFromResourceCommand)).toHaveLength(0);
    });

    test('only RemovalPolicy changed: nothing is written', async () => {
      // WHEN
      await handler(updateEvent(props({ RemovalPolicy: 'destroy' }), props()));

      // THEN
      expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(RemoveTagsFromResourceCommand)).toHaveLength(0);
      expect(kmsMock.calls()).toHaveLength(0);
    });

    test('a changed Name creates the new parameter with the old value and returns the new physical id', async () => {
      // GIVEN
      givenAws('previously-generated-Abc123');

      // WHEN
      const response = await handler(updateEvent(props({ Name: NEW_NAME, Tags: { a: '1' } }), props()));

      // THEN
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(GetParameterCommand).map((call) => call.args[0].input))
        .toEqual([{ Name: NAME, WithDecryption: true }]);
      expect(onlyPutInput()).toEqual({
        Name: NEW_NAME,
        Value: 'previously-generated-Abc123',
        Type: 'SecureString',
        KeyId: KEY_ARN,
        Tier: 'Standard',
        Overwrite: false,
        Tags: [{ Key: 'a', Value: '1' }, ...OWNER_TAGS],
      });
      expect(response.PhysicalResourceId).toBe(NEW_NAME);
      expect(ssmMock.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    });

    test('a changed Name together with a changed Source takes the value from the new Source', async () => {
      // WHEN
      await handler(updateEvent(
        props({ Name: NEW_NAME, Source: { Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'password' } }),
        props(),
      ));

      // THEN
      expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
      expect(onlyPutInput()).toMatchObject({ Name: NEW_NAME, Value: 'pa55-w0rd-from-secrets', Overwrite: false });
    });

    test('a changed Name whose old parameter is gone takes the value from Source', async () => {
      // GIVEN
      ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'not found'));

      // WHEN
      await handler(updateEvent(props({ Name: NEW_NAME }), props()));

      // THEN
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(1);
      expect(onlyPutInput()).toMatchObject({ Name: NEW_NAME, Overwrite: false });
    });

    test('a parameter created before ownership tags existed gets them at its next update', async () => {
      // WHEN the old properties lack OwnershipTags (an earlier version of the construct and handler)
      const old = props({ Tags: { a: '1' } });
      delete old.OwnershipTags;
      await handler(updateEvent(props({ Tags: { a: '1' } }), old));

      // THEN only the ownership tags are added
      expect(ssmMock.commandCalls(AddTagsToResourceCommand).map((call) => call.args[0].input))
        .toEqual([{ ResourceType: 'Parameter', ResourceId: NAME, Tags: OWNER_TAGS }]);
      expect(ssmMock.commandCalls(RemoveTagsFromResourceCommand)).toHaveLength(0);
      expect(ssmMock.commandCalls(PutParameterCommand)).toHaveLength(0);
    });

    test('a parameter deleted out of band is created again from Source', async () => {
      // GIVEN
      ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'not found'));

      // WHEN
      const response = await handler(updateEvent(props({ Description: 'd', Tags: { a: '1' } }), props()));

      // THEN
      expect(kmsMock.commandCalls(GenerateRandomCommand)).toHaveLength(1);
      expect(onlyPutInput()).toMatchObject({ Name: NAME, Overwrite: false, Description: 'd', Tags: [{ Key: 'a', Value: '1' }, ...OWNER_TAGS] });
      expect(ssmMock.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
      expect(response.Data?.Version).toBe('1');
    });
  });

  describe('Delete', () => {
    test('destroy deletes the parameter', async () => {
      // WHEN
      const response = await handler(deleteEvent(props({ RemovalPolicy: 'destroy' })));

      // THEN
      expect(ssmMock.calls().map((call) => (call.args[0] as { input: unknown }).input)).toEqual([{ Name: NAME }]);
      expect(ssmMock.commandCalls(DeleteParameterCommand)).toHaveLength(1);
      expect(response).toEqual({ PhysicalResourceId: NAME });
    });

    test('destroy succeeds when the parameter is already gone', async () => {
      // GIVEN
      ssmMock.on(DeleteParameterCommand).rejects(awsError('ParameterNotFound', 'not found'));

      // WHEN / THEN
      await expect(handler(deleteEvent(props({ RemovalPolicy: 'destroy' })))).resolves.toEqual({ PhysicalResourceId: NAME });
    });

    test.each([{ RemovalPolicy: 'retain' }, {}, { RemovalPolicy: 'snapshot' }])('%p keeps the parameter', async (policy) => {
      // WHEN
      await handler(deleteEvent(props(policy)));

      // THEN
      expect(ssmMock.calls()).toHaveLength(0);
    });

    test('never deletes when the physical id is not the Name (a failed create)', async () => {
      // WHEN
      await handler(deleteEvent(props({ RemovalPolicy: 'destroy' }), 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'));

      // THEN
      expect(ssmMock.calls()).toHaveLength(0);
      expect(consoleOutput()).toMatch(/not the name of a parameter this resource created/);
    });

    test('does not validate the properties (a broken property must not block stack deletion)', async () => {
      // WHEN
      await handler(deleteEvent({ Name: NAME, RemovalPolicy: 'destroy', KeyId: 'bad key', Source: 'nonsense' }));

      // THEN
      expect(ssmMock.commandCalls(DeleteParameterCommand)).toHaveLength(1);
    });
  });

  describe('AWS errors', () => {
    test.each([
      { tier: 'Standard', kmsAction: 'kms:Encrypt' },
      { tier: 'Advanced', kmsAction: 'kms:GenerateDataKey' },
    ])('AccessDenied on PutParameter ($tier) names ssm:PutParameter on the ARN and $kmsAction on the key', async ({ tier, kmsAction }) => {
      // GIVEN
      const denied = awsError('AccessDeniedException', 'not authorized');
      ssmMock.on(PutParameterCommand).rejects(denied);

      // WHEN
      const err = await captureError(handler(createEvent(props({ Tier: tier, Tags: { a: '1' } }))));

      // THEN
      expect(err.message).toBe(
        `PutParameter failed: access denied: the handler's role needs ssm:PutParameter on ${PARAMETER_ARN} and `
        + `ssm:AddTagsToResource (Tags are set), and ${kmsAction} on key ${KEY_ARN} (in the key policy, or in an IAM `
        + 'policy where the key policy delegates to IAM): SSM calls KMS with the role\'s credentials',
      );
      expect(err.cause).toBe(denied);
    });

    test('AccessDenied on GenerateRandom names kms:GenerateRandom with Resource "*"', async () => {
      // GIVEN
      kmsMock.on(GenerateRandomCommand).rejects(awsError('AccessDeniedException', 'denied'));

      // WHEN / THEN
      await expect(handler(createEvent(props())))
        .rejects.toThrow(/^GenerateRandom failed: access denied: the handler's role needs kms:GenerateRandom, granted by an IAM policy with Resource "\*"/);
      expect(ssmMock.calls()).toHaveLength(0);
    });

    test('AccessDenied on Decrypt names kms:Decrypt on the encrypting key', async () => {
      // GIVEN
      kmsMock.on(DecryptCommand).rejects(awsError('AccessDeniedException', 'denied'));

      // WHEN / THEN
      await expect(handler(createEvent(props({
        Source: { Type: 'ciphertext', CiphertextBlob: 'AAAA', KeyId: ENCRYPTING_KEY_ARN, EncryptionContext: { a: 'b' } },
      })))).rejects.toThrow(
        `Decrypt failed: access denied: the handler's role needs kms:Decrypt on key ${ENCRYPTING_KEY_ARN} (in the key policy, `
        + 'or in an IAM policy where the key policy delegates to IAM), for the encryption context in Source.EncryptionContext',
      );
    });

    test('AccessDenied on GetSecretValue names secretsmanager:GetSecretValue and the secret key', async () => {
      // GIVEN
      secretsMock.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException', 'denied'));

      // WHEN / THEN
      await expect(handler(createEvent(props({ Source: { Type: 'secret', SecretArn: SECRET_ARN } }))))
        .rejects.toThrow(new RegExp(`^GetSecretValue failed: access denied: the handler's role needs secretsmanager:GetSecretValue on secret ${SECRET_ARN}.*kms:Decrypt`));
    });

    test('AccessDenied on GetParameter during an update names ssm:GetParameter and kms:Decrypt', async () => {
      // GIVEN
      ssmMock.on(GetParameterCommand).rejects(awsError('AccessDeniedException', 'denied'));

      // WHEN / THEN
      await expect(handler(updateEvent(props({ KeyId: OTHER_KEY_ARN }), props())))
        .rejects.toThrow(`GetParameter failed: access denied: the handler's role needs ssm:GetParameter on ${PARAMETER_ARN}, and kms:Decrypt on the key that encrypts the parameter now`);
    });

    test.each([
      { command: AddTagsToResourceCommand, action: 'AddTagsToResource', tags: { a: '2' } },
      { command: RemoveTagsFromResourceCommand, action: 'RemoveTagsFromResource', tags: {} },
    ])('AccessDenied on $action names ssm:$action', async ({ command, action, tags }) => {
      // GIVEN
      ssmMock.on(command as typeof AddTagsToResourceCommand).rejects(awsError('AccessDeniedException', 'denied'));

      // WHEN / THEN
      await expect(handler(updateEvent(props({ Tags: tags }), props({ Tags: { a: '1' } }))))
        .rejects.toThrow(`${action} failed: access denied: the handler's role needs ssm:${action} on ${PARAMETER_ARN}`);
    });

    test('AccessDenied on DeleteParameter names ssm:DeleteParameter', async () => {
      // GIVEN
      ssmMock.on(DeleteParameterCommand).rejects(awsError('AccessDeniedException', 'denied'));

      // WHEN / THEN
      await expect(handler(deleteEvent(props({ RemovalPolicy: 'destroy' }))))
        .rejects.toThrow(`DeleteParameter failed: access denied: the handler's role needs ssm:DeleteParameter on ${PARAMETER_ARN}`);
    });

    test.each([
      { command: PutParameterCommand, client: 'ssm', step: 'PutParameter' },
      { command: GenerateRandomCommand, client: 'kms', step: 'GenerateRandom' },
    ])('ThrottlingException on $step that survives the SDK retries says so', async ({ command, client, step }) => {
      // GIVEN
      const mock = (client === 'ssm' ? ssmMock : kmsMock) as typeof ssmMock;
      mock.on(command as typeof PutParameterCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

      // WHEN / THEN
      await expect(handler(createEvent(props())))
        .rejects.toThrow(new RegExp(`^${step} failed: ThrottlingException after 5 attempts; retry the deployment later`));
    });

    test('ParameterMaxVersionLimitExceeded explains the labelled oldest version', async () => {
      // GIVEN
      ssmMock.on(PutParameterCommand).rejects(awsError('ParameterMaxVersionLimitExceeded', 'limit'));

      // WHEN / THEN
      await expect(handler(updateEvent(props({ KeyId: OTHER_KEY_ARN }), props())))
        .rejects.toThrow(/has 100 versions, the most SSM keeps, and its oldest version has a label.*move the label/);
    });

    test('HierarchyLevelLimitExceededException names the limit', async () => {
      // GIVEN
      ssmMock.on(PutParameterCommand).rejects(awsError('HierarchyLevelLimitExceededException', 'too deep'));

      // WHEN / THEN
      await expect(handler(createEvent(props())))
        .rejects.toThrow(`PutParameter failed: parameter name ${NAME} has more hierarchy levels than SSM allows (15); use a shorter path`);
    });

    test('IncorrectKeyException asks for Source.KeyId', async () => {
      // GIVEN
      kmsMock.on(DecryptCommand).rejects(awsError('IncorrectKeyException', 'wrong key'));

      // WHEN / THEN
      await expect(handler(createEvent(props({ Source: { Type: 'ciphertext', CiphertextBlob: 'AAAA' } }))))
        .rejects.toThrow(`Decrypt failed: Source.CiphertextBlob was encrypted under another key than ${KEY_ARN}; set Source.KeyId`);
    });

    test('InvalidCiphertextException points at the encryption context', async () => {
      // GIVEN
      kmsMock.on(DecryptCommand).rejects(awsError('InvalidCiphertextException', ''));

      // WHEN / THEN
      await expect(handler(createEvent(props({ Source: { Type: 'ciphertext', CiphertextBlob: 'AAAA' } }))))
        .rejects.toThrow(/the blob is damaged, or Source.EncryptionContext is missing, but the encryption context it was encrypted with/);
    });

    test('InvalidKeyId names the key and the KMS permissions', async () => {
      // GIVEN
      ssmMock.on(PutParameterCommand).rejects(awsError('InvalidKeyId', 'invalid'));

      // WHEN / THEN
      await expect(handler(createEvent(props()))).rejects.toThrow(
        new RegExp(`SSM rejected KeyId ${KEY_ARN} .*enabled symmetric encryption KMS key.*kms:Encrypt and kms:Decrypt`),
      );
    });

    test('an AWS error that quotes the value is redacted in the message and in the cause', async () => {
      // GIVEN SSM answers with a message that repeats the value it was sent
      const secretValue = 'pa55-w0rd-from-secrets';
      ssmMock.on(PutParameterCommand).rejects(
        awsError('ValidationException', `1 validation error detected: Value '${secretValue}' at 'value' failed to satisfy constraint`),
      );

      // WHEN
      const err = await captureError(handler(createEvent(props({
        Source: { Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'password' },
      }))));

      // THEN
      expect(err.message).toMatch(/^PutParameter failed: the request for parameter .* was rejected: ValidationException: .*Value '\*\*\*' at 'value'/);
      expect((err.cause as Error).name).toBe('ValidationException');
      expect((err.cause as Error).message).toContain("Value '***'");
      expect(everythingAbout(err)).not.toContain(secretValue);
      expect(consoleOutput()).not.toContain(secretValue);
    });
  });

  describe('properties', () => {
    test('rejects missing required properties before calling AWS', async () => {
      await expect(handler(createEvent({ Tier: 'Standard' })))
        .rejects.toThrow('ValidateProperties failed: missing required properties: Name, KeyId, Source');
      expect(ssmMock.calls()).toHaveLength(0);
      expect(kmsMock.calls()).toHaveLength(0);
    });

    test.each([
      ['has a space', '/app/db password', /Name may contain only a-z, A-Z, 0-9, _ \. - and \/, got .* with " "/],
      ['starts with aws', 'awsTestParameter', /must not start with "aws" or "ssm"/],
      ['starts with SSM', 'SSM-testparameter', /must not start with "aws" or "ssm"/],
      ['starts with /aws', '/aws/testparam1', /must not start with "aws" or "ssm"/],
      ['is a hierarchy without a leading /', 'app/db', /Name must start with \/ when it is in a hierarchy, got app\/db/],
      ['has an empty level', '/app//db', /empty hierarchy level/],
      ['has 16 levels', `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}/name`, /Name may have at most 15 hierarchy levels above the parameter name \(this one has 16\)/],
      ['is too long with the ARN prefix', `/${'a'.repeat(1012 - ARN_PREFIX.length)}`, new RegExp(`Name must be at most 967 characters: SSM allows 1011 counting the ARN prefix ${ARN_PREFIX}, got 968 characters \\(1012 with the ARN prefix\\)`)],
    ])('rejects a Name that %s', async (_label, name, expected) => {
      await expect(handler(createEvent(props({ Name: name })))).rejects.toThrow(expected);
      expect(kmsMock.calls()).toHaveLength(0);
      expect(ssmMock.calls()).toHaveLength(0);
    });

    test('accepts the longest Name and 15 levels', () => {
      expect(validateParameterName(`/${'a'.repeat(1011 - ARN_PREFIX.length)}`, ARN_PREFIX)).toBeDefined();
      expect(validateParameterName(`/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}/name`)).toBeDefined();
      expect(validateParameterName('plain_name.v1-x')).toBe('plain_name.v1-x');
    });

    test.each([
      [{ Tier: 'Intelligent-Tiering' }, /Tier must be one of Standard, Advanced, got Intelligent-Tiering/],
      [{ RemovalPolicy: 'snapshot' }, /RemovalPolicy must be retain or destroy, got snapshot/],
      [{ KeyId: 'alias/aws/ssm' }, /KeyId must be a customer managed key, got the AWS managed key alias\/aws\/ssm/],
      [{ KeyId: 'key with spaces' }, /KeyId must be a KMS key id/],
      [{ Description: 'd'.repeat(1025) }, /Description must be at most 1024 characters, got 1025/],
      [{ Tags: { 'aws:owner': 'x' } }, /tag key aws:owner uses the prefix aws:/],
      [{ Tags: 'not json' }, /Tags must be an object or its JSON text/],
      [{ Source: { Type: 'random' } }, /Source.Type must be one of generate, ciphertext, secret, got random/],
      [{ Source: { Type: 'generate', Length: '0' } }, /Source.Length must be from 1 to 4096, got 0/],
      [{ Source: { Type: 'generate', Length: '4097' } }, /Source.Length must be from 1 to 4096, got 4097/],
      [{ Source: { Type: 'generate', Length: '12.5' } }, /Source.Length must be a whole number/],
      [{ Source: { Type: 'generate', Length: '8', Characters: 'aab' } }, /Source.Characters must list each character once .* repeated: "a"/],
      [{ Source: { Type: 'generate', Length: '8', SecretArn: SECRET_ARN } }, /Source of Type generate does not take SecretArn/],
      [{ Source: { Type: 'secret', SecretArn: 'my-secret' } }, /Source.SecretArn must be a Secrets Manager secret ARN/],
      [{ Source: { Type: 'secret', SecretArn: SECRET_ARN, VersionId: VERSION_ID, VersionStage: 'AWSPREVIOUS' } }, /set either Source.VersionId or Source.VersionStage, not both/],
      [{ Source: { Type: 'ciphertext' } }, /Source.CiphertextBlob is required/],
    ])('rejects %p', async (overrides, expected) => {
      await expect(handler(createEvent(props(overrides)))).rejects.toThrow(expected);
      expect(kmsMock.calls()).toHaveLength(0);
      expect(secretsMock.calls()).toHaveLength(0);
      expect(ssmMock.calls()).toHaveLength(0);
    });

    test('accepts Source as JSON text', async () => {
      await handler(createEvent(props({ Source: JSON.stringify({ Type: 'generate', Length: '10' }) })));
      expect(onlyPutInput().Value).toHaveLength(10);
    });
  });

  describe('logging', () => {
    test.each([
      ['generate', GENERATE_32],
      ['ciphertext', { Type: 'ciphertext', CiphertextBlob: randomBytes(64).toString('base64') }],
      ['secret', { Type: 'secret', SecretArn: SECRET_ARN, JsonField: 'password' }],
    ])('a %s create logs the steps and names but never the value', async (type, source) => {
      // WHEN
      await handler(createEvent(props({ Source: source })));

      // THEN the log is there ...
      const output = consoleOutput();
      expect(output).toContain(NAME);
      expect(output).toContain(KEY_ARN);
      expect(output).toContain(`"sourceType":"${type}"`);
      expect(output).toContain('PutParameter');
      // ... without the value, and without anything of the secret
      const value = onlyPutInput().Value!;
      expect(value.length).toBeGreaterThanOrEqual(4);
      expect(output).not.toContain(value);
      for (const secret of [PLAINTEXT, 'pa55-w0rd-from-secrets', 'admin-user-name']) {
        expect(output).not.toContain(secret);
      }
    });

    test('an update that copies the value logs it nowhere', async () => {
      // GIVEN
      givenAws('previously-generated-Abc123');

      // WHEN
      await handler(updateEvent(props({ Name: NEW_NAME, Description: 'x' }), props()));

      // THEN
      expect(consoleOutput()).toContain('GetParameter');
      expect(consoleOutput()).not.toContain('previously-generated-Abc123');
    });
  });

  describe('random strings without modulo bias', () => {
    /** A byte source that cycles through 0..255 and records what it handed out. */
    function cyclingBytes() {
      let next = 0;
      const handedOut: Uint8Array[] = [];
      const source = async (count: number) => {
        const bytes = Uint8Array.from({ length: count }, () => next++ % 256);
        handedOut.push(bytes);
        return bytes;
      };
      return { source, handedOut };
    }

    test('every byte value is used equally: each of 62 characters appears exactly as often', async () => {
      // GIVEN 10 full cycles of 0..255: 248 usable bytes per cycle (256 - 256 % 62), 4 per character
      const { source } = cyclingBytes();

      // WHEN
      const value = await generateRandomString(2480, parseCharacters(undefined), source);

      // THEN modulo would give the first 8 characters 5 per cycle; rejection sampling gives all 4
      const counts = new Map<string, number>();
      for (const c of value) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
      expect(counts.size).toBe(62);
      expect(new Set(counts.values())).toEqual(new Set([40]));
    });

    test('bytes at or above the largest multiple of the alphabet size are discarded', async () => {
      // GIVEN
      const bytes = [248, 249, 255, 0, 61, 62, 250, 123];
      const source = async (count: number) => Uint8Array.from(bytes.splice(0, count));

      // WHEN
      const value = await generateRandomString(4, parseCharacters(undefined), source);

      // THEN 248, 249, 255 and 250 are skipped; 0 -> A, 61 -> 9, 62 -> A, 123 -> 9
      expect(value).toBe('A9A9');
    });

    test('requests at most 1024 bytes per call and zeroes every buffer after use', async () => {
      // GIVEN
      const { source, handedOut } = cyclingBytes();

      // WHEN
      const value = await generateRandomString(4096, parseCharacters(undefined), source);

      // THEN
      expect(value).toHaveLength(4096);
      expect(handedOut.length).toBeGreaterThanOrEqual(5);
      for (const bytes of handedOut) {
        expect(bytes.length).toBeLessThanOrEqual(1024);
        expect(bytes.every((b) => b === 0)).toBe(true);
      }
    });

    test('alphabets over 256 characters draw two bytes at a time', async () => {
      // GIVEN 300 distinct characters
      const alphabet = Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
      const calls: number[] = [];

      // WHEN
      const value = await generateRandomString(500, parseCharacters(alphabet), async (count) => {
        calls.push(count);
        return Uint8Array.from(randomBytes(count));
      });

      // THEN
      expect(Array.from(value)).toHaveLength(500);
      expect(Array.from(value).every((c) => alphabet.includes(c))).toBe(true);
      expect(calls.every((count) => count % 2 === 0)).toBe(true);
    });

    test('with real random bytes the 62 characters are uniform (chi-square, 61 degrees of freedom)', async () => {
      // WHEN 62,000 draws
      const value = await generateRandomString(62_000, parseCharacters(undefined), async (count) => Uint8Array.from(randomBytes(count)));

      // THEN expected 1000 each; chi-square mean 61, sd 11: 130 is beyond 6 sd
      const counts = new Map<string, number>();
      for (const c of value) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
      expect(new Set(counts.keys())).toEqual(new Set(DEFAULT_CHARACTERS));
      const chiSquare = Array.from(counts.values()).reduce((sum, n) => sum + ((n - 1000) ** 2) / 1000, 0);
      expect(chiSquare).toBeLessThan(130);
    });

    test('refuses alphabets it cannot draw from fairly', () => {
      expect(() => parseCharacters('a')).toThrow(/at least 2 characters/);
      expect(() => parseCharacters('abca')).toThrow(/repeated: "a"/);
    });
  });

  describe('helpers', () => {
    test('diffTags adds new and changed tags and removes dropped keys', () => {
      expect(diffTags({ a: '1', b: '2', c: '3' }, { a: '1', b: '20', d: '4' })).toEqual({
        add: [{ Key: 'b', Value: '20' }, { Key: 'd', Value: '4' }],
        remove: ['c'],
      });
      expect(diffTags({}, {})).toEqual({ add: [], remove: [] });
    });

    test('canonicalSource ignores key order, leaf types and empty fields', () => {
      expect(canonicalSource({ Type: 'generate', Length: '8', Characters: '' }))
        .toBe(canonicalSource(JSON.stringify({ Length: 8, Type: 'generate' })));
      expect(canonicalSource({ Type: 'generate', Length: '8' })).not.toBe(canonicalSource({ Type: 'generate', Length: '9' }));
      expect(canonicalSource('not json')).toBeUndefined();
    });

    test('parseSource reads an EncryptionContext given as JSON text', () => {
      expect(parseSource({ Type: 'ciphertext', CiphertextBlob: 'AAAA', EncryptionContext: '{"a":"b"}' }))
        .toMatchObject({ type: 'ciphertext', encryptionContext: { a: 'b' } });
    });

    test('parseTags refuses more than 48 tags: SSM allows 50, two are the ownership tags', () => {
      const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
      expect(() => parseTags(tags)).toThrow(/Tags may hold at most 48 tags \(SSM allows 50, 2 are the ownership tags\), got 49/);
      expect(Object.keys(parseTags(Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, 'v']))))).toHaveLength(48);
    });

    test('parseTags refuses the ownership tags\' prefix', () => {
      expect(() => parseTags({ 'cdk-kms-patterns:stack-id': 'x' }))
        .toThrow('tag key cdk-kms-patterns:stack-id uses the prefix cdk-kms-patterns:, which is reserved for the ownership tags of this resource');
    });

    test('extractJsonField refuses objects and arrays without quoting them', () => {
      expect(() => extractJsonField('{"a":{"b":"hidden-1"}}', 'a', 'secret s')).toThrow(/field a of the SecretString of secret s is an object/);
      expect(() => extractJsonField('["hidden-2"]', 'a', 'secret s')).toThrow(/JSON but not an object/);
    });
  });
});
