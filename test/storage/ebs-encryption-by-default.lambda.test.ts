import {
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsDefaultKmsKeyIdCommand,
  GetEbsEncryptionByDefaultCommand,
  ModifyEbsDefaultKmsKeyIdCommand,
  ResetEbsDefaultKmsKeyIdCommand,
} from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, KMSClient, type KeyState } from '@aws-sdk/client-kms';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../src/storage/ebs-encryption-by-default.lambda';
import {
  AWS_MANAGED_KEY,
  decodePhysicalId,
  encodePhysicalId,
  normalizeDefaultKmsKeyId,
  validateKmsKeyArn,
} from '../../src/storage/private/ebs-default-settings';
import { captureError } from '../handler-helpers';

const ec2Mock = mockClient(EC2Client);
const kmsMock = mockClient(KMSClient);

const REGION = 'eu-west-1';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const NEW_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890cd';
const OTHER_CMK_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ff';
const AWS_MANAGED_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/8c5b2c63-b9bc-45a3-a87a-5513e0000000';

const ID_DISABLED_AWS_MANAGED = `ebs-encryption-by-default:${REGION}:enabled=false:key=aws-managed`;
const ID_ENABLED_OTHER_CMK = `ebs-encryption-by-default:${REGION}:enabled=true:key=${OTHER_CMK_ARN}`;

/** Every EC2 command the handler may send, to assert that nothing else was called. */
const ALL_COMMANDS = [
  GetEbsEncryptionByDefaultCommand,
  GetEbsDefaultKmsKeyIdCommand,
  EnableEbsEncryptionByDefaultCommand,
  DisableEbsEncryptionByDefaultCommand,
  ModifyEbsDefaultKmsKeyIdCommand,
  ResetEbsDefaultKmsKeyIdCommand,
] as const;

let savedRegion: string | undefined;
let logSpy: jest.SpyInstance;

beforeAll(() => {
  savedRegion = process.env.AWS_REGION;
  process.env.AWS_REGION = REGION;
});

afterAll(() => {
  if (savedRegion === undefined) {
    delete process.env.AWS_REGION;
  } else {
    process.env.AWS_REGION = savedRegion;
  }
});

beforeEach(() => {
  ec2Mock.reset();
  kmsMock.reset();
  givenKeyState('Enabled');
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
});

// ---------------------------------------------------------------------------------------------
// GIVEN helpers
// ---------------------------------------------------------------------------------------------

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider',
  ResponseURL: 'https://example.invalid/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/s/1',
  RequestId: 'request-1',
  LogicalResourceId: 'EbsEncryptionByDefault',
  ResourceType: 'Custom::EbsEncryptionByDefault',
};

function createEvent(kmsKeyId: string | null = KEY_ARN): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Create',
    ResourceProperties: { ServiceToken: common.ServiceToken, ...(kmsKeyId === null ? {} : { KmsKeyId: kmsKeyId }) },
  };
}

function updateEvent(kmsKeyId: string, oldKmsKeyId: string, physicalId: string): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: common.ServiceToken, KmsKeyId: kmsKeyId },
    OldResourceProperties: { ServiceToken: common.ServiceToken, KmsKeyId: oldKmsKeyId },
  };
}

function deleteEvent(physicalId: string, kmsKeyId = KEY_ARN): CloudFormationCustomResourceEvent {
  return {
    ...common,
    RequestType: 'Delete',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: common.ServiceToken, KmsKeyId: kmsKeyId },
  };
}

/** The account settings as EC2 reports them, and successful answers to every change. */
function givenSettings(enabled: boolean, defaultKmsKeyId: string | undefined): void {
  ec2Mock.on(GetEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: enabled, SseType: 'sse-ebs' });
  ec2Mock.on(GetEbsDefaultKmsKeyIdCommand).resolves({ KmsKeyId: defaultKmsKeyId });
  ec2Mock.on(EnableEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: true });
  ec2Mock.on(DisableEbsEncryptionByDefaultCommand).resolves({ EbsEncryptionByDefault: false });
  ec2Mock.on(ModifyEbsDefaultKmsKeyIdCommand).callsFake((input: { KmsKeyId: string }) => ({ KmsKeyId: input.KmsKeyId }));
  ec2Mock.on(ResetEbsDefaultKmsKeyIdCommand).resolves({ KmsKeyId: AWS_MANAGED_KEY_ARN });
}

