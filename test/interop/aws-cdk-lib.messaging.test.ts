/**
 * aws-cdk-lib interop, messaging, logging and compute configuration: an `EncryptionKey` given to
 * sqs.Queue, sns.Topic, logs.LogGroup, cloudtrail.Trail, stepfunctions.StateMachine and
 * lambda.Function (environment encryption).
 *
 * Same checks as the storage file: synth, key policy rules, the services' documented KMS requests
 * for whoever aws-cdk-lib names (and the service principals the services act as), the
 * CloudFormation execution role where creation makes KMS requests, and nothing for outsiders.
 */
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  ACCOUNT, ALL_ACTIONS, ALLOW_ALL, allowed, cfnExecRole, denied, ec, fixture, Fixture, GRANT_FOR_AWS_RESOURCE, keyPolicyViolations,
  MUTATING_ADMIN_ACTIONS, once, OTHER_ACCOUNT, outsiderRows, REGION, synthWorld, via,
} from './interop';
import { expectAccess } from '../harness/simulate';

const WRITE_CONTRACT = [
  'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
];

function lambdaRole(f: Fixture, id: string): iam.Role {
  return new iam.Role(f.stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

describe('sqs.Queue with an EncryptionKey', () => {
  const built = once(() => {
    const f = fixture();
    const producer = lambdaRole(f, 'Producer');
    const consumer = lambdaRole(f, 'Consumer');
    const queue = new sqs.Queue(f.stack, 'Queue', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: f.key });
    queue.grantSendMessages(producer);
    queue.grantConsumeMessages(consumer);
    const world = synthWorld(f);
    return { ...f, producer, consumer, world, queueArn: world.resolve(queue.queueArn, f.stack) as string };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('queue.grantSendMessages / grantConsumeMessages: producers and consumers can use the queue', async () => {
    const { world, key, producer, consumer, queueArn } = built();
    // Producers need kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt; SQS calls KMS on
    // their behalf with the queue ARN as encryption context.
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    const context = { ...via('sqs'), ...ec('aws:sqs:arn', queueArn) };
    await expectAccess(world, [
      ...allowed('producer, SendMessage', producer, key, ['kms:GenerateDataKey', 'kms:Decrypt'], context),
      ...allowed('consumer, ReceiveMessage', consumer, key, ['kms:Decrypt'], context),
      ...denied('consumer encrypts', consumer, key, WRITE_CONTRACT, {}),
      ...denied('producer administers', producer, key, MUTATING_ADMIN_ACTIONS, {}),
      ...denied('consumer administers', consumer, key, MUTATING_ADMIN_ACTIONS, {}),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key, queueArn } = built();
    await expectAccess(world, outsiderRows(key, { services: ['sqs'], encryptionContext: ec('aws:sqs:arn', queueArn) }));
  });
});

describe('sns.Topic with an EncryptionKey', () => {
  const built = once(() => {
    const f = fixture();
    const publisher = lambdaRole(f, 'Publisher');
    const topic = new sns.Topic(f.stack, 'Topic', { masterKey: f.key });
    topic.grantPublish(publisher);
    const world = synthWorld(f);
    return { ...f, publisher, world, topicArn: world.resolve(topic.topicArn, f.stack) as string };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('topic.grantPublish: publishers can publish to the encrypted topic', async () => {
    const { world, key, publisher, topicArn } = built();
    // Publishers need kms:GenerateDataKey and kms:Decrypt; SNS calls KMS on their behalf with the
    // topic ARN as encryption context. https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    const context = { ...via('sns'), ...ec('aws:sns:topicArn', topicArn) };
    await expectAccess(world, [
      ...allowed('publisher, Publish', publisher, key, ['kms:GenerateDataKey', 'kms:Decrypt'], context),
      ...denied('publisher administers', publisher, key, MUTATING_ADMIN_ACTIONS, {}),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key, topicArn } = built();
    await expectAccess(world, outsiderRows(key, { services: ['sns'], encryptionContext: ec('aws:sns:topicArn', topicArn) }));
  });
});

// CloudWatch Logs uses the key as its Regional service principal, for the log group named by the
// encryption context (Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey* in the documented statement).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
const LOGS_PRINCIPAL = `logs.${REGION}.amazonaws.com`;
const LOGS_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];
const logGroupArn = (account: string, name: string): string => `arn:aws:logs:${REGION}:${account}:log-group:${name}`;

describe.each([
  ['alone (aws-cdk-lib asks nothing of the key)', false],
  ['and key.allowCloudWatchLogs()', true],
])('logs.LogGroup with an EncryptionKey, %s', (_name, recipe) => {
  const built = once(() => {
    const f = fixture();
    new logs.LogGroup(f.stack, 'Logs', { logGroupName: '/interop/app', encryptionKey: f.key });
    if (recipe) f.key.allowCloudWatchLogs();
    return { ...f, world: synthWorld(f) };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('CloudWatch Logs can encrypt and read the log group', async () => {
    const { world, key } = built();
    await expectAccess(world, allowed('logs service, PutLogEvents / GetLogEvents', LOGS_PRINCIPAL, key, LOGS_ACTIONS,
      ec('aws:logs:arn', logGroupArn(ACCOUNT, '/interop/app'))));
  });

  test('CloudWatch Logs acting for a log group of another account gets nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, denied('logs service, log group of another account', LOGS_PRINCIPAL, key, ALL_ACTIONS,
      ec('aws:logs:arn', logGroupArn(OTHER_ACCOUNT, '/interop/app'))));
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['logs'], encryptionContext: ec('aws:logs:arn', logGroupArn(ACCOUNT, '/interop/app')) }));
  });
});

describe.each([
  ['alone (aws-cdk-lib asks nothing of the key)', false],
  ['and key.allowCloudTrail()', true],
])('cloudtrail.Trail with an EncryptionKey, %s', (_name, recipe) => {
  const trailArn = (account: string): string => `arn:aws:cloudtrail:${REGION}:${account}:trail/interop-trail`;
  const built = once(() => {
    const f = fixture();
    new cloudtrail.Trail(f.stack, 'Trail', { trailName: 'interop-trail', encryptionKey: f.key });
    if (recipe) f.key.allowCloudTrail({ trailArn: trailArn(ACCOUNT) });
    return { ...f, world: synthWorld(f) };
  });
  // CloudTrail encrypts log files as cloudtrail.amazonaws.com: kms:GenerateDataKey* with the trail
  // ARN as encryption context and aws:SourceArn, and kms:DescribeKey when the trail is created or
  // updated. https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
  const source = (account: string): Record<string, string> => ({ 'aws:SourceArn': trailArn(account), 'aws:SourceAccount': account });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('CloudTrail can describe the key and encrypt log files of the trail', async () => {
    const { world, key } = built();
    await expectAccess(world, [
      ...allowed('cloudtrail service, CreateTrail', 'cloudtrail.amazonaws.com', key, ['kms:DescribeKey'], source(ACCOUNT)),
      ...allowed('cloudtrail service, log file delivery', 'cloudtrail.amazonaws.com', key, ['kms:GenerateDataKey'],
        { ...source(ACCOUNT), ...ec('aws:cloudtrail:arn', trailArn(ACCOUNT)) }),
    ]);
  });

  test('CloudTrail acting for a trail of another account gets nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, denied('cloudtrail service, trail of another account', 'cloudtrail.amazonaws.com', key, ALL_ACTIONS,
      { ...source(OTHER_ACCOUNT), ...ec('aws:cloudtrail:arn', trailArn(OTHER_ACCOUNT)) }));
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['cloudtrail', 's3'], encryptionContext: ec('aws:cloudtrail:arn', trailArn(ACCOUNT)) }));
  });
});

