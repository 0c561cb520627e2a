import { Annotations, Aws, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { KeyAuditTrail } from './key-audit-trail';
import {
  aliasChangePattern, dangerousKeyCallsPattern, DISABLE_OR_DELETE_KEY_FILTER, externalGrantPattern, KeyScope, KMS_ACCESS_DENIED_FILTER,
  KMS_NATIVE_EVENTS, kmsEventPattern,
} from './private/alert-patterns';
import { EncryptionKeyBase, IEncryptionKey } from '../keys/encryption-key-base';
import { mergeConditions, sourceAccount, sourceArnLike } from '../policy/conditions';
import { cloudWatchAlarmsToTopicAccess, eventBridgeToTopicAccess, ServiceAccess } from '../policy/service-access';
import { acknowledge } from '../private/acknowledge';
import { checkEncryptionKey, encryptionKeyOrDefault } from '../private/encrypted-resource';
import { WarningIds } from '../private/ids';
import { fail, invalid, normalizeAliasName } from '../private/validation';

/**
 * Properties of `KeyAlerts`.
 */
export interface KeyAlertsProps {
  /**
   * The keys to watch: keys of this library, replicas, or keys imported with
   * `EncryptionKey.fromKeyArn`, in the stack's Region (EventBridge rules see the events of their
   * own Region).
   */
  readonly keys: IEncryptionKey[];

  /**
   * More aliases to watch: `DeleteAlias` and `UpdateAlias` record only the alias name (and
   * `UpdateAlias` the new target), so an alias is watched for deletion and re-pointing away from the
   * keys only when it is named here or belongs to one of `keys` (the aliases of the library's own
   * `EncryptionKey`s, defined before this construct, are taken automatically). `UpdateAlias`
   * pointing any alias at one of the keys is watched either way. Give the aliases of imported keys
   * here.
   *
   * @default - the aliases of the library's keys in `keys`
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-updatealias.html
   */
  readonly aliasNames?: string[];

  /**
   * The audit trail whose log group carries the CloudWatch.7 metric filter and the AccessDenied
   * metric filter. Give either `trail` or `logGroup`.
   *
   * @default - no metric filters or alarms (the EventBridge rules still need a trail in the
   * account and Region to see API calls)
   */
  readonly trail?: KeyAuditTrail;

  /**
   * The log group of an existing or organization trail (in this stack's Region), for the metric
   * filters. Give either `trail` or `logGroup`.
   *
   * @default - `trail`'s log group, if any
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * The key the alert topic is encrypted with. Its policy gets the statements EventBridge and
   * CloudWatch alarms need to publish to the topic.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * Email addresses subscribed to the alerts (each must confirm its subscription).
   *
   * @default - none (subscribe later with `addEmailSubscription` or `addSubscription`)
   */
  readonly emailAddresses?: string[];

  /**
   * How many refused KMS calls (`AccessDenied*`, `*UnauthorizedOperation`) in one period raise the
   * AccessDenied alarm.
   *
   * @default 5
   */
  readonly accessDeniedThreshold?: number;

  /**
   * The period of the alarms.
   *
   * @default Duration.minutes(5)
   */
  readonly alarmPeriod?: Duration;
}

/**
 * Alerts on dangerous events of keys, delivered to an SNS topic encrypted with a customer managed
 * key:
 *
 * - through CloudTrail (a trail must record the account's management events in the Region):
 *   `DisableKey`, `ScheduleKeyDeletion`, `PutKeyPolicy`, `DeleteImportedKeyMaterial`; `CreateGrant`
 *   by a principal of another account or for a grantee outside the account; `DeleteAlias` and
 *   `UpdateAlias` of the keys' aliases (those of the library's keys, and `aliasNames`),
 *   `UpdateAlias` pointing an alias at a key;
 * - KMS's own events (no trail needed): `KMS Imported Key Material Expiration`, `KMS CMK Rotation`,
 *   `KMS CMK Deletion`;
 * - on the trail's log group: the CIS / Security Hub CloudWatch.7 alarm (DisableKey or
 *   ScheduleKeyDeletion, at least once) and an alarm on bursts of refused KMS calls.
 *
 * The topic: encrypted with the key, TLS only, topic policy that lets exactly these rules and
 * alarms publish (`aws:SourceArn`); the key policy lets EventBridge (for this topic) and
 * CloudWatch (for these alarms) use the key.
 */
export class KeyAlerts extends Construct {
  /** The alert topic. */
  public readonly topic: sns.Topic;
  /** The alert topic's name (a literal: policies name the topic by an ARN built from it). */
  public readonly topicName: string;
  /** The key the topic is encrypted with. */
  public readonly encryptionKey: IEncryptionKey;
  /** The EventBridge rules, by alert. */
  public readonly rules: events.Rule[] = [];
  /** The CloudWatch.7 alarm (DisableKey or ScheduleKeyDeletion), when a log group is known. */
  public readonly disableOrDeleteKeyAlarm?: cloudwatch.Alarm;
  /** The alarm on bursts of refused KMS calls, when a log group is known. */
  public readonly accessDeniedAlarm?: cloudwatch.Alarm;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: KeyAlertsProps) {
    const stack = Stack.of(scope);
    if (!props.keys || props.keys.length === 0) {
      invalid('keys', 'must name at least one key', props.keys ?? []);
    }
    for (const key of props.keys) {
      const region = key.env.region;
      if (!Token.isUnresolved(region) && !Token.isUnresolved(stack.region) && region !== stack.region) {
        invalid('keys', `must be keys of the stack's Region ${stack.region} (EventBridge rules see their own Region's events; add KeyAlerts in ${region} too)`,
          `${key.node.path} in ${region}`);
      }
    }
    const aliasNames = [...new Set([
      ...(props.aliasNames ?? []).map(a => normalizeAliasName('aliasNames', a)),
      ...props.keys.flatMap(aliasesOf),
    ])];
    if (props.trail && props.logGroup) {
      fail('set either trail or logGroup, not both');
    }
    const threshold = props.accessDeniedThreshold ?? 5;
    if (!Token.isUnresolved(threshold) && (!Number.isInteger(threshold) || threshold < 1)) {
      invalid('accessDeniedThreshold', 'must be a whole number, at least 1', threshold);
    }
    const period = props.alarmPeriod ?? Duration.minutes(5);
    const periodSeconds = period.toSeconds({ integral: false });
    if (!Token.isUnresolved(periodSeconds) && (periodSeconds < 60 || periodSeconds % 60 !== 0 || periodSeconds > 86400)) {
      invalid('alarmPeriod', 'must be whole minutes from 1 minute to 1 day', period);
    }
    if (props.logGroup) {
      const region = props.logGroup.env.region;
      if (!Token.isUnresolved(region) && !Token.isUnresolved(stack.region) && region !== stack.region) {
        invalid('logGroup', `must be a log group of the stack's Region ${stack.region}`, region);
      }
    }
    for (const email of props.emailAddresses ?? []) {
      if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        invalid('emailAddresses', 'must be email addresses', email);
      }
    }
    checkPatternSizes(props.keys, aliasNames);
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'SNS');
    if (props.encryptionKey && !(props.encryptionKey instanceof EncryptionKeyBase)) {
      invalid('encryptionKey', 'must be a key of this library (EncryptionKey, ReplicaKey or EncryptionKey.fromKeyArn)', props.encryptionKey.node.path);
    }
    super(scope, id);

    const prefix = Names.uniqueResourceName(this, { maxLength: 40, separator: '-' });
    const topicName = this.topicName = Names.uniqueResourceName(this, { maxLength: 256, separator: '-' });
    const topicArn = `arn:${Aws.PARTITION}:sns:${stack.region}:${stack.account}:${topicName}`;
    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts the key alerts of ${this.node.path}`);
    this.encryptionKey = key;
    this.topic = new sns.Topic(this, 'Topic', {
      topicName,
      displayName: 'KMS key alerts',
      masterKey: key,
      enforceSSL: true,
    });

    // EventBridge rules, each publishing to the topic.
    const scopeOfKeys: KeyScope = {
      keyArns: props.keys.map(k => k.keyArn),
      keyIds: props.keys.map(k => k.keyId),
      aliasNames,
    };
    const target: events.IRuleTarget = { bind: () => ({ arn: this.topic.topicArn }) };
    const rule = (name: string, description: string, pattern: any): void => {
      this.rules.push(new events.Rule(this, name, {
        ruleName: `${prefix}-${name}`,
        description,
        eventPattern: pattern,
        targets: [target],
      }));
    };
    rule('KeyDisabledOrDeleted', 'DisableKey, ScheduleKeyDeletion or DeleteImportedKeyMaterial on a watched key (via CloudTrail)',
      dangerousKeyCallsPattern(scopeOfKeys, ['DeleteImportedKeyMaterial', 'DisableKey', 'ScheduleKeyDeletion']));
    rule('KeyPolicyChanged', 'PutKeyPolicy on a watched key (via CloudTrail)', dangerousKeyCallsPattern(scopeOfKeys, ['PutKeyPolicy']));
    rule('ExternalGrant', 'CreateGrant on a watched key by another account or for a grantee outside the account (via CloudTrail)',
      externalGrantPattern(scopeOfKeys, stack.account));
    rule('AliasChanged', 'DeleteAlias or UpdateAlias of a watched alias, or an alias pointed at a watched key (via CloudTrail)', aliasChangePattern(scopeOfKeys));
    rule('KeyMaterialExpired', 'KMS Imported Key Material Expiration of a watched key', kmsEventPattern(scopeOfKeys, [KMS_NATIVE_EVENTS.KEY_MATERIAL_EXPIRATION]));
    rule('KeyRotated', 'KMS CMK Rotation of a watched key', kmsEventPattern(scopeOfKeys, [KMS_NATIVE_EVENTS.ROTATION]));
    rule('KeyDeleted', 'KMS CMK Deletion of a watched key', kmsEventPattern(scopeOfKeys, [KMS_NATIVE_EVENTS.DELETION]));

    // The topic lets exactly these rules and alarms publish.
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EventBridgeRulesPublish',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: mergeConditions(sourceArnLike(this.rules.map(r => r.ruleArn)), sourceAccount(stack.account)),
    }));

    // Metric filters and alarms on the trail's log group.
    const logGroup = props.logGroup ?? props.trail?.logGroup;
    const alarmArns: string[] = [];
    if (logGroup) {
      const alarm = (name: string, filterPattern: string, description: string, alarmThreshold: number): cloudwatch.Alarm => {
        const filter = new logs.MetricFilter(this, `${name}Filter`, {
          logGroup,
          filterPattern: logs.FilterPattern.literal(filterPattern),
          metricNamespace: 'CdkKmsPatterns/KeyAudit',
          metricName: `${prefix}-${name}`,
          metricValue: '1',
        });
        const alarmName = `${prefix}-${name}`;
        alarmArns.push(`arn:${Aws.PARTITION}:cloudwatch:${stack.region}:${stack.account}:alarm:${alarmName}`);
        const created = new cloudwatch.Alarm(this, `${name}Alarm`, {
          alarmName,
          alarmDescription: description,
          metric: filter.metric({ statistic: cloudwatch.Stats.SUM, period }),
          threshold: alarmThreshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        created.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
        return created;
      };
      this.disableOrDeleteKeyAlarm = alarm('DisableOrScheduleKeyDeletion', DISABLE_OR_DELETE_KEY_FILTER,
        'CIS / Security Hub CloudWatch.7: a KMS key was disabled or scheduled for deletion', 1);
      this.accessDeniedAlarm = alarm('KmsAccessDenied', KMS_ACCESS_DENIED_FILTER,
        `At least ${threshold} KMS calls refused (AccessDenied / UnauthorizedOperation) within ${period.toHumanString()}`, threshold);
      this.topic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: mergeConditions(sourceArnLike(alarmArns), sourceAccount(stack.account)),
      }));
    } else {
      Annotations.of(this).addWarningV2(WarningIds.ALERTS_WITHOUT_LOG_GROUP,
        'neither trail nor logGroup is set: no CloudWatch.7 alarm (DisableKey / ScheduleKeyDeletion metric filter) and no AccessDenied alarm; '
        + 'the EventBridge rules on API calls still need a trail recording management events in this account and Region');
    }

    // The key policy: EventBridge for this topic, CloudWatch for these alarms.
    const recipes: ServiceAccess[] = [eventBridgeToTopicAccess(topicArn)];
    if (alarmArns.length > 0) recipes.push(cloudWatchAlarmsToTopicAccess(Stack.of(key), topicArn, alarmArns));
    const grants = (key as EncryptionKeyBase)._grants;
    for (const recipe of recipes) {
      grants.allowService(`KeyAlerts ${this.node.path}`, recipe.capabilities, recipe.entries, recipe.grantLabel);
    }

    acknowledge(key, ['KmsChecks-KeyPolicyServiceSource[EventBridgeToEncryptedTopic]'],
      'SNS documents a statement without any condition for AWS event sources publishing to an encrypted topic '
      + '(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services); this one is narrower, pinned to this topic '
      + 'by the kms:EncryptionContext:aws:sns:topicArn condition, and the topic policy pins the rules by aws:SourceArn and aws:SourceAccount');

    for (const email of props.emailAddresses ?? []) {
      this.addEmailSubscription(email);
    }
  }

  /**
   * Subscribes an email address to the alerts (the address must confirm the subscription).
   *
   * @param emailAddress the address
   */
  public addEmailSubscription(emailAddress: string): void {
    if (!Token.isUnresolved(emailAddress) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(emailAddress)) {
      invalid('emailAddress', 'must be an email address', emailAddress);
    }
    this.topic.addSubscription(new subscriptions.EmailSubscription(emailAddress));
  }

  /**
   * Subscribes any endpoint to the alerts (SQS queue, Lambda function, HTTPS endpoint...). An
   * encrypted SQS queue's key must let `sns.amazonaws.com` use it.
   *
   * @param subscription the subscription
   */
  public addSubscription(subscription: sns.ITopicSubscription): void {
    this.topic.addSubscription(subscription);
  }
}

/**
 * The aliases a key of this library defines (its `kms.Alias` children with literal names): imported
 * keys have none here.
 */
function aliasesOf(key: IEncryptionKey): string[] {
  return key.node.children
    .filter((c): c is kms.Alias => c instanceof kms.Alias)
    // kms.Alias.aliasName is a token (the resource's Ref); the CfnAlias holds the literal name.
    .map(a => (a.node.defaultChild as kms.CfnAlias).aliasName)
    .filter(name => !Token.isUnresolved(name));
}

/** EventBridge's limit on an event pattern, in characters. */
const EVENT_PATTERN_MAX_CHARS = 4096;

/**
 * Refuses key lists whose patterns would exceed EventBridge's 4096 characters, estimated with the
 * longest ARN and id a key can resolve to where they are tokens.
 */
function checkPatternSizes(keys: IEncryptionKey[], aliasNames: string[]): void {
  const estimate: KeyScope = {
    keyArns: keys.map(k => (Token.isUnresolved(k.keyArn) ? `arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-${'0'.repeat(32)}` : k.keyArn)),
    keyIds: keys.map(k => (Token.isUnresolved(k.keyId) ? `mrk-${'0'.repeat(32)}` : k.keyId)),
    aliasNames,
  };
  const patterns: Array<[string, unknown]> = [
    ['ExternalGrant', externalGrantPattern(estimate, '123456789012')],
    ['AliasChanged', aliasChangePattern(estimate)],
    ['KeyDisabledOrDeleted', dangerousKeyCallsPattern(estimate, ['DeleteImportedKeyMaterial', 'DisableKey', 'ScheduleKeyDeletion'])],
  ];
  for (const [name, pattern] of patterns) {
    const size = JSON.stringify(pattern).length;
    if (size > EVENT_PATTERN_MAX_CHARS) {
      invalid('keys', `must fit EventBridge's event patterns of at most ${EVENT_PATTERN_MAX_CHARS} characters (the ${name} pattern would take about `
        + `${size} with ${keys.length} keys and ${aliasNames.length} aliases): split the keys over several KeyAlerts`, `${keys.length} keys`);
    }
  }
}