/** What kms:DescribeKey reports for any key. */
function givenKeyState(state: KeyState): void {
  kmsMock.on(DescribeKeyCommand).callsFake((input: { KeyId: string }) => ({ KeyMetadata: { KeyId: input.KeyId, KeyState: state } }));
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

/** The names and inputs of every EC2 call, in order. */
function callLog(): Array<[string, unknown]> {
  return ec2Mock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return [command.constructor.name, command.input];
  });
}

function countOf(command: (typeof ALL_COMMANDS)[number]): number {
  return ec2Mock.commandCalls(command as typeof GetEbsEncryptionByDefaultCommand).length;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('ebs-encryption-by-default handler', () => {
  describe('Create', () => {
    test('records disabled + AWS managed key, then enables and sets the CMK', async () => {
      // GIVEN encryption by default off, the AWS managed key as the default
      givenSettings(false, 'alias/aws/ebs');

      // WHEN
      const response = await handler(createEvent());

      // THEN
      expect(callLog()).toEqual([
        ['GetEbsEncryptionByDefaultCommand', {}],
        ['GetEbsDefaultKmsKeyIdCommand', {}],
        ['EnableEbsEncryptionByDefaultCommand', {}],
        ['ModifyEbsDefaultKmsKeyIdCommand', { KmsKeyId: KEY_ARN }],
      ]);
      expect(response).toEqual({
        PhysicalResourceId: ID_DISABLED_AWS_MANAGED,
        Data: { PreviousEnabled: 'false', PreviousKmsKeyId: 'aws-managed' },
      });
    });

    test('records enabled + another CMK when that was the setting', async () => {
      // GIVEN
      givenSettings(true, OTHER_CMK_ARN);

      // WHEN
      const response = await handler(createEvent());

      // THEN
      expect(callLog()).toEqual([
        ['GetEbsEncryptionByDefaultCommand', {}],
        ['GetEbsDefaultKmsKeyIdCommand', {}],
        ['EnableEbsEncryptionByDefaultCommand', {}],
        ['ModifyEbsDefaultKmsKeyIdCommand', { KmsKeyId: KEY_ARN }],
      ]);
      expect(response).toEqual({
        PhysicalResourceId: ID_ENABLED_OTHER_CMK,
        Data: { PreviousEnabled: 'true', PreviousKmsKeyId: OTHER_CMK_ARN },
      });
      expect(response.PhysicalResourceId.length).toBeLessThan(256);
    });

    test.each([
      ['the alias ARN of aws/ebs', 'arn:aws:kms:eu-west-1:111122223333:alias/aws/ebs'],
      ['no key reported', undefined],
    ])('records %s as aws-managed', async (_label, reported) => {
      // GIVEN
      givenSettings(true, reported);

      // WHEN
      const response = await handler(createEvent());

      // THEN
      expect(response.PhysicalResourceId).toBe(`ebs-encryption-by-default:${REGION}:enabled=true:key=aws-managed`);
    });

    test('a retried create finds its own settings, records them and warns', async () => {
      // GIVEN the settings a first attempt already made
      givenSettings(true, KEY_ARN);

      // WHEN
      const response = await handler(createEvent());

      // THEN
      expect(response.PhysicalResourceId).toBe(`ebs-encryption-by-default:${REGION}:enabled=true:key=${KEY_ARN}`);
      expect(logSpy.mock.calls.flat().join('\n')).toMatch(/already the requested ones.*Delete will leave them/);
    });

    test('rejects a KmsKeyId that is not a key ARN before calling EC2', async () => {
      // WHEN / THEN
      await expect(handler(createEvent('alias/my-key')))
        .rejects.toThrow(/^ValidateProperties failed: KmsKeyId must be the ARN of a customer managed KMS key .*, got alias\/my-key$/);
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    test('rejects a key in another Region before calling EC2', async () => {
      // WHEN / THEN
      await expect(handler(createEvent('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')))
        .rejects.toThrow(/KmsKeyId must be a key in eu-west-1, .* got a key in us-east-1/);
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    test('rejects a missing KmsKeyId', async () => {
      await expect(handler(createEvent(null))).rejects.toThrow('ValidateProperties failed: missing required property: KmsKeyId');
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    test('when setting the key fails, turns encryption by default off again if it was off before', async () => {
      // GIVEN
      givenSettings(false, 'alias/aws/ebs');
      ec2Mock.on(ModifyEbsDefaultKmsKeyIdCommand).rejects(awsError('InvalidParameterValue', 'Invalid KMS key'));

      // WHEN
      const err = await captureError(handler(createEvent()));

      // THEN
      expect(err.message).toMatch(/^ModifyEbsDefaultKmsKeyId failed: EC2 rejected KmsKeyId .*key\/1234abcd.*symmetric encryption customer managed key/);
      expect(callLog().map(([name]) => name)).toEqual([
        'GetEbsEncryptionByDefaultCommand',
        'GetEbsDefaultKmsKeyIdCommand',
        'EnableEbsEncryptionByDefaultCommand',
        'ModifyEbsDefaultKmsKeyIdCommand',
        'DisableEbsEncryptionByDefaultCommand',
      ]);
    });

    test('when setting the key fails, leaves encryption by default on if it was on before', async () => {
      // GIVEN
      givenSettings(true, OTHER_CMK_ARN);
      ec2Mock.on(ModifyEbsDefaultKmsKeyIdCommand).rejects(awsError('InvalidParameterValue', 'Invalid KMS key'));

      // WHEN / THEN
      await expect(handler(createEvent())).rejects.toThrow(/ModifyEbsDefaultKmsKeyId failed/);
      expect(countOf(DisableEbsEncryptionByDefaultCommand)).toBe(0);
    });

    test('a failing rollback is logged and the original error is thrown', async () => {
      // GIVEN
      givenSettings(false, 'alias/aws/ebs');
      ec2Mock.on(ModifyEbsDefaultKmsKeyIdCommand).rejects(awsError('InvalidParameterValue', 'Invalid KMS key'));
      ec2Mock.on(DisableEbsEncryptionByDefaultCommand).rejects(awsError('UnauthorizedOperation', 'no'));

      // WHEN / THEN
      await expect(handler(createEvent())).rejects.toThrow(/^ModifyEbsDefaultKmsKeyId failed: EC2 rejected KmsKeyId/);
      expect(logSpy.mock.calls.flat().join('\n')).toMatch(/encryption by default stays on/);
    });
  });

  describe('Update', () => {
    test('a new KmsKeyId only modifies the default key and keeps the recorded settings', async () => {
      // GIVEN
      givenSettings(true, KEY_ARN);

      // WHEN
      const response = await handler(updateEvent(NEW_KEY_ARN, KEY_ARN, ID_DISABLED_AWS_MANAGED));

      // THEN
      expect(callLog()).toEqual([['ModifyEbsDefaultKmsKeyIdCommand', { KmsKeyId: NEW_KEY_ARN }]]);
      expect(response).toEqual({
        PhysicalResourceId: ID_DISABLED_AWS_MANAGED,
        Data: { PreviousEnabled: 'false', PreviousKmsKeyId: 'aws-managed' },
      });
    });

    test('refuses a physical id it did not issue', async () => {
      // WHEN / THEN
      await expect(handler(updateEvent(NEW_KEY_ARN, KEY_ARN, 'something-else')))
        .rejects.toThrow(/physical id something-else was not issued by this handler/);
      expect(ec2Mock.calls()).toHaveLength(0);
    });
  });

  describe('Delete', () => {
    test.each([
      {
        label: 'disabled + AWS managed key: reset the key, disable',
        physicalId: ID_DISABLED_AWS_MANAGED,
        expected: [
          ['GetEbsDefaultKmsKeyIdCommand', {}],
          ['ResetEbsDefaultKmsKeyIdCommand', {}],
          ['DisableEbsEncryptionByDefaultCommand', {}],
        ],
      },
      {
        label: 'enabled + AWS managed key: reset the key, stay enabled',
        physicalId: `ebs-encryption-by-default:${REGION}:enabled=true:key=aws-managed`,
        expected: [
          ['GetEbsDefaultKmsKeyIdCommand', {}],
          ['ResetEbsDefaultKmsKeyIdCommand', {}],
        ],
      },
      {
        label: 'disabled + another CMK: set that key again, disable',
        physicalId: `ebs-encryption-by-default:${REGION}:enabled=false:key=${OTHER_CMK_ARN}`,
        expected: [
          ['GetEbsDefaultKmsKeyIdCommand', {}],
          ['ModifyEbsDefaultKmsKeyIdCommand', { KmsKeyId: OTHER_CMK_ARN }],
          ['DisableEbsEncryptionByDefaultCommand', {}],
        ],
      },
      {
        label: 'enabled + another CMK: set that key again, stay enabled',
        physicalId: ID_ENABLED_OTHER_CMK,
        expected: [
          ['GetEbsDefaultKmsKeyIdCommand', {}],
          ['ModifyEbsDefaultKmsKeyIdCommand', { KmsKeyId: OTHER_CMK_ARN }],
        ],
      },
    ])('restores $label', async ({ physicalId, expected }) => {
      // GIVEN the settings this resource made
      givenSettings(true, KEY_ARN);

      // WHEN
      const response = await handler(deleteEvent(physicalId));

      // THEN
      expect(callLog()).toEqual(expected);
      expect(response).toEqual({ PhysicalResourceId: physicalId });
    });

    test('checks a previous customer managed key with DescribeKey before restoring it', async () => {
      // GIVEN
      givenSettings(true, KEY_ARN);

      // WHEN
      await handler(deleteEvent(ID_ENABLED_OTHER_CMK));

      // THEN
      expect(kmsMock.commandCalls(DescribeKeyCommand).map((call) => call.args[0].input)).toEqual([{ KeyId: OTHER_CMK_ARN }]);
      expect(countOf(ModifyEbsDefaultKmsKeyIdCommand)).toBe(1);
    });

    test('never describes the AWS managed key', async () => {
      // GIVEN
      givenSettings(true, KEY_ARN);

      // WHEN
      await handler(deleteEvent(ID_DISABLED_AWS_MANAGED));

      // THEN
      expect(kmsMock.calls()).toHaveLength(0);
    });

    test.each([
      'PendingDeletion', 'Disabled', 'PendingImport', 'Unavailable', 'PendingReplicaDeletion',
    ] as KeyState[])('a previous key that is %s is not restored: the AWS managed key becomes the default, and the log says why', async (state) => {
      // GIVEN
      givenSettings(true, KEY_ARN);
      givenKeyState(state);

      // WHEN
      const response = await handler(deleteEvent(`ebs-encryption-by-default:${REGION}:enabled=false:key=${OTHER_CMK_ARN}`));

      // THEN
      expect(callLog()).toEqual([
        ['GetEbsDefaultKmsKeyIdCommand', {}],
        ['ResetEbsDefaultKmsKeyIdCommand', {}],
        ['DisableEbsEncryptionByDefaultCommand', {}],
      ]);
      expect(logSpy.mock.calls.flat().join('\n')).toContain(`key ${OTHER_CMK_ARN} is ${state}, not Enabled`);
      expect(response).toEqual({ PhysicalResourceId: `ebs-encryption-by-default:${REGION}:enabled=false:key=${OTHER_CMK_ARN}` });
    });

    test.each([
      ['NotFoundException', `key ${OTHER_CMK_ARN} no longer exists (NotFoundException)`],
      ['AccessDeniedException', `the handler may not describe key ${OTHER_CMK_ARN} (AccessDeniedException), so it cannot tell whether the key is usable (its role needs kms:DescribeKey on the key, and the key policy must allow it)`],
    ])('a previous key that DescribeKey answers with %s is not restored', async (errorName, reason) => {
      // GIVEN
      givenSettings(true, KEY_ARN);
      kmsMock.on(DescribeKeyCommand).rejects(awsError(errorName, 'no'));

      // WHEN
      await handler(deleteEvent(ID_ENABLED_OTHER_CMK));

      // THEN
      expect(callLog()).toEqual([
        ['GetEbsDefaultKmsKeyIdCommand', {}],
        ['ResetEbsDefaultKmsKeyIdCommand', {}],
      ]);
      expect(logSpy.mock.calls.flat().join('\n')).toContain(reason);
    });

    test('two stacks deleted in turn: the second does not bring back the first one\'s key, now pending deletion', async () => {
      // GIVEN stack A made KEY_ARN the default over the AWS managed key; stack B then made NEW_KEY_ARN
      // the default and recorded KEY_ARN as the previous one
      const idOfA = `ebs-encryption-by-default:${REGION}:enabled=false:key=aws-managed`;
      const idOfB = `ebs-encryption-by-default:${REGION}:enabled=true:key=${KEY_ARN}`;
      givenSettings(true, NEW_KEY_ARN);

      // WHEN stack A is deleted: the default is no longer its key, so it changes nothing; its key is
      // then scheduled for deletion
      await handler(deleteEvent(idOfA, KEY_ARN));
      expect(callLog()).toEqual([['GetEbsDefaultKmsKeyIdCommand', {}]]);
      givenKeyState('PendingDeletion');

      // ... and then stack B is deleted
      ec2Mock.resetHistory();
      await handler(deleteEvent(idOfB, NEW_KEY_ARN));

      // THEN B resets to the AWS managed key instead of restoring A's key
      expect(kmsMock.commandCalls(DescribeKeyCommand).map((call) => call.args[0].input)).toEqual([{ KeyId: KEY_ARN }]);
      expect(callLog()).toEqual([
        ['GetEbsDefaultKmsKeyIdCommand', {}],
        ['ResetEbsDefaultKmsKeyIdCommand', {}],
      ]);
      expect(countOf(ModifyEbsDefaultKmsKeyIdCommand)).toBe(0);
    });

    test('a DescribeKey error that says nothing about the key fails the delete without changing anything', async () => {
      // GIVEN
      givenSettings(true, KEY_ARN);
      kmsMock.on(DescribeKeyCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

      // WHEN / THEN
      await expect(handler(deleteEvent(ID_ENABLED_OTHER_CMK)))
        .rejects.toThrow(/^DescribeKey failed: ThrottlingException after 5 attempts; retry the deployment later/);
      expect(callLog()).toEqual([['GetEbsDefaultKmsKeyIdCommand', {}]]);
    });

    test.each([
      'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
      'request-1',
      'ebs-encryption-by-default:eu-west-1:enabled=maybe:key=aws-managed',
      'ebs-encryption-by-default:eu-west-1:enabled=true:key=bad key with spaces',
    ])('does nothing for the foreign physical id %p', async (physicalId) => {
      // GIVEN
      givenSettings(true, KEY_ARN);

      // WHEN
      const response = await handler(deleteEvent(physicalId));

      // THEN
      expect(ec2Mock.calls()).toHaveLength(0);
      expect(response).toEqual({ PhysicalResourceId: physicalId });
      expect(logSpy.mock.calls.flat().join('\n')).toMatch(/not issued by this handler/);
    });

    test('does nothing for a physical id of another Region', async () => {
      // GIVEN
      givenSettings(true, KEY_ARN);

      // WHEN
      await handler(deleteEvent('ebs-encryption-by-default:us-east-1:enabled=false:key=aws-managed'));

      // THEN
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    test('does not restore when the default key was changed after this resource set it', async () => {
      // GIVEN someone else made another key the default since
      givenSettings(true, NEW_KEY_ARN);

      // WHEN
      await handler(deleteEvent(ID_DISABLED_AWS_MANAGED));

      // THEN only the check ran
      expect(callLog()).toEqual([['GetEbsDefaultKmsKeyIdCommand', {}]]);
      expect(logSpy.mock.calls.flat().join('\n')).toMatch(/default key was changed after this resource set it/);
    });

    test('Delete never validates KmsKeyId (a broken property must not block stack deletion)', async () => {
      // GIVEN
      givenSettings(true, 'not-an-arn');

      // WHEN
      await handler(deleteEvent(ID_ENABLED_OTHER_CMK, 'not-an-arn'));

      // THEN
      expect(callLog()).toEqual([
        ['GetEbsDefaultKmsKeyIdCommand', {}],
        ['ModifyEbsDefaultKmsKeyIdCommand', { KmsKeyId: OTHER_CMK_ARN }],
      ]);
    });
  });

  describe('AWS errors', () => {
    test.each([
      { command: EnableEbsEncryptionByDefaultCommand, action: 'EnableEbsEncryptionByDefault' },
      { command: GetEbsEncryptionByDefaultCommand, action: 'GetEbsEncryptionByDefault' },
      { command: GetEbsDefaultKmsKeyIdCommand, action: 'GetEbsDefaultKmsKeyId' },
    ])('UnauthorizedOperation on $action names ec2:$action and keeps the cause', async ({ command, action }) => {
      // GIVEN
      givenSettings(false, 'alias/aws/ebs');
      const denied = awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.');
      ec2Mock.on(command as typeof GetEbsEncryptionByDefaultCommand).rejects(denied);

      // WHEN
      const err = await captureError(handler(createEvent()));

      // THEN
      expect(err.message).toMatch(new RegExp(`^${action} failed: access denied: the handler's role needs ec2:${action} \\(.*Resource "\\*"\\)`));
      expect(err.cause).toBe(denied);
      expect(countOf(ModifyEbsDefaultKmsKeyIdCommand)).toBe(0);
    });

    test('UnauthorizedOperation on ModifyEbsDefaultKmsKeyId also points at the key policy', async () => {
      // GIVEN
      givenSettings(true, OTHER_CMK_ARN);
      ec2Mock.on(ModifyEbsDefaultKmsKeyIdCommand).rejects(awsError('UnauthorizedOperation', 'not authorized'));

      // WHEN
      const err = await captureError(handler(createEvent()));

      // THEN
      expect(err.message).toMatch(/^ModifyEbsDefaultKmsKeyId failed: access denied: the handler's role needs ec2:ModifyEbsDefaultKmsKeyId/);
      expect(err.message).toContain(`the key policy of ${KEY_ARN} must also let the handler's role use the key`);
    });

    test('AccessDenied on Delete names the restoring action', async () => {
      // GIVEN
      givenSettings(true, KEY_ARN);
      ec2Mock.on(ResetEbsDefaultKmsKeyIdCommand).rejects(awsError('UnauthorizedOperation', 'no'));

      // WHEN / THEN
      await expect(handler(deleteEvent(ID_DISABLED_AWS_MANAGED)))
        .rejects.toThrow(/^ResetEbsDefaultKmsKeyId failed: access denied: the handler's role needs ec2:ResetEbsDefaultKmsKeyId/);
      expect(countOf(DisableEbsEncryptionByDefaultCommand)).toBe(0);
    });

    test('RequestLimitExceeded that survives the SDK retries says so', async () => {
      // GIVEN
      givenSettings(false, 'alias/aws/ebs');
      ec2Mock.on(GetEbsEncryptionByDefaultCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));

      // WHEN / THEN
      await expect(handler(createEvent()))
        .rejects.toThrow(/^GetEbsEncryptionByDefault failed: RequestLimitExceeded after 5 attempts; retry the deployment later/);
    });

    test('an unknown error keeps its name and message', async () => {
      // GIVEN
      givenSettings(false, 'alias/aws/ebs');
      ec2Mock.on(EnableEbsEncryptionByDefaultCommand).rejects(awsError('OptInRequired', 'opt in first'));

      // WHEN / THEN
      await expect(handler(createEvent())).rejects.toThrow('EnableEbsEncryptionByDefault failed: OptInRequired: opt in first');
    });
  });

  describe('physical id helpers', () => {
    test('round-trip every combination', () => {
      for (const enabled of [true, false]) {
        for (const kmsKeyId of [AWS_MANAGED_KEY, OTHER_CMK_ARN, 'alias/legacy-key', '1234abcd-12ab-34cd-56ef-1234567890ab']) {
          const previous = { region: 'us-gov-west-1', enabled, kmsKeyId };
          expect(decodePhysicalId(encodePhysicalId(previous))).toEqual(previous);
        }
      }
    });

    test('refuse what cannot be recorded', () => {
      expect(() => encodePhysicalId({ region: REGION, enabled: true, kmsKeyId: 'a'.repeat(1000) }))
        .toThrow(/at most 1024 characters/);
      expect(() => encodePhysicalId({ region: REGION, enabled: true, kmsKeyId: 'key with spaces' }))
        .toThrow(/characters a KMS key id never has/);
      expect(decodePhysicalId(undefined)).toBeUndefined();
    });

    test('normalize the AWS managed key', () => {
      expect(normalizeDefaultKmsKeyId('alias/aws/ebs')).toBe(AWS_MANAGED_KEY);
      expect(normalizeDefaultKmsKeyId('arn:aws-cn:kms:cn-north-1:111122223333:alias/aws/ebs')).toBe(AWS_MANAGED_KEY);
      expect(normalizeDefaultKmsKeyId(OTHER_CMK_ARN)).toBe(OTHER_CMK_ARN);
    });

    test('accept multi-Region and other-partition key ARNs', () => {
      const mrk = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
      expect(validateKmsKeyArn(mrk, REGION)).toBe(mrk);
      const gov = 'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      expect(validateKmsKeyArn(gov, 'us-gov-west-1')).toBe(gov);
    });
  });
});