describe('stepfunctions.StateMachine with a CustomerManagedEncryptionConfiguration', () => {
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:interop-sm`;
  const built = once(() => {
    const f = fixture();
    const stateMachine = new sfn.StateMachine(f.stack, 'StateMachine', {
      stateMachineName: 'interop-sm',
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(f.stack, 'Pass')),
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(f.key),
    });
    return { ...f, stateMachine, world: synthWorld(f) };
  });
  // Step Functions encrypts definitions and execution data under the key, on behalf of the caller
  // (CreateStateMachine) and of the state machine's role (executions), with the state machine ARN as
  // encryption context. https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html
  const context = { ...via('states'), ...ec('aws:states:stateMachineArn', stateMachineArn) };

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('the state machine role (named by aws-cdk-lib\'s IAM statement) can run executions', async () => {
    const { world, key, stateMachine } = built();
    await expectAccess(world, [
      ...allowed('state machine role, execution', stateMachine.role, key, ['kms:GenerateDataKey', 'kms:Decrypt'], context),
      ...denied('state machine role administers', stateMachine.role, key, MUTATING_ADMIN_ACTIONS, {}),
    ]);
  });

  test('CloudFormation can create the state machine (execution role, through Step Functions)', async () => {
    const { world, key } = built();
    await expectAccess(world, [
      ...allowed('execution role, CreateStateMachine', cfnExecRole(), key, ['kms:DescribeKey'], via('states'), [ALLOW_ALL]),
      ...allowed('execution role, CreateStateMachine', cfnExecRole(), key, ['kms:GenerateDataKey'], context, [ALLOW_ALL]),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['states'], encryptionContext: ec('aws:states:stateMachineArn', stateMachineArn) }));
  });
});

describe('lambda.Function with environmentEncryption', () => {
  const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:interop-fn`;
  const built = once(() => {
    const f = fixture();
    const fn = new lambda.Function(f.stack, 'Function', {
      functionName: 'interop-fn',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
      environment: { TABLE: 'orders' },
      environmentEncryption: f.key,
    });
    return { ...f, fn, world: synthWorld(f) };
  });
  // Environment variables under a customer managed key: Lambda encrypts them and creates a grant
  // when the function is created or updated, on the caller's behalf, and the function decrypts
  // them at initialisation; the function ARN is the encryption context.
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html
  const context = { ...via('lambda'), ...ec('aws:lambda:FunctionArn', functionArn) };

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  // The function decrypts its environment at initialisation under the grant Lambda created at
  // CreateFunction (see the next test), not under the key policy: grants are outside what the
  // simulation models, so only what the role must not do is checked here.
  test('the function role cannot encrypt or administer', async () => {
    const { world, key, fn } = built();
    await expectAccess(world, [
      ...denied('function role encrypts or administers', fn.role!, key, [...WRITE_CONTRACT, ...MUTATING_ADMIN_ACTIONS], {}),
    ]);
  });

  test('CloudFormation can create the function (execution role, through Lambda)', async () => {
    const { world, key } = built();
    await expectAccess(world, [
      ...allowed('execution role, CreateFunction', cfnExecRole(), key, ['kms:Encrypt'], context, [ALLOW_ALL]),
      ...allowed('execution role, CreateFunction grant', cfnExecRole(), key, ['kms:CreateGrant'], { ...via('lambda'), ...GRANT_FOR_AWS_RESOURCE }, [ALLOW_ALL]),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['lambda'], encryptionContext: ec('aws:lambda:FunctionArn', functionArn) }));
  });
});
