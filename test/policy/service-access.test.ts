import { App, Lazy, Stack } from 'aws-cdk-lib';
import { EncryptionKey } from '../../src';
import { KeyCapability } from '../../src/policy/key-capability';
import {
  autoScalingAccess, cloudTrailAccess, cloudWatchAlarmsToTopicAccess, cloudWatchLogsAccess, ebsAccountDefaultAccess, eventBridgeAccess,
  eventBridgeToTopicAccess,
} from '../../src/policy/service-access';
import * as perms from '../../src/private/perms';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const OTHER = '999999999999';
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const partition = (value: string) => ({ 'Fn::Join': ['', value.split('${AWS::Partition}').flatMap((part, i) => (i === 0 ? [part] : [{ Ref: 'AWS::Partition' }, part]))] });

function stack(): Stack {
  return new Stack(new App(), 'S', { env: ENV });
}

describe('cloudWatchLogsAccess', () => {
  test('CloudWatch Logs of the Region, for log groups of the account, by encryption context; no DescribeKey', () => {
    const s = stack();
    const recipe = cloudWatchLogsAccess(s);
    expect(recipe.source).toBe('allowCloudWatchLogs');
    expect(recipe.capabilities).toEqual([KeyCapability.ENVELOPE]);
    expect(s.resolve(recipe.entries)).toEqual([{
      label: 'CloudWatchLogs',
      principalType: 'Service',
      principals: ['logs.eu-west-1.amazonaws.com'],
      actions: perms.CLOUDWATCH_LOGS_ACTIONS,
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': [partition('arn:${AWS::Partition}:logs:eu-west-1:111111111111:log-group:*')] } },
    }]);
  });

  test('a log group pattern replaces the default', () => {
    const recipe = cloudWatchLogsAccess(stack(), 'arn:aws:logs:eu-west-1:111111111111:log-group:/app/*');
    expect(recipe.entries[0].conditions).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': ['arn:aws:logs:eu-west-1:111111111111:log-group:/app/*'] } });
  });
});

describe('cloudTrailAccess', () => {
  test('by default, trails of the key\'s account and Region: data keys with the trail context, DescribeKey on the trails\' behalf', () => {
    const s = stack();
    const recipe = cloudTrailAccess(s);
    const [encrypt, describe] = s.resolve(recipe.entries);
    expect(encrypt).toEqual({
      label: 'CloudTrailEncryptLogs',
      principalType: 'Service',
      principals: ['cloudtrail.amazonaws.com'],
      actions: perms.CLOUDTRAIL_ENCRYPT_ACTIONS,
      conditions: {
        ArnLike: { 'aws:SourceArn': partition('arn:${AWS::Partition}:cloudtrail:eu-west-1:111111111111:trail/*') },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': partition('arn:${AWS::Partition}:cloudtrail:*:111111111111:trail/*') },
      },
    });
    expect(describe).toEqual({
      label: 'CloudTrailDescribeKey',
      principalType: 'Service',
      principals: ['cloudtrail.amazonaws.com'],
      actions: ['kms:DescribeKey'],
      conditions: { ArnLike: { 'aws:SourceArn': [partition('arn:${AWS::Partition}:cloudtrail:eu-west-1:111111111111:trail/*')] } },
    });
  });

  test('a trail ARN names the trail and its account', () => {
    const trailArn = `arn:aws:cloudtrail:us-east-1:${OTHER}:trail/org`;
    const s = stack();
    const [encrypt, describe] = s.resolve(cloudTrailAccess(s, { trailArn }).entries);
    expect(encrypt.conditions.ArnLike).toEqual({ 'aws:SourceArn': trailArn });
    expect(encrypt.conditions.StringLike['kms:EncryptionContext:aws:cloudtrail:arn']).toEqual(partition(`arn:\${AWS::Partition}:cloudtrail:*:${OTHER}:trail/*`));
    expect(describe.conditions.ArnLike).toEqual({ 'aws:SourceArn': [trailArn] });
  });

  test('a token trail ARN is taken as given; the context then names the key\'s account', () => {
    const s = stack();
    const trailArn = Lazy.string({ produce: () => 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/t' });
    const [encrypt] = s.resolve(cloudTrailAccess(s, { trailArn }).entries);
    expect(encrypt.conditions.ArnLike).toEqual({ 'aws:SourceArn': 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/t' });
    expect(JSON.stringify(encrypt.conditions.StringLike)).toContain(':cloudtrail:*:111111111111:trail/*');
  });

  test.each([
    ['a trailArn that is not a trail', { trailArn: 'arn:aws:s3:::logs' },
      "trailArn must be a CloudTrail trail ARN or pattern naming its account (arn:aws:cloudtrail:<region>:<account>:trail/<name>), got 'arn:aws:s3:::logs'"],
    ['a trailArn without an account', { trailArn: 'arn:aws:cloudtrail:eu-west-1::trail/t' }, /^trailArn must be a CloudTrail trail ARN/],
    ['a trailAccount that is not an account', { trailAccount: '1234' }, "trailAccount must be a 12-digit AWS account id, got '1234'"],
    ['a trailAccount other than the trail\'s', { trailArn: `arn:aws:cloudtrail:eu-west-1:${OTHER}:trail/t`, trailAccount: '888888888888' },
      `trailAccount must match the account of trailArn (${OTHER}), got '888888888888'`],
  ])('%s is refused', (_what, options, message) => {
    expect(() => cloudTrailAccess(stack(), options)).toThrow(message);
  });
});

describe('eventBridgeAccess', () => {
  test('EventBridge on behalf of the key\'s account, and of one source when given', () => {
    const s = stack();
    expect(s.resolve(eventBridgeAccess(s).entries)).toEqual([{
      label: 'EventBridge',
      principalType: 'Service',
      principals: ['events.amazonaws.com'],
      actions: perms.EVENTBRIDGE_ACTIONS,
      conditions: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    }]);
    const bus = 'arn:aws:events:eu-west-1:111111111111:event-bus/orders';
    expect(eventBridgeAccess(s, bus).entries[0].conditions).toEqual({
      ArnLike: { 'aws:SourceArn': bus },
      StringEquals: { 'aws:SourceAccount': '111111111111' },
    });
  });
});

describe('autoScalingAccess', () => {
  test('the service-linked role by aws:PrincipalArn, Principal * pinned to the account', () => {
    const s = stack();
    const recipe = autoScalingAccess(s);
    expect(recipe.grantLabel).toBe('AutoScalingServiceLinkedRoleGrants');
    expect(s.resolve(recipe.entries)).toEqual([{
      label: 'AutoScalingServiceLinkedRole',
      principalType: '*',
      principals: [],
      actions: perms.AUTO_SCALING_EBS_ACTIONS,
      conditions: {
        ArnEquals: { 'aws:PrincipalArn': partition('arn:${AWS::Partition}:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling') },
        StringEquals: { 'kms:CallerAccount': '111111111111' },
      },
    }]);
  });

  test('a suffix names a custom service-linked role; 56 characters of letters, digits and +=,.@_- at most', () => {
    const s = stack();
    const suffix = `a+=,.@_-${'b'.repeat(48)}`;
    const arn = s.resolve(autoScalingAccess(s, suffix).entries[0].conditions!.ArnEquals['aws:PrincipalArn']);
    expect(JSON.stringify(arn)).toContain(`/AWSServiceRoleForAutoScaling_${suffix}`);
    expect(() => autoScalingAccess(s, `${suffix}b`)).toThrow(/^roleSuffix must be 1 to 56 characters of letters, digits and \+=,\.@_-, got/);
    expect(() => autoScalingAccess(s, 'a b')).toThrow("roleSuffix must be 1 to 56 characters of letters, digits and +=,.@_-, got 'a b'");
    expect(() => autoScalingAccess(s, Lazy.string({ produce: () => 'a b' }))).not.toThrow();
  });
});

describe('ebsAccountDefaultAccess', () => {
  test('any principal of the account, through EC2 of the Region only', () => {
    const s = stack();
    const recipe = ebsAccountDefaultAccess(s);
    expect(recipe.grantLabel).toBe('EbsByDefaultAccountGrantsThroughEc2');
    expect(recipe.entries).toEqual([{
      label: 'EbsByDefaultAccountThroughEc2',
      principalType: '*',
      principals: [],
      actions: perms.EBS_ACTIONS,
      conditions: { StringEquals: { 'kms:CallerAccount': '111111111111', 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } },
    }]);
  });
});

describe('the recipes on a key, simulated', () => {
  // GIVEN one key with every recipe
  const s = stack();
  const key = new EncryptionKey(s, 'Key');
  key.allowCloudWatchLogs({ logGroupArnPattern: 'arn:aws:logs:eu-west-1:111111111111:log-group:/app/*' });
  key.allowCloudTrail();
  key.allowEventBridge({ sourceArn: 'arn:aws:events:eu-west-1:111111111111:event-bus/orders' });
  key.allowAutoScaling();
  key.allowEbsForAccount();
  let world: PolicyWorld;
  beforeAll(() => {
    world = PolicyWorld.fromStacks([s]);
  });

  const LOGS = 'logs.eu-west-1.amazonaws.com';
  const logGroup = (name: string, account = '111111111111') => ({ 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${account}:log-group:${name}` });
  const TRAIL = 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/main';
  const SLR = 'arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
  const ANY_ROLE = 'arn:aws:iam::111111111111:role/anyone';

  test('CloudWatch Logs: log groups matching the pattern only', async () => {
    await expectAccess(world, [
      { label: 'matching group', principal: LOGS, action: perms.CLOUDWATCH_LOGS_ACTIONS, key, context: logGroup('/app/orders'), expect: 'allow' },
      { label: 'other group', principal: LOGS, action: 'kms:Decrypt', key, context: logGroup('/ops/audit'), expect: 'deny' },
      { label: 'same name, other account', principal: LOGS, action: 'kms:Decrypt', key, context: logGroup('/app/orders', OTHER), expect: 'deny' },
      { label: 'no context', principal: LOGS, action: 'kms:GenerateDataKey', key, expect: 'deny' },
      { label: 'another Region\'s service', principal: 'logs.us-east-1.amazonaws.com', action: 'kms:Decrypt', key, context: logGroup('/app/orders'), expect: 'deny' },
    ]);
  });

  test('CloudTrail: the account\'s trails, on their behalf', async () => {
    const context = { 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL, 'aws:SourceArn': TRAIL };
    await expectAccess(world, [
      { label: 'own trail', principal: 'cloudtrail.amazonaws.com', action: perms.CLOUDTRAIL_ENCRYPT_ACTIONS, key, context, expect: 'allow' },
      { label: 'describe', principal: 'cloudtrail.amazonaws.com', action: 'kms:DescribeKey', key, context: { 'aws:SourceArn': TRAIL }, expect: 'allow' },
      {
        label: 'another account\'s trail',
        principal: 'cloudtrail.amazonaws.com',
        action: 'kms:GenerateDataKey',
        key,
        context: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:eu-west-1:${OTHER}:trail/x`, 'aws:SourceArn': `arn:aws:cloudtrail:eu-west-1:${OTHER}:trail/x` },
        expect: 'deny',
      },
      { label: 'decrypt', principal: 'cloudtrail.amazonaws.com', action: 'kms:Decrypt', key, context, expect: 'deny' },
    ]);
  });

  test('EventBridge: the named bus of the account only', async () => {
    const bus = { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:event-bus/orders' };
    await expectAccess(world, [
      { label: 'named bus', principal: 'events.amazonaws.com', action: perms.EVENTBRIDGE_ACTIONS, key, context: bus, expect: 'allow' },
      {
        label: 'other bus',
        principal: 'events.amazonaws.com',
        action: 'kms:Decrypt',
        key,
        context: { ...bus, 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:event-bus/default' },
        expect: 'deny',
      },
      { label: 'other account', principal: 'events.amazonaws.com', action: 'kms:Decrypt', key, context: { ...bus, 'aws:SourceAccount': OTHER }, expect: 'deny' },
    ]);
  });

  test('Auto Scaling: the service-linked role without any IAM policy, grants for AWS resources only', async () => {
    await expectAccess(world, [
      { label: 'service-linked role', principal: SLR, action: perms.AUTO_SCALING_EBS_ACTIONS.filter(a => a !== 'kms:CreateGrant'), key, expect: 'allow' },
      { label: 'its grants for volumes', principal: SLR, action: 'kms:CreateGrant', key, context: { 'kms:GrantIsForAWSResource': 'true' }, expect: 'allow' },
      { label: 'its grants for anything', principal: SLR, action: 'kms:CreateGrant', key, expect: 'deny' },
      {
        label: 'another account\'s role of that name',
        principal: SLR.replace('111111111111', OTHER),
        action: 'kms:Decrypt',
        key,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
    ]);
  });

  test('EBS by default: any principal of the account through EC2, never directly nor from another account', async () => {
    const ec2 = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
    await expectAccess(world, [
      { label: 'through EC2', principal: ANY_ROLE, action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:DescribeKey'], key, context: ec2, expect: 'allow' },
      { label: 'grant for the volume', principal: ANY_ROLE, action: 'kms:CreateGrant', key, context: { ...ec2, 'kms:GrantIsForAWSResource': 'true' }, expect: 'allow' },
      { label: 'directly', principal: ANY_ROLE, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'through S3', principal: ANY_ROLE, action: 'kms:Decrypt', key, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'other account through EC2', principal: `arn:aws:iam::${OTHER}:role/x`, action: 'kms:Decrypt', key, context: ec2, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });
});

describe('publishers to an encrypted SNS topic', () => {
  const topicArn = 'arn:aws:sns:eu-west-1:111111111111:alerts';
  test('EventBridge: data keys and decrypt for the topic only, without source keys (not supported by SNS for EventBridge)', () => {
    expect(eventBridgeToTopicAccess(topicArn).entries).toEqual([{
      label: 'EventBridgeToEncryptedTopic',
      principalType: 'Service',
      principals: ['events.amazonaws.com'],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
    }]);
  });

  test('CloudWatch alarms: for these alarms of the account and the topic', () => {
    const alarm = 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:a';
    expect(cloudWatchAlarmsToTopicAccess(stack(), topicArn, [alarm]).entries[0]).toMatchObject({
      principals: ['cloudwatch.amazonaws.com'],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: { ArnLike: { 'aws:SourceArn': alarm }, StringEquals: { 'aws:SourceAccount': '111111111111', 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
    });
    expect(() => cloudWatchAlarmsToTopicAccess(stack(), topicArn, [])).toThrow(/alarmArns must name at least one alarm, got \[\]/);
  });
});
