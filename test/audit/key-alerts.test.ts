import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { asEvent, controlFilter, derive, DOC_ACCOUNT, DOC_KEY_ARN, fixture } from './fixtures';
import { EncryptionKey, KeyAlerts, KeyAlertsProps, KeyAuditTrail } from '../../src';
import { DISABLE_OR_DELETE_KEY_FILTER } from '../../src/audit/private/alert-patterns';
import { nagFindings } from '../harness/compliance';
import { matchEvents } from '../harness/event-patterns';
import { synthesizeStack } from '../harness/intrinsics';
import { ServiceAccessStats, runServiceAccess, serviceAccessRows } from '../harness/service-access';
import { expectAccess, PolicyWorld, resolveIntrinsics } from '../harness/simulate';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const ENV = { account: ACCOUNT, region: REGION };
const OTHER = '222222222222';

describe('KeyAlerts with a KeyAuditTrail', () => {
  const app = new App();
  const stack = new Stack(app, 'Audit', { env: ENV });
  const key = new EncryptionKey(stack, 'DataKey', { aliases: ['alias/data'] });
  const trail = new KeyAuditTrail(stack, 'Trail', { trailName: 'key-audit' });
  const alerts = new KeyAlerts(stack, 'Alerts', { keys: [key, trail.encryptionKey], aliasNames: ['alias/data'], trail, emailAddresses: ['security@example.com'] });
  app.synth();
  const template = Template.fromStack(stack);
  const prefix = (alerts.topic.node.defaultChild as sns.CfnTopic).topicName!;
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${prefix}`;

  test('the topic: encrypted with the alerts key, TLS only; exactly these rules and alarms may publish', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: prefix,
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
    });
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(policy.find((s: any) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toMatchObject({ Effect: 'Deny', Action: 'sns:Publish' });
    const rules = policy.find((s: any) => s.Sid === 'EventBridgeRulesPublish');
    expect(rules).toMatchObject({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } });
    expect(rules.Condition.ArnLike['aws:SourceArn']).toHaveLength(7);
    expect(rules.Condition.ArnLike['aws:SourceArn'].every((a: any) => /^Alerts/.test(a['Fn::GetAtt'][0]))).toBe(true);
    const alarms = policy.find((s: any) => s.Sid === 'CloudWatchAlarmsPublish');
    expect(alarms).toMatchObject({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } });
    expect(alarms.Condition.ArnLike['aws:SourceArn']).toHaveLength(2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com' });
  });

  test('seven rules, each to the topic; the API-call rules scoped to the keys by ARN and id', () => {
    const rules = template.findResources('AWS::Events::Rule');
    expect(Object.keys(rules)).toHaveLength(7);
    for (const rule of Object.values(rules)) {
      expect(rule.Properties.Targets).toEqual([{ Arn: { Ref: stack.getLogicalId(alerts.topic.node.defaultChild as sns.CfnTopic) }, Id: 'Target0' }]);
      expect(rule.Properties.State).toBe('ENABLED');
    }
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: `${prefix}-KeyDisabledOrDeleted`,
      EventPattern: {
        'source': ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['kms.amazonaws.com'],
          eventName: ['DeleteImportedKeyMaterial', 'DisableKey', 'ScheduleKeyDeletion'],
          requestParameters: {
            keyId: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailKey'), 'Arn'] },
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'KeyId'] },
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailKey'), 'KeyId'] },
            ],
          },
        },
      },
    });
  });

  test('the CloudWatch.7 metric filter, character for character as Security Hub documents it, and its alarm at >= 1 to the topic', () => {
    // https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-7 (fixture cloudwatch-controls.json)
    const documented = controlFilter('CloudWatch.7').filterPattern;
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: documented,
      LogGroupName: { Ref: Match.stringLikeRegexp('^TrailLogGroup') },
      MetricTransformations: [Match.objectLike({ MetricValue: '1' })],
    });
    expect(DISABLE_OR_DELETE_KEY_FILTER).toBe(documented);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-DisableOrScheduleKeyDeletion$'),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      Statistic: 'Sum',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertsTopic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-KmsAccessDenied$'),
      Threshold: 5,
      Period: 300,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertsTopic') }],
    });
  });

  test('the key policy of the topic key: EventBridge for this topic (no source keys, as SNS documents), CloudWatch for these alarms', () => {
    const keys = template.findResources('AWS::KMS::Key');
    const id = Object.keys(keys).find(k => k.startsWith('AlertsKey'))!;
    const statements = keys[id].Properties.KeyPolicy.Statement;
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:${prefix}`;
    expect(statements.find((s: any) => s.Sid === 'EventBridgeToEncryptedTopic')).toEqual({
      Sid: 'EventBridgeToEncryptedTopic',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topic } },
    });
    const cw = statements.find((s: any) => s.Sid === 'CloudWatchAlarmsToEncryptedTopic');
    expect(cw).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 'kms:EncryptionContext:aws:sns:topicArn': topic } },
    });
    expect(cw.Condition.ArnLike['aws:SourceArn']).toHaveLength(2);
  });

  describe('simulation: EventBridge and CloudWatch publishing to the encrypted topic', () => {
    const world = PolicyWorld.fromStacks([stack]);
    const stats = new ServiceAccessStats();
    afterAll(() => console.log(stats.summary('test/audit/key-alerts.test.ts')));
    const alarmArn = (name: string): string => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${prefix}-${name}`;

    test('the model: both publishers allowed; foreign sources, undeclared and other-account principals denied', async () => {
      const rows = ['DisableOrScheduleKeyDeletion', 'KmsAccessDenied'].flatMap(name => serviceAccessRows(world, {
        label: `KeyAlerts topic (${name})`,
        key: alerts.encryptionKey,
        account: ACCOUNT,
        region: REGION,
        services: ['sns'],
        flags: ['eventBridgePublisher', 'alarmPublisher'],
        facts: { topicArn: `arn:aws:sns:{region}:{account}:${prefix}`, alarmArn: `arn:aws:cloudwatch:{region}:{account}:alarm:${prefix}-${name}` },
        actors: [],
      }));
      expect(await runServiceAccess(world, rows, stats)).toBeGreaterThan(10);
      expect(stats.deniedToUndeclared).toBe(stats.undeclaredRequests);
    });

    test('another topic, another alarm, another account, a missing source: denied', async () => {
      const k = alerts.encryptionKey;
      const ec = (arn: string): Record<string, string> => ({ 'kms:EncryptionContext:aws:sns:topicArn': arn });
      await expectAccess(world, [
        { label: 'EventBridge, this topic', principal: 'events.amazonaws.com', key: k, action: ['kms:GenerateDataKey', 'kms:Decrypt'], context: ec(topicArn), expect: 'allow' },
        { label: 'EventBridge, another topic', principal: 'events.amazonaws.com', key: k, action: 'kms:GenerateDataKey', context: ec(`arn:aws:sns:${REGION}:${ACCOUNT}:other`), expect: 'deny' },
        { label: 'EventBridge, a topic of another account', principal: 'events.amazonaws.com', key: k, action: 'kms:GenerateDataKey', context: ec(`arn:aws:sns:${REGION}:${OTHER}:${prefix}`), expect: 'deny' },
        { label: 'EventBridge, no encryption context', principal: 'events.amazonaws.com', key: k, action: 'kms:GenerateDataKey', expect: 'deny' },
        { label: 'EventBridge may not describe or encrypt', principal: 'events.amazonaws.com', key: k, action: ['kms:DescribeKey', 'kms:Encrypt'], context: ec(`arn:aws:sns:${REGION}:${ACCOUNT}:${prefix}`), expect: 'deny' },
        {
          label: 'CloudWatch, this alarm',
          principal: 'cloudwatch.amazonaws.com',
          key: k,
          action: 'kms:GenerateDataKey',
          context: { ...ec(`arn:aws:sns:${REGION}:${ACCOUNT}:${prefix}`), 'aws:SourceArn': alarmArn('KmsAccessDenied'), 'aws:SourceAccount': ACCOUNT },
          expect: 'allow',
        },
        {
          label: 'CloudWatch, another alarm',
          principal: 'cloudwatch.amazonaws.com',
          key: k,
          action: 'kms:GenerateDataKey',
          context: { ...ec(`arn:aws:sns:${REGION}:${ACCOUNT}:${prefix}`), 'aws:SourceArn': alarmArn('Other'), 'aws:SourceAccount': ACCOUNT },
          expect: 'deny',
        },
        {
          label: 'CloudWatch, no source ARN',
          principal: 'cloudwatch.amazonaws.com',
          key: k,
          action: 'kms:GenerateDataKey',
          context: { ...ec(`arn:aws:sns:${REGION}:${ACCOUNT}:${prefix}`), 'aws:SourceAccount': ACCOUNT },
          expect: 'deny',
        },
        {
          label: 'CloudWatch, an alarm of another account',
          principal: 'cloudwatch.amazonaws.com',
          key: k,
          action: 'kms:GenerateDataKey',
          context: { ...ec(`arn:aws:sns:${REGION}:${ACCOUNT}:${prefix}`), 'aws:SourceArn': alarmArn('KmsAccessDenied').replace(ACCOUNT, OTHER), 'aws:SourceAccount': OTHER },
          expect: 'deny',
        },
      ]);
    });
  });

  describe('simulation: the topic policy (sns:Publish) for EventBridge rules and CloudWatch alarms', () => {
    // The resolved topic policy, evaluated by iam-simulate with the request context SNS receives from
    // each publisher (aws:SourceArn, aws:SourceAccount).
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
    const synthesized = synthesizeStack(stack);
    const topicPolicy = resolveIntrinsics(Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties.PolicyDocument, { stack: synthesized });
    const ruleNames = Object.values(template.findResources('AWS::Events::Rule')).map(r => r.Properties.Name as string);
    const ruleArn = (name: string, account = ACCOUNT): string => `arn:aws:events:${REGION}:${account}:rule/${name}`;
    const alarmArn = (name: string, account = ACCOUNT): string => `arn:aws:cloudwatch:${REGION}:${account}:alarm:${prefix}-${name}`;
    const publish = async (principal: string, context: Record<string, string>, resource = topicArn): Promise<string> => {
      const result = await runSimulation({
        request: {
          principal,
          action: 'sns:Publish',
          resource: { resource, accountId: ACCOUNT },
          contextVariables: { 'aws:SecureTransport': 'true', ...context },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: topicPolicy as any,
      }, {});
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    };

    test('the policy names the topic and the seven rules by the ARNs EventBridge sends', () => {
      expect(ruleNames).toHaveLength(7);
      const statement = (topicPolicy as any).Statement.find((s: any) => s.Sid === 'EventBridgeRulesPublish');
      expect(statement.Resource).toBe(topicArn);
      expect([...statement.Condition.ArnLike['aws:SourceArn']].sort()).toEqual(ruleNames.map(n => ruleArn(n)).sort());
    });

    test.each(['KeyDisabledOrDeleted', 'AliasChanged', 'KeyRotated'])('EventBridge rule %s: allowed', async (name) => {
      const rule = ruleNames.find(n => n.endsWith(`-${name}`))!;
      expect(await publish('events.amazonaws.com', { 'aws:SourceArn': ruleArn(rule), 'aws:SourceAccount': ACCOUNT })).toBe('Allowed');
    });

    test.each<[string, string, Record<string, string>, string]>([
      ['EventBridge: another rule of the account', 'events.amazonaws.com', { 'aws:SourceArn': ruleArn('other-rule'), 'aws:SourceAccount': ACCOUNT }, topicArn],
      ['EventBridge: the same rule name in another account', 'events.amazonaws.com', { 'aws:SourceArn': ruleArn(`${prefix}-KeyRotated`, OTHER), 'aws:SourceAccount': OTHER }, topicArn],
      ['EventBridge: a rule of the account, source account missing', 'events.amazonaws.com', { 'aws:SourceArn': ruleArn(`${prefix}-KeyRotated`) }, topicArn],
      ['EventBridge: no source', 'events.amazonaws.com', {}, topicArn],
      ['EventBridge: a rule of the account, another topic', 'events.amazonaws.com', { 'aws:SourceArn': ruleArn(`${prefix}-KeyRotated`), 'aws:SourceAccount': ACCOUNT },
        `arn:aws:sns:${REGION}:${ACCOUNT}:other`],
      ['CloudWatch: another alarm of the account', 'cloudwatch.amazonaws.com', { 'aws:SourceArn': alarmArn('Other'), 'aws:SourceAccount': ACCOUNT }, topicArn],
      ['CloudWatch: the same alarm name in another account', 'cloudwatch.amazonaws.com', { 'aws:SourceArn': alarmArn('KmsAccessDenied', OTHER), 'aws:SourceAccount': OTHER }, topicArn],
      ['CloudWatch: no source', 'cloudwatch.amazonaws.com', {}, topicArn],
      ['CloudWatch in the role of EventBridge (a rule ARN)', 'cloudwatch.amazonaws.com', { 'aws:SourceArn': ruleArn(`${prefix}-KeyRotated`), 'aws:SourceAccount': ACCOUNT }, topicArn],
      ['another service with an alarm ARN', 'events.amazonaws.com', { 'aws:SourceArn': alarmArn('KmsAccessDenied'), 'aws:SourceAccount': ACCOUNT }, topicArn],
      ['an account root', `arn:aws:iam::${OTHER}:root`, { 'aws:SourceAccount': ACCOUNT }, topicArn],
    ])('%s: denied', async (_label, principal, context, resource) => {
      expect(await publish(principal, context, resource)).not.toBe('Allowed');
    });

    test.each(['DisableOrScheduleKeyDeletion', 'KmsAccessDenied'])('CloudWatch alarm %s: allowed; without TLS: explicitly denied', async (name) => {
      const context = { 'aws:SourceArn': alarmArn(name), 'aws:SourceAccount': ACCOUNT };
      expect(await publish('cloudwatch.amazonaws.com', context)).toBe('Allowed');
      expect(await publish('cloudwatch.amazonaws.com', { ...context, 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
    });
  });

  test('cdk-nag and KmsChecks: no unacknowledged finding (the trail bucket\'s replication is acknowledged as the user\'s DR choice)', () => {
    expect(nagFindings(stack).map(f => `${f.ruleId} ${f.resourcePath}`)).toEqual([]);
  });

  test('no warnings', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('KeyAlerts: the synthesized patterns against AWS documentation samples (moto EventPattern)', () => {
  // The key of AWS's examples, imported: the synthesized patterns then hold literal values.
  const stack = new Stack(new App(), 'Doc', { env: { account: DOC_ACCOUNT, region: 'us-west-2' } });
  const key = EncryptionKey.fromKeyArn(stack, 'DocKey', DOC_KEY_ARN);
  new KeyAlerts(stack, 'Alerts', { keys: [key], aliasNames: ['my_alias'] });
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  const byName = Object.fromEntries(Object.entries(rules).map(([id, r]) => [id.replace(/^Alerts/, '').replace(/[0-9A-F]{8}$/, ''), r.Properties.EventPattern]));

  test.each<[string, any, string[]]>([
    ['DisableKey', asEvent(fixture('disable-key')), ['KeyDisabledOrDeleted']],
    ['ScheduleKeyDeletion', asEvent(fixture('schedule-key-deletion')), ['KeyDisabledOrDeleted']],
    ['PutKeyPolicy', asEvent(fixture('put-key-policy')), ['KeyPolicyChanged']],
    ['CreateGrant for a role of another account (derived)', derive(fixture('create-grant'), r => {
      r.requestParameters.granteePrincipal = 'arn:aws:iam::444455556666:role/Outsider';
    }), ['ExternalGrant']],
    ['CreateGrant by EC2 attaching a volume', asEvent(fixture('ebs-attach-create-grant')), []],
    ['DeleteAlias', asEvent(fixture('delete-alias')), ['AliasChanged']],
    ['UpdateAlias', asEvent(fixture('update-alias')), ['AliasChanged']],
    ['KMS CMK Rotation', asEvent(fixture('kms-cmk-rotation')), ['KeyRotated']],
    ['KMS Imported Key Material Expiration', asEvent(fixture('kms-key-material-expiration')), ['KeyMaterialExpired']],
    ['KMS CMK Deletion', asEvent(fixture('kms-cmk-deletion')), ['KeyDeleted']],
    ['EnableKey', asEvent(fixture('enable-key')), []],
  ])('%s', (_name, event, expected) => {
    const names = Object.keys(byName);
    const results = matchEvents(names.map(n => ({ pattern: byName[n], event })));
    expect(names.filter((_, i) => results[i]).sort()).toEqual(expected.sort());
  });

  test('without a log group: no alarms, a warning; without encryptionKey a key is created for the topic', () => {
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('neither trail nor logGroup is set'))).toHaveLength(1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] } });
  });

  test('an alerts key that is not a key of this library is refused before anything is created', () => {
    const other = new Stack(new App(), 'Foreign', { env: ENV });
    const foreign = new kms.Key(other, 'CdkKey');
    expect(() => new KeyAlerts(other, 'Alerts', { keys: [new EncryptionKey(other, 'K')], encryptionKey: foreign as any }))
      .toThrow(/^encryptionKey must be a /);
    expect(other.node.tryFindChild('Alerts')).toBeUndefined();
  });
});

describe('KeyAlerts options and input', () => {
  test('an existing trail\'s log group, a subscription helper and another threshold', () => {
    const stack = new Stack(new App(), 'Existing', { env: ENV });
    const logGroup = logs.LogGroup.fromLogGroupName(stack, 'OrgTrailLogs', 'aws-controltower/CloudTrailLogs');
    const alerts = new KeyAlerts(stack, 'Alerts', { keys: [new EncryptionKey(stack, 'K')], logGroup, accessDeniedThreshold: 20, alarmPeriod: Duration.minutes(10) });
    alerts.addEmailSubscription('oncall@example.com');
    alerts.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(stack, 'Q', { enforceSSL: true })));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::MetricFilter', { LogGroupName: 'aws-controltower/CloudTrailLogs', FilterPattern: DISABLE_OR_DELETE_KEY_FILTER });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-KmsAccessDenied$'), Threshold: 20, Period: 600 });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
  });

  test('the aliases of the library\'s keys are watched without aliasNames; an imported key\'s alias only when named', () => {
    const stack = new Stack(new App(), 'Aliases', { env: ENV });
    const own = new EncryptionKey(stack, 'Own', { aliases: ['alias/orders', 'invoices'] });
    const imported = EncryptionKey.fromKeyArn(stack, 'Imported', `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    new KeyAlerts(stack, 'Alerts', { keys: [own, imported], aliasNames: ['alias/imported'] });
    const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
    const aliasRule = Object.values(rules).find(r => String(r.Properties.Name).endsWith('-AliasChanged'))!;
    expect(aliasRule.Properties.EventPattern.detail.eventName).toEqual(['DeleteAlias', 'UpdateAlias']);
    expect(aliasRule.Properties.EventPattern.detail.$or[0]).toEqual({ requestParameters: { aliasName: ['alias/imported', 'alias/orders', 'alias/invoices'] } });
  });

  test.each<[string, (s: Stack) => KeyAlertsProps, RegExp]>([
    ['no keys', () => ({ keys: [] }), /keys must name at least one key, got \[\]/],
    ['a key of another Region', (s) => ({ keys: [EncryptionKey.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab')] }),
      /keys must be keys of the stack's Region eu-west-1 .*got '.*in us-east-1'/],
    ['both trail and logGroup', (s) => ({ keys: [new EncryptionKey(s, 'K')], trail: new KeyAuditTrail(s, 'T'), logGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'x') }),
      /set either trail or logGroup, not both/],
    ['a zero threshold', (s) => ({ keys: [new EncryptionKey(s, 'K')], accessDeniedThreshold: 0 }), /accessDeniedThreshold must be a whole number, at least 1, got 0/],
    ['a period in seconds', (s) => ({ keys: [new EncryptionKey(s, 'K')], alarmPeriod: Duration.seconds(90) }), /alarmPeriod must be whole minutes from 1 minute to 1 day/],
    ['a malformed email', (s) => ({ keys: [new EncryptionKey(s, 'K')], emailAddresses: ['security'] }), /emailAddresses must be email addresses, got 'security'/],
    ['too many keys for one event pattern', (s) => ({ keys: Array.from({ length: 30 }, (_, i) => new EncryptionKey(s, `K${i}`)) }),
      /keys must fit EventBridge's event patterns of at most 4096 characters \(the ExternalGrant pattern would take about \d+ with 30 keys and 0 aliases\).*got '30 keys'/],
    ['an aws/ alias', (s) => ({ keys: [new EncryptionKey(s, 'K')], aliasNames: ['alias/aws/ebs'] }), /aliasNames must not start with 'alias\/aws\/'/],
  ])('refuses %s before creating anything', (_name, props, message) => {
    const stack = new Stack(new App(), 'Bad', { env: ENV });
    const resolved = props(stack);
    expect(() => new KeyAlerts(stack, 'Alerts', resolved)).toThrow(message);
    expect(stack.node.tryFindChild('Alerts')).toBeUndefined();
  });
});
