/**
 * Custom resource `onEvent` handler (aws-cdk-lib `custom_resources.Provider`) that turns on EBS
 * encryption by default for the account in the handler's Region and makes a customer managed key
 * the default key. Both are account-and-Region settings that CloudFormation has no resource for.
 *
 * ResourceProperties (strings, as CloudFormation passes them):
 * - `KmsKeyId` (required): the ARN of the customer managed KMS key, in the handler's Region.
 *
 * Create: GetEbsEncryptionByDefault and GetEbsDefaultKmsKeyId record the settings found, then
 * EnableEbsEncryptionByDefault and ModifyEbsDefaultKmsKeyId(KmsKeyId). When ModifyEbsDefaultKmsKeyId
 * fails and encryption by default was off before, DisableEbsEncryptionByDefault puts it back (best
 * effort) so that a failed create leaves nothing behind.
 *
 * PhysicalResourceId records the settings found before, because Delete receives nothing else:
 * `ebs-encryption-by-default:<region>:enabled=<true|false>:key=<previous key, or aws-managed for the
 * AWS managed aws/ebs key>`. A create that is retried after it already changed the settings cannot
 * know what was there before: it records the settings it finds, which are then its own.
 *
 * Data: `PreviousEnabled` ('true' | 'false') and `PreviousKmsKeyId` (as recorded), on Create and Update.
 *
 * Update (KmsKeyId changed): ModifyEbsDefaultKmsKeyId(new KmsKeyId) only. The physical id stays the
 * same, so the settings recorded by the original create are what Delete restores.
 *
 * Delete restores the recorded settings: ResetEbsDefaultKmsKeyId when the AWS managed key was the
 * default, else ModifyEbsDefaultKmsKeyId(previous key); then DisableEbsEncryptionByDefault when
 * encryption by default was off, else it stays on. A previous customer managed key is first checked
 * with kms:DescribeKey: only an Enabled key is restored. One that is disabled, pending deletion,
 * pending import, in another state, not found, or that the handler may not describe, would make
 * every new volume of the account fail (EBS checks the default key only when it uses it): the
 * handler resets to the AWS managed key instead and logs why. This happens when two stacks set the
 * default in turn and are deleted in turn: the first stack's key is deleted (pending deletion)
 * before the second stack's resource would restore it. It changes nothing, and says so in the log, when:
 * - the physical id is not one this handler issued (for example a placeholder of a failed create),
 * - the physical id names another Region,
 * - the current default key is no longer `KmsKeyId` (someone, or another stack, changed it since:
 *   restoring would undo their change).
 *
 * IAM for the handler's role (these EC2 actions are account-level settings without a resource
 * type, so they need `Resource: '*'`): ec2:GetEbsEncryptionByDefault, ec2:GetEbsDefaultKmsKeyId,
 * ec2:EnableEbsEncryptionByDefault, ec2:DisableEbsEncryptionByDefault,
 * ec2:ModifyEbsDefaultKmsKeyId, ec2:ResetEbsDefaultKmsKeyId. On Delete, kms:DescribeKey on the previous
 * default key (any key of the account and Region; without it the handler resets to the AWS managed key
 * rather than restore a key it cannot check). The EC2 API documents no KMS permission
 * for the caller of ModifyEbsDefaultKmsKeyId (EBS checks the key asynchronously); the principals that
 * later create volumes and launch instances need kms:CreateGrant, kms:Decrypt, kms:DescribeKey,
 * kms:GenerateDataKeyWithoutPlaintext and kms:ReEncrypt* on the key.
 */

// The AWS SDK v3 is provided by the Lambda runtime and left external by the bundler; the package
// lists it as a devDependency for types and tests only.
// eslint-disable-next-line import/no-extraneous-dependencies
import {
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsDefaultKmsKeyIdCommand,
  GetEbsEncryptionByDefaultCommand,
  ModifyEbsDefaultKmsKeyIdCommand,
  ResetEbsDefaultKmsKeyIdCommand,
} from '@aws-sdk/client-ec2';
// eslint-disable-next-line import/no-extraneous-dependencies
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  AWS_MANAGED_KEY,
  EbsSettingsFormatError,
  type PreviousEbsSettings,
  decodePhysicalId,
  encodePhysicalId,
  normalizeDefaultKmsKeyId,
  validateKmsKeyArn,
} from './private/ebs-default-settings';
import { errorName, log, stringProp } from '../private/handler-utils';

