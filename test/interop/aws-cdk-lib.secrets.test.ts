/**
 * aws-cdk-lib interop, Secrets Manager: an `EncryptionKey` given to secretsmanager.Secret, read with
 * `grantRead`, rotated by a rotation function (`addRotationSchedule({ rotationLambda })`) or by a
 * hosted rotation function (`hostedRotation`).
 *
 * aws-cdk-lib's Secret grants the whole account use of its key through Secrets Manager
 * (`ViaServicePrincipal(secretsmanager, AccountPrincipal)`), the access the AWS managed key
 * aws/secretsmanager gives. The library accepts it with a warning: it is the only way the hosted
 * rotation function, whose role CloudFormation creates through the Secrets Manager transform, can
 * use the key. So undeclared principals of the account are expected to get nothing directly or
 * through any other service, and through Secrets Manager nothing administrative and no grant that is
 * not for an AWS resource; principals of other accounts get nothing at all.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  ACCOUNT, ADMIN_ACTIONS, ALL_ACTIONS, ALLOW_ALL, allowed, cfnExecRole, denied, ec, fixture, KMS_ALL, keyPolicyViolations,
  MUTATING_ADMIN_ACTIONS, once, outsiderRows, synthWorld, via, warnings,
} from './interop';
import { expectAccess } from '../harness/simulate';

// Secrets Manager uses the key on the caller's behalf, with the secret ARN and version as encryption
// context: kms:GenerateDataKey at CreateSecret and PutSecretValue, kms:Decrypt at GetSecretValue, and
// whenever a secret's key is set, a kms:GenerateDataKey and a kms:Decrypt with the version id
// "RequestToValidateKeyAccess". https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
// A rotation function reads the current version and puts the pending one, so it needs kms:Decrypt
// and kms:GenerateDataKey. https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
function secretContext(secretArn: string, versionId: string): Record<string, string> {
  return { ...via('secretsmanager'), ...ec('SecretARN', secretArn), ...ec('SecretVersionId', versionId) };
}

const VERSION = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';
const PENDING = 'EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE';

describe('secretsmanager.Secret with an EncryptionKey, a reader and a rotation function', () => {
  const built = once(() => {
    const f = fixture();
    const reader = new iam.Role(f.stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const rotation = new lambda.Function(f.stack, 'RotationFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    const secret = new secretsmanager.Secret(f.stack, 'Secret', { secretName: 'interop/app', encryptionKey: f.key });
    secret.grantRead(reader);
    secret.addRotationSchedule('Rotation', { rotationLambda: rotation });
    const world = synthWorld(f);
    return { ...f, reader, rotation, secret, world, secretArn: world.resolve(secret.secretArn, f.stack) as string };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('CloudFormation can create the secret (execution role, through Secrets Manager)', async () => {
    const { world, key, secretArn } = built();
    await expectAccess(world, [
      ...allowed('execution role, CreateSecret', cfnExecRole(), key, ['kms:GenerateDataKey'], secretContext(secretArn, VERSION), [ALLOW_ALL]),
      ...allowed('execution role, key validation', cfnExecRole(), key, ['kms:GenerateDataKey', 'kms:Decrypt'],
        secretContext(secretArn, 'RequestToValidateKeyAccess'), [ALLOW_ALL]),
    ]);
  });

  test('secret.grantRead: the reader can read the secret through Secrets Manager, and only there', async () => {
    const { world, key, reader, secretArn } = built();
    await expectAccess(world, [
      ...allowed('reader, GetSecretValue', reader, key, ['kms:Decrypt'], secretContext(secretArn, VERSION)),
      ...denied('reader, directly', reader, key, ALL_ACTIONS, {}),
      ...denied('reader, through S3', reader, key, ALL_ACTIONS, via('s3')),
    ]);
  });

  test('the rotation function can rotate the secret', async () => {
    const { world, key, rotation, secretArn } = built();
    await expectAccess(world, [
      ...allowed('rotation function, GetSecretValue', rotation.role!, key, ['kms:Decrypt'], secretContext(secretArn, VERSION)),
      ...allowed('rotation function, PutSecretValue', rotation.role!, key, ['kms:GenerateDataKey'], secretContext(secretArn, PENDING)),
      ...denied('rotation function administers', rotation.role!, key, MUTATING_ADMIN_ACTIONS, via('secretsmanager')),
    ]);
  });

  test('aws-cdk-lib\'s account-wide grant through Secrets Manager is accepted with a warning, and goes no further', async () => {
    const { world, key, stack, secretArn } = built();
    expect(warnings(stack, /whole account/)).not.toEqual([]);
    const undeclared = `arn:aws:iam::${ACCOUNT}:role/Undeclared`;
    const through = { ...secretContext(secretArn, VERSION), 'kms:CallerAccount': ACCOUNT };
    await expectAccess(world, [
      ...denied('undeclared with kms:*, directly', undeclared, key, ALL_ACTIONS, {}, [KMS_ALL]),
      ...denied('undeclared with kms:*, through S3', undeclared, key, ALL_ACTIONS, { ...via('s3'), 'kms:CallerAccount': ACCOUNT }, [KMS_ALL]),
      ...denied('undeclared with kms:*, through EC2', undeclared, key, ALL_ACTIONS, { ...via('ec2'), 'kms:CallerAccount': ACCOUNT }, [KMS_ALL]),
      ...denied('undeclared with kms:*, administration through Secrets Manager', undeclared, key,
        ADMIN_ACTIONS.filter(a => a !== 'kms:DescribeKey'), through, [KMS_ALL]),
      ...denied('undeclared with kms:*, a grant not for an AWS resource through Secrets Manager', undeclared, key, ['kms:CreateGrant'],
        { ...through, 'kms:GrantIsForAWSResource': 'false' }, [KMS_ALL]),
    ]);
  });

  test('principals of other accounts gain nothing', async () => {
    const { world, key, secretArn } = built();
    await expectAccess(world, outsiderRows(key, {
      who: 'other-account',
      services: ['secretsmanager'],
      encryptionContext: { ...ec('SecretARN', secretArn), ...ec('SecretVersionId', VERSION) },
    }));
  });
});

describe('secretsmanager.Secret with an EncryptionKey and hosted rotation', () => {
  const built = once(() => {
    const f = fixture();
    const secret = new secretsmanager.Secret(f.stack, 'Secret', { secretName: 'interop/db', encryptionKey: f.key });
    secret.addRotationSchedule('Rotation', { hostedRotation: secretsmanager.HostedRotation.mysqlSingleUser() });
    const world = synthWorld(f);
    return { ...f, secret, world, secretArn: world.resolve(secret.secretArn, f.stack) as string };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('the hosted rotation function can rotate the secret', async () => {
    const { world, key, secretArn } = built();
    // The hosted rotation function and its role are created at deployment by the Secrets Manager
    // transform from a rotation function template, given the secret's key (KmsKeyArn); its role's IAM
    // policy allows kms:Decrypt and kms:GenerateDataKey on that key, and the key policy cannot name
    // the role at synth.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-secretsmanager-rotationschedule-hostedrotationlambda.html
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html
    const keyArn = world.keyArn(key);
    const hostedRole = `arn:aws:iam::${ACCOUNT}:role/Interop-SecretRotationLambdaExecutionRole-EXAMPLE`;
    const transformPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn }] };
    await expectAccess(world, [
      ...allowed('hosted rotation function, GetSecretValue', hostedRole, key, ['kms:Decrypt'], secretContext(secretArn, VERSION), [transformPolicy]),
      ...allowed('hosted rotation function, PutSecretValue', hostedRole, key, ['kms:GenerateDataKey'], secretContext(secretArn, PENDING), [transformPolicy]),
      ...denied('hosted rotation function, directly', hostedRole, key, ['kms:Decrypt', 'kms:GenerateDataKey'], {}, [transformPolicy]),
    ]);
  });

  test('undeclared principals get nothing directly, and other accounts nothing at all', async () => {
    const { world, key, secretArn } = built();
    await expectAccess(world, [
      ...outsiderRows(key, { who: 'undeclared', services: [] }),
      ...outsiderRows(key, {
        who: 'other-account',
        services: ['secretsmanager'],
        encryptionContext: { ...ec('SecretARN', secretArn), ...ec('SecretVersionId', VERSION) },
      }),
    ]);
  });
});
