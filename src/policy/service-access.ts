import { Aws, Stack, Token } from 'aws-cdk-lib';
import {
  callerAccount, encryptionContext, encryptionContextArnLike, mergeConditions, principalArnEquals, sourceAccount, sourceArnLike, viaService,
} from './conditions';
import { KeyCapability } from './key-capability';
import { KeyPolicyEntry } from './key-policy-document';
import { KeyService } from './key-service';
import * as perms from '../private/perms';
import { invalid, validateAccountId } from '../private/validation';

/**
 * A named recipe: what one AWS service needs in a key policy, with its confused-deputy conditions.
 * Written through `KeyGrants.allowService`, so it is checked, reported and merged like any grant.
 */
export interface ServiceAccess {
  /** The method that asked, for messages. */
  readonly source: string;
  /** What the key must support. */
  readonly capabilities: KeyCapability[];
  /** The key policy entries. */
  readonly entries: KeyPolicyEntry[];
  /** The Sid stem of the `kms:CreateGrant` statement the path splits out. */
  readonly grantLabel?: string;
}

/**
 * CloudWatch Logs of the key's Region, for log groups matching a pattern: the
 * `kms:EncryptionContext:aws:logs:arn` must match (which pins the account; CloudWatch Logs documents
 * no source condition for this use).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function cloudWatchLogsAccess(stack: Stack, logGroupArnPattern?: string): ServiceAccess {
  const pattern = logGroupArnPattern ?? `arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:*`;
  return {
    source: 'allowCloudWatchLogs',
    capabilities: [KeyCapability.ENVELOPE],
    entries: [{
      label: 'CloudWatchLogs',
      principalType: 'Service',
      principals: [`logs.${stack.region}.amazonaws.com`],
      actions: perms.CLOUDWATCH_LOGS_ACTIONS,
      conditions: encryptionContextArnLike('aws:logs:arn', [pattern]),
    }],
  };
}

/** Options of the CloudTrail recipe. */
export interface CloudTrailRecipeOptions {
  readonly trailArn?: string;
  readonly trailAccount?: string;
}

/**
 * CloudTrail encrypting log files: data keys only with the `aws:cloudtrail:arn` encryption context
 * of a trail of the trail's account (an organization trail's management account, or another
 * account's trail), and only on behalf of the named trails (`aws:SourceArn`); `kms:DescribeKey`
 * on behalf of the same trails.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 */