/** SDK attempts per call, including the first; covers RequestLimitExceeded with backoff. */
const MAX_ATTEMPTS = 5;

const ec2 = new EC2Client({ maxAttempts: MAX_ATTEMPTS });
const kms = new KMSClient({ maxAttempts: MAX_ATTEMPTS });

/** Response of an `onEvent` handler of the CDK Provider framework. */
export interface EbsEncryptionByDefaultResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The steps the handler takes, as they appear in logs and error messages. */
type Step =
  | 'ValidateProperties'
  | 'GetEbsEncryptionByDefault'
  | 'GetEbsDefaultKmsKeyId'
  | 'EnableEbsEncryptionByDefault'
  | 'ModifyEbsDefaultKmsKeyId'
  | 'ResetEbsDefaultKmsKeyId'
  | 'DisableEbsEncryptionByDefault'
  | 'DescribeKey'
  | 'RecordPreviousSettings';

/** Every failure of this handler; the message names the step. */
export class EbsEncryptionByDefaultError extends Error {
  public readonly step: Step;

  constructor(step: Step, message: string, cause?: unknown) {
    super(`${step} failed: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'EbsEncryptionByDefaultError';
    this.step = step;
  }
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<EbsEncryptionByDefaultResponse> {
  const region = currentRegion();
  switch (event.RequestType) {
    case 'Create':
      return create(kmsKeyIdProperty(event.ResourceProperties, region), region);
    case 'Update':
      return update(event.PhysicalResourceId, kmsKeyIdProperty(event.ResourceProperties, region), region);
    case 'Delete':
      return remove(event.PhysicalResourceId, stringProp(event.ResourceProperties, 'KmsKeyId'), region);
  }
}

async function create(kmsKeyId: string, region: string): Promise<EbsEncryptionByDefaultResponse> {
  const previousEnabled = await getEncryptionByDefault();
  const previousKmsKeyId = normalizeDefaultKmsKeyId(await getDefaultKmsKeyId());
  const previous: PreviousEbsSettings = { region, enabled: previousEnabled, kmsKeyId: previousKmsKeyId };
  let physicalResourceId: string;
  try {
    physicalResourceId = encodePhysicalId(previous);
  } catch (err) {
    throw new EbsEncryptionByDefaultError('RecordPreviousSettings', (err as Error).message);
  }
  log('RecordPreviousSettings', { region, previousEnabled, previousKmsKeyId, physicalResourceId });
  if (previousEnabled && previousKmsKeyId === kmsKeyId) {
    log('RecordPreviousSettings', {
      warning: 'the settings are already the requested ones (a retried create, or another resource set them); '
        + 'Delete will leave them as they are',
    });
  }

  await enableEncryptionByDefault(kmsKeyId);
  try {
    await modifyDefaultKmsKeyId(kmsKeyId);
  } catch (err) {
    if (!previousEnabled) {
      await undoEnable();
    }
    throw err;
  }
  log('Done', { requestType: 'Create', region, kmsKeyId, physicalResourceId });
  return { PhysicalResourceId: physicalResourceId, Data: data(previous) };
}

async function update(physicalId: string, kmsKeyId: string, region: string): Promise<EbsEncryptionByDefaultResponse> {
  const previous = decodePhysicalId(physicalId);
  if (!previous) {
    throw new EbsEncryptionByDefaultError(
      'ValidateProperties',
      `physical id ${physicalId} was not issued by this handler, so the settings to restore on delete are unknown`,
    );
  }
  // Enabling is not repeated: the physical id proves that Create enabled it.
  await modifyDefaultKmsKeyId(kmsKeyId);
  log('Done', { requestType: 'Update', region, kmsKeyId, physicalResourceId: physicalId });
  return { PhysicalResourceId: physicalId, Data: data(previous) };
}

async function remove(physicalId: string, kmsKeyId: string | undefined, region: string): Promise<EbsEncryptionByDefaultResponse> {
  const response = { PhysicalResourceId: physicalId };
  const previous = decodePhysicalId(physicalId);
  if (!previous) {
    log('Delete', {
      physicalResourceId: physicalId,
      action: 'none: the physical id was not issued by this handler (for example a failed create), nothing to restore',
    });
    return response;
  }
  if (previous.region !== region) {
    log('Delete', {
      physicalResourceId: physicalId,
      region,
      action: `none: the physical id records the settings of ${previous.region}, not of ${region}`,
    });
    return response;
  }

  const current = await getDefaultKmsKeyId();
  if (kmsKeyId !== undefined && current !== kmsKeyId) {
    log('Delete', {
      physicalResourceId: physicalId,
      kmsKeyId,
      currentKmsKeyId: current ?? 'none reported',
      action: 'none: the default key was changed after this resource set it; restoring would undo that change',
    });
    return response;
  }

  let restoredKmsKeyId = previous.kmsKeyId;
  if (previous.kmsKeyId !== AWS_MANAGED_KEY) {
    const unusable = await whyUnusable(previous.kmsKeyId);
    if (unusable !== undefined) {
      log('Delete', {
        previousKmsKeyId: previous.kmsKeyId,
        action: `the AWS managed key becomes the default instead of the previous key: ${unusable}; `
          + 'restoring it would make new volumes of the account fail',
      });
      restoredKmsKeyId = AWS_MANAGED_KEY;
    }
  }
  if (restoredKmsKeyId === AWS_MANAGED_KEY) {
    await resetDefaultKmsKeyId();
  } else {
    await modifyDefaultKmsKeyId(restoredKmsKeyId);
  }
  if (!previous.enabled) {
    await disableEncryptionByDefault();
  }
  log('Done', {
    requestType: 'Delete',
    region,
    previousKmsKeyId: previous.kmsKeyId,
    restoredKmsKeyId,
    restoredEnabled: previous.enabled,
  });
  return response;
}

/**
 * Why the previous default key cannot be the default again, or `undefined` when it is Enabled.
 * Errors that say nothing about the key (throttling, KMS internal errors) are thrown: the delete
 * fails and can be retried, rather than replace a good key for a passing reason.
 */
async function whyUnusable(kmsKeyId: string): Promise<string | undefined> {
  log('DescribeKey', { kmsKeyId });
  let state: string | undefined;
  try {
    state = (await kms.send(new DescribeKeyCommand({ KeyId: kmsKeyId }))).KeyMetadata?.KeyState;
  } catch (err) {
    const name = errorName(err);
    switch (name) {
      case 'NotFoundException':
        return `key ${kmsKeyId} no longer exists (NotFoundException)`;
      case 'AccessDeniedException':
      case 'AccessDenied':
        return `the handler may not describe key ${kmsKeyId} (${name}), so it cannot tell whether the key is usable `
          + '(its role needs kms:DescribeKey on the key, and the key policy must allow it)';
      case 'InvalidArnException':
        return `${kmsKeyId} is not a valid key ARN for KMS (InvalidArnException)`;
      default:
        throw awsError('DescribeKey', err, kmsKeyId);
    }
  }
  log('DescribeKey', { kmsKeyId, keyState: state ?? 'not reported' });
  return state === 'Enabled' ? undefined : `key ${kmsKeyId} is ${state ?? 'in an unknown state'}, not Enabled`;
}

function data(previous: PreviousEbsSettings): Record<string, string> {
  return { PreviousEnabled: String(previous.enabled), PreviousKmsKeyId: previous.kmsKeyId };
}

// ---------------------------------------------------------------------------------------------
// EC2 calls, one function per API
// ---------------------------------------------------------------------------------------------

async function getEncryptionByDefault(): Promise<boolean> {
  log('GetEbsEncryptionByDefault', {});
  try {
    const response = await ec2.send(new GetEbsEncryptionByDefaultCommand({}));
    return response.EbsEncryptionByDefault === true;
  } catch (err) {
    throw awsError('GetEbsEncryptionByDefault', err);
  }
}

async function getDefaultKmsKeyId(): Promise<string | undefined> {
  log('GetEbsDefaultKmsKeyId', {});
  try {
    const response = await ec2.send(new GetEbsDefaultKmsKeyIdCommand({}));
    return response.KmsKeyId;
  } catch (err) {
    throw awsError('GetEbsDefaultKmsKeyId', err);
  }
}

async function enableEncryptionByDefault(kmsKeyId: string): Promise<void> {
  log('EnableEbsEncryptionByDefault', { kmsKeyId });
  try {
    await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
  } catch (err) {
    throw awsError('EnableEbsEncryptionByDefault', err);
  }
}

async function modifyDefaultKmsKeyId(kmsKeyId: string): Promise<void> {
  log('ModifyEbsDefaultKmsKeyId', { kmsKeyId });
  try {
    const response = await ec2.send(new ModifyEbsDefaultKmsKeyIdCommand({ KmsKeyId: kmsKeyId }));
    log('ModifyEbsDefaultKmsKeyId', { kmsKeyId, reportedKmsKeyId: response.KmsKeyId });
  } catch (err) {
    throw awsError('ModifyEbsDefaultKmsKeyId', err, kmsKeyId);
  }
}

async function resetDefaultKmsKeyId(): Promise<void> {
  log('ResetEbsDefaultKmsKeyId', {});
  try {
    await ec2.send(new ResetEbsDefaultKmsKeyIdCommand({}));
  } catch (err) {
    throw awsError('ResetEbsDefaultKmsKeyId', err);
  }
}

async function disableEncryptionByDefault(): Promise<void> {
  log('DisableEbsEncryptionByDefault', {});
  try {
    await ec2.send(new DisableEbsEncryptionByDefaultCommand({}));
  } catch (err) {
    throw awsError('DisableEbsEncryptionByDefault', err);
  }
}

/** After a failed create: encryption by default was off before, so turn it off again. Never throws. */
async function undoEnable(): Promise<void> {
  try {
    await disableEncryptionByDefault();
    log('DisableEbsEncryptionByDefault', { rollback: 'encryption by default is off again, as before the create' });
  } catch (err) {
    log('DisableEbsEncryptionByDefault', {
      rollback: 'failed: encryption by default stays on; turn it off by hand if it should be off',
      error: (err as Error).message,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Properties, errors, logging
// ---------------------------------------------------------------------------------------------

function currentRegion(): string {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new EbsEncryptionByDefaultError('ValidateProperties', 'AWS_REGION is not set in the handler environment');
  }
  return region;
}

function kmsKeyIdProperty(raw: Record<string, unknown>, region: string): string {
  const kmsKeyId = stringProp(raw, 'KmsKeyId');
  if (kmsKeyId === undefined) {
    throw new EbsEncryptionByDefaultError('ValidateProperties', 'missing required property: KmsKeyId');
  }
  try {
    return validateKmsKeyArn(kmsKeyId, region);
  } catch (err) {
    if (err instanceof EbsSettingsFormatError) {
      throw new EbsEncryptionByDefaultError('ValidateProperties', err.message);
    }
    throw err;
  }
}

/** Turn an AWS SDK error into a message that says what to do; the SDK error stays as `cause`. */
function awsError(step: Step, err: unknown, kmsKeyId?: string): EbsEncryptionByDefaultError {
  const name = errorName(err);
  const awsMessage = err instanceof Error ? err.message : String(err);
  let message: string;
  switch (name) {
    case 'UnauthorizedOperation':
    case 'AccessDenied':
    case 'AccessDeniedException':
      message = `access denied: the handler's role needs ec2:${step} (an account-level setting: IAM Resource "*")`;
      if (step === 'ModifyEbsDefaultKmsKeyId') {
        message += `; if the denial names a kms: action, the key policy of ${kmsKeyId} must also let the handler's `
          + 'role use the key (for example kms:DescribeKey)';
      }
      message += `: ${awsMessage}`;
      break;
    case 'InvalidParameterValue':
    case 'InvalidParameter':
    case 'InvalidParameterCombination':
    case 'InvalidKmsKey.NotFound':
    case 'KMSKeyNotAccessibleFault':
      message = step === 'ModifyEbsDefaultKmsKeyId'
        ? `EC2 rejected KmsKeyId ${kmsKeyId}: it must be an enabled symmetric encryption customer managed key in `
          + `this Region that the handler's role may use: ${name}: ${awsMessage}`
        : `invalid request: ${name}: ${awsMessage}`;
      break;
    case 'RequestLimitExceeded':
    case 'Throttling':
    case 'ThrottlingException':
    case 'KMSInternalException':
    case 'DependencyTimeoutException':
    case 'InternalError':
    case 'ServiceUnavailable':
    case 'Unavailable':
      message = `${name} after ${MAX_ATTEMPTS} attempts; retry the deployment later: ${awsMessage}`;
      break;
    default:
      message = `${name}: ${awsMessage}`;
  }
  return new EbsEncryptionByDefaultError(step, message, err);
}
