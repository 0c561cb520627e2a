import {
  AWS_MANAGED_KEY,
  decodePhysicalId,
  EbsSettingsFormatError,
  encodePhysicalId,
  MAX_PHYSICAL_ID_LENGTH,
  normalizeDefaultKmsKeyId,
  PHYSICAL_ID_PREFIX,
  validateKmsKeyArn,
} from '../../../src/storage/private/ebs-default-settings';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';

describe('validateKmsKeyArn', () => {
  test.each([
    KEY_ARN,
    MRK_ARN,
    'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ])('%s is accepted in its own Region', (arn) => {
    const region = arn.split(':')[3];
    expect(validateKmsKeyArn(arn, region)).toBe(arn);
  });

  test.each([
    ['a key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['an alias ARN', 'arn:aws:kms:eu-west-1:111122223333:alias/ebs'],
    ['an alias name', 'alias/ebs'],
    ['an upper-case key id', 'arn:aws:kms:eu-west-1:111122223333:key/1234ABCD-12AB-34CD-56EF-1234567890AB'],
    ['a short account', 'arn:aws:kms:eu-west-1:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['another service', 'arn:aws:s3:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  ])('%s is refused, quoting what was received', (_what, value) => {
    expect(() => validateKmsKeyArn(value, 'eu-west-1')).toThrow(new EbsSettingsFormatError(
      `KmsKeyId must be the ARN of a customer managed KMS key (arn:<partition>:kms:<region>:<account>:key/<key id>), got ${value}`));
  });

  test('a key of another Region is refused: EBS defaults are per Region', () => {
    expect(() => validateKmsKeyArn(KEY_ARN, 'us-east-1'))
      .toThrow(`KmsKeyId must be a key in us-east-1, the Region whose EBS default it becomes, got a key in eu-west-1: ${KEY_ARN}`);
  });

  test('the error is an EbsSettingsFormatError', () => {
    try {
      validateKmsKeyArn('x', 'eu-west-1');
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(EbsSettingsFormatError);
      expect((e as Error).name).toBe('EbsSettingsFormatError');
    }
  });
});

describe('normalizeDefaultKmsKeyId', () => {
  test.each([undefined, '', 'alias/aws/ebs', 'arn:aws:kms:eu-west-1:111122223333:alias/aws/ebs'])('%j is the AWS managed key', (reported) => {
    expect(normalizeDefaultKmsKeyId(reported)).toBe(AWS_MANAGED_KEY);
  });

  test.each([KEY_ARN, 'alias/team-ebs', 'arn:aws:kms:eu-west-1:111122223333:alias/aws/ebs-copy'])('%s is kept as reported', (reported) => {
    expect(normalizeDefaultKmsKeyId(reported)).toBe(reported);
  });
});

describe('physical ids', () => {
  test('the previous settings travel in the id and come back unchanged', () => {
    for (const previous of [
      { region: 'eu-west-1', enabled: false, kmsKeyId: AWS_MANAGED_KEY },
      { region: 'us-gov-west-1', enabled: true, kmsKeyId: KEY_ARN },
      { region: 'ap-southeast-4', enabled: true, kmsKeyId: 'alias/team_ebs.v2' },
    ]) {
      const id = encodePhysicalId(previous);
      expect(id.startsWith(`${PHYSICAL_ID_PREFIX}:${previous.region}:`)).toBe(true);
      expect(decodePhysicalId(id)).toEqual(previous);
    }
  });

  test('the format is ebs-encryption-by-default:<region>:enabled=<bool>:key=<key>', () => {
    expect(encodePhysicalId({ region: 'eu-west-1', enabled: true, kmsKeyId: KEY_ARN }))
      .toBe(`ebs-encryption-by-default:eu-west-1:enabled=true:key=${KEY_ARN}`);
  });

  test.each([
    ['a Region that is not one', { region: 'Europe', enabled: true, kmsKeyId: KEY_ARN }, 'the Region must look like eu-west-1, got Europe'],
    ['a key id with characters no key id has', { region: 'eu-west-1', enabled: true, kmsKeyId: 'key with spaces' },
      'the previous default KMS key id contains characters a KMS key id never has: "key with spaces"'],
    ['settings over 1024 characters', { region: 'eu-west-1', enabled: true, kmsKeyId: `alias/${'a'.repeat(1000)}` }, /do not fit a physical id of at most 1024 characters \(1059\)/],
  ])('%s cannot be encoded', (_what, previous, message) => {
    expect(() => encodePhysicalId(previous)).toThrow(message);
  });

  test('the longest id that fits is 1024 characters', () => {
    const head = `${PHYSICAL_ID_PREFIX}:eu-west-1:enabled=true:key=`;
    const kmsKeyId = `alias/${'a'.repeat(MAX_PHYSICAL_ID_LENGTH - head.length - 6)}`;
    expect(encodePhysicalId({ region: 'eu-west-1', enabled: true, kmsKeyId })).toHaveLength(1024);
  });

  test.each([
    ['undefined', undefined],
    ['an id of another resource', 'vol-1234567890abcdef0'],
    ['a CloudFormation request id (a failed create)', 'ebs-default-2f1a'],
    ['a bad enabled flag', `${PHYSICAL_ID_PREFIX}:eu-west-1:enabled=yes:key=${KEY_ARN}`],
    ['a bad Region', `${PHYSICAL_ID_PREFIX}:eu-west:enabled=true:key=${KEY_ARN}`],
    ['a bad key', `${PHYSICAL_ID_PREFIX}:eu-west-1:enabled=true:key=a key`],
    ['an empty key', `${PHYSICAL_ID_PREFIX}:eu-west-1:enabled=true:key=`],
    ['an id over 1024 characters', `${PHYSICAL_ID_PREFIX}:eu-west-1:enabled=true:key=alias/${'a'.repeat(1024)}`],
  ])('%s decodes to nothing', (_what, id) => {
    expect(decodePhysicalId(id)).toBeUndefined();
  });
});