export function cloudTrailAccess(stack: Stack, options: CloudTrailRecipeOptions = {}): ServiceAccess {
  const fromArn = options.trailArn && !Token.isUnresolved(options.trailArn)
    ? /^arn:[^:]+:cloudtrail:[^:]*:(\d{12}):trail\/.+$/.exec(options.trailArn) : undefined;
  if (options.trailArn && !Token.isUnresolved(options.trailArn) && !fromArn) {
    invalid('trailArn', 'must be a CloudTrail trail ARN or pattern naming its account (arn:aws:cloudtrail:<region>:<account>:trail/<name>)', options.trailArn);
  }
  if (options.trailAccount !== undefined) {
    validateAccountId('trailAccount', options.trailAccount);
    if (fromArn && fromArn[1] !== options.trailAccount) {
      invalid('trailAccount', `must match the account of trailArn (${fromArn[1]})`, options.trailAccount);
    }
  }
  const account = options.trailAccount ?? fromArn?.[1] ?? stack.account;
  const source = options.trailArn ?? `arn:${Aws.PARTITION}:cloudtrail:${stack.region}:${account}:trail/*`;
  return {
    source: 'allowCloudTrail',
    capabilities: [KeyCapability.ENVELOPE],
    entries: [
      {
        label: 'CloudTrailEncryptLogs',
        principalType: 'Service',
        principals: ['cloudtrail.amazonaws.com'],
        actions: perms.CLOUDTRAIL_ENCRYPT_ACTIONS,
        conditions: mergeConditions(
          encryptionContext({ 'aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${account}:trail/*` }),
          sourceArnLike([source])),
      },
      {
        label: 'CloudTrailDescribeKey',
        principalType: 'Service',
        principals: ['cloudtrail.amazonaws.com'],
        actions: perms.DESCRIBE_ACTIONS,
        conditions: sourceArnLike([source]),
      },
    ],
  };
}

/**
 * EventBridge for encrypted event buses and archives of the account (`aws:SourceAccount`, and
 * `aws:SourceArn` when given).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
 */
export function eventBridgeAccess(stack: Stack, sourceArn?: string): ServiceAccess {
  return {
    source: 'allowEventBridge',
    capabilities: [KeyCapability.ENVELOPE],
    entries: [{
      label: 'EventBridge',
      principalType: 'Service',
      principals: ['events.amazonaws.com'],
      actions: perms.EVENTBRIDGE_ACTIONS,
      conditions: mergeConditions(sourceAccount(stack.account), sourceArn ? sourceArnLike([sourceArn]) : undefined),
    }],
  };
}

/**
 * EventBridge rules publishing to an SNS topic encrypted with the key. SNS documents that
 * `aws:SourceAccount`, `aws:SourceArn` and `aws:SourceOrgID` are not supported in the key policy
 * for EventBridge-to-encrypted-topic delivery, so the statement is pinned to the topic by the
 * `aws:sns:topicArn` encryption context SNS sends with its KMS requests (the topic policy pins the
 * rules with `aws:SourceArn`).
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function eventBridgeToTopicAccess(topicArn: string): ServiceAccess {
  return {
    source: 'allowEventBridgeToTopic',
    capabilities: [KeyCapability.ENVELOPE],
    entries: [{
      label: 'EventBridgeToEncryptedTopic',
      principalType: 'Service',
      principals: ['events.amazonaws.com'],
      actions: perms.SNS_PUBLISHER_ACTIONS,
      conditions: encryptionContext({ 'aws:sns:topicArn': topicArn }),
    }],
  };
}

/**
 * CloudWatch alarms publishing to an SNS topic encrypted with the key: on behalf of the named
 * alarms of the key's account only (`aws:SourceArn`, `aws:SourceAccount`), for that topic only
 * (`aws:sns:topicArn` encryption context).
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function cloudWatchAlarmsToTopicAccess(stack: Stack, topicArn: string, alarmArns: string[]): ServiceAccess {
  if (alarmArns.length === 0) {
    invalid('alarmArns', 'must name at least one alarm', alarmArns);
  }
  return {
    source: 'allowCloudWatchAlarmsToTopic',
    capabilities: [KeyCapability.ENVELOPE],
    entries: [{
      label: 'CloudWatchAlarmsToEncryptedTopic',
      principalType: 'Service',
      principals: ['cloudwatch.amazonaws.com'],
      actions: perms.SNS_PUBLISHER_ACTIONS,
      conditions: mergeConditions(encryptionContext({ 'aws:sns:topicArn': topicArn }), sourceArnLike(alarmArns), sourceAccount(stack.account)),
    }],
  };
}

/**
 * The EC2 Auto Scaling service-linked role, named by `aws:PrincipalArn` (and `Principal: *` pinned
 * to the account): KMS rejects a key policy naming a role that does not exist yet, and the
 * service-linked role is created only when Auto Scaling is first used. Its own IAM policy grants
 * nothing on KMS, so the key policy grants directly.
 *
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export function autoScalingAccess(stack: Stack, roleSuffix?: string): ServiceAccess {
  if (roleSuffix !== undefined && !Token.isUnresolved(roleSuffix) && !/^[\w+=,.@-]{1,56}$/.test(roleSuffix)) {
    invalid('roleSuffix', 'must be 1 to 56 characters of letters, digits and +=,.@_-', roleSuffix);
  }
  const name = roleSuffix ? `AWSServiceRoleForAutoScaling_${roleSuffix}` : 'AWSServiceRoleForAutoScaling';
  const arn = `arn:${Aws.PARTITION}:iam::${stack.account}:role/aws-service-role/autoscaling.amazonaws.com/${name}`;
  return {
    source: 'allowAutoScaling',
    capabilities: [KeyCapability.ENVELOPE],
    grantLabel: 'AutoScalingServiceLinkedRoleGrants',
    entries: [{
      label: 'AutoScalingServiceLinkedRole',
      principalType: '*',
      principals: [],
      actions: perms.AUTO_SCALING_EBS_ACTIONS,
      conditions: mergeConditions(principalArnEquals([arn]), callerAccount([stack.account])),
    }],
  };
}

/**
 * EBS encryption by default: every principal of the account may use the key through EC2
 * (`kms:ViaService` and `kms:CallerAccount`), as the AWS managed `aws/ebs` key allows, so that
 * every launch and volume of the account works without a grant of its own.
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html
 */
export function ebsAccountDefaultAccess(stack: Stack): ServiceAccess {
  return {
    source: 'EbsEncryptionByDefault',
    capabilities: [KeyCapability.ENVELOPE],
    grantLabel: 'EbsByDefaultAccountGrantsThroughEc2',
    entries: [{
      label: 'EbsByDefaultAccountThroughEc2',
      principalType: '*',
      principals: [],
      actions: perms.EBS_ACTIONS,
      conditions: mergeConditions(viaService([KeyService.EC2.viaService(stack.region)]), callerAccount([stack.account])),
    }],
  };
}

/**
 * Accounts a snapshot encrypted with the key is shared with: principals of those accounts may use
 * the key only through the snapshot's service (`kms:ViaService`, `kms:CallerAccount`) with the
 * actions AWS documents for users of a shared snapshot's key (to copy it under their own key, or
 * restore it), and create grants only for AWS resources (`kms:GrantIsForAWSResource`).
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/share-kms-key.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/share-encrypted-snapshot.html
 */
export function snapshotShareAccess(stack: Stack, service: KeyService, accounts: string[]): ServiceAccess {
  if (accounts.length === 0) {
    invalid('accounts', 'must name at least one account', accounts);
  }
  accounts.forEach(a => validateAccountId('accounts', a));
  return {
    source: 'allowSnapshotShare',
    capabilities: [KeyCapability.ENVELOPE, KeyCapability.REENCRYPT, KeyCapability.GRANT_FOR_AWS_RESOURCE],
    grantLabel: `SnapshotShareGrantsThrough${service.endpointPrefix.toUpperCase()}`,
    entries: [{
      label: `SnapshotShareThrough${service.endpointPrefix.toUpperCase()}`,
      principalType: 'AWS',
      principals: accounts.map(a => `arn:${Aws.PARTITION}:iam::${a}:root`),
      actions: perms.SNAPSHOT_SHARE_RECIPIENT_ACTIONS,
      conditions: mergeConditions(viaService([service.viaService(stack.region)]), callerAccount(accounts)),
    }],
  };
}
