// Pure helpers for the EBS encryption-by-default custom resource.
//
// Used by `ebs-encryption-by-default.lambda.ts`; no AWS SDK and no aws-cdk-lib imports, so they can
// be bundled into the handler and tested on their own.
//
// Facts relied on (EC2 API Reference, GetEbsDefaultKmsKeyId, ModifyEbsDefaultKmsKeyId,
// ResetEbsDefaultKmsKeyId; AWS CLI examples for get-ebs-default-kms-key-id):
// - GetEbsDefaultKmsKeyId reports `alias/aws/ebs` while the AWS managed key is the default, and the
//   key ARN of a customer managed key otherwise.
// - ResetEbsDefaultKmsKeyId goes back to the AWS managed key; ModifyEbsDefaultKmsKeyId accepts a key
//   id, key ARN, alias name or alias ARN.
// - EBS validates the key asynchronously: an invalid key can be accepted by the API and only make
//   later volume creation fail, so the key ARN is checked here before it is set.

/** Marker recorded in the physical id when the previous default was the AWS managed `aws/ebs` key. */
export const AWS_MANAGED_KEY = 'aws-managed';

/** Prefix of every physical id this handler issues. */
export const PHYSICAL_ID_PREFIX = 'ebs-encryption-by-default';

/** CloudFormation keeps physical ids up to 1 KB; stay well below. */
export const MAX_PHYSICAL_ID_LENGTH = 1024;

/** The account and Region settings as they were before this resource changed them. */
export interface PreviousEbsSettings {
  readonly region: string;
  readonly enabled: boolean;
  /** Key id, key ARN, alias or alias ARN as EC2 reported it, or `AWS_MANAGED_KEY`. */
  readonly kmsKeyId: string;
}

/** Characters EC2 and KMS use in key ids, key ARNs, alias names and alias ARNs. */
const KEY_REFERENCE = /^[A-Za-z0-9:/_.-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const PHYSICAL_ID = new RegExp(`^${PHYSICAL_ID_PREFIX}:([a-z0-9-]+):enabled=(true|false):key=(.+)$`);

/**
 * A KMS key ARN (`arn:<partition>:kms:<region>:<account>:key/<key id>`), single- or multi-Region.
 * Aliases are not accepted: the handler compares the ARN with what EC2 reports.
 */
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** Thrown for an unusable property or physical id; the message says what was received. */
export class EbsSettingsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EbsSettingsFormatError';
  }
}

/** Checks that `kmsKeyId` is a key ARN in `region`; returns the ARN unchanged. */
export function validateKmsKeyArn(kmsKeyId: string, region: string): string {
  const match = KEY_ARN.exec(kmsKeyId);
  if (!match) {
    throw new EbsSettingsFormatError(
      `KmsKeyId must be the ARN of a customer managed KMS key (arn:<partition>:kms:<region>:<account>:key/<key id>), got ${kmsKeyId}`,
    );
  }
  if (match[1] !== region) {
    throw new EbsSettingsFormatError(
      `KmsKeyId must be a key in ${region}, the Region whose EBS default it becomes, got a key in ${match[1]}: ${kmsKeyId}`,
    );
  }
  return kmsKeyId;
}

/**
 * Normalizes what GetEbsDefaultKmsKeyId reported: the AWS managed key (`alias/aws/ebs`, as alias name
 * or alias ARN, or nothing at all) becomes `AWS_MANAGED_KEY`; anything else is kept as reported.
 */
export function normalizeDefaultKmsKeyId(reported: string | undefined): string {
  if (reported === undefined || reported === '' || reported === 'alias/aws/ebs' || reported.endsWith(':alias/aws/ebs')) {
    return AWS_MANAGED_KEY;
  }
  return reported;
}

/**
 * `ebs-encryption-by-default:<region>:enabled=<true|false>:key=<previous key or aws-managed>`.
 * CloudFormation passes only the physical id and the current properties on Delete, so the previous
 * settings travel in the id.
 */
export function encodePhysicalId(previous: PreviousEbsSettings): string {
  if (!REGION.test(previous.region)) {
    throw new EbsSettingsFormatError(`the Region must look like eu-west-1, got ${previous.region}`);
  }
  if (!KEY_REFERENCE.test(previous.kmsKeyId)) {
    throw new EbsSettingsFormatError(
      `the previous default KMS key id contains characters a KMS key id never has: ${JSON.stringify(previous.kmsKeyId)}`,
    );
  }
  const id = `${PHYSICAL_ID_PREFIX}:${previous.region}:enabled=${previous.enabled}:key=${previous.kmsKeyId}`;
  if (id.length > MAX_PHYSICAL_ID_LENGTH) {
    throw new EbsSettingsFormatError(
      `the previous settings do not fit a physical id of at most ${MAX_PHYSICAL_ID_LENGTH} characters (${id.length})`,
    );
  }
  return id;
}

/** The previous settings recorded in a physical id, or `undefined` for an id this handler did not issue. */
export function decodePhysicalId(physicalId: string | undefined): PreviousEbsSettings | undefined {
  if (physicalId === undefined || physicalId.length > MAX_PHYSICAL_ID_LENGTH) {
    return undefined;
  }
  const match = PHYSICAL_ID.exec(physicalId);
  if (!match || !REGION.test(match[1]) || !KEY_REFERENCE.test(match[3])) {
    return undefined;
  }
  return { region: match[1], enabled: match[2] === 'true', kmsKeyId: match[3] };
}
