import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { RegionFake } from './region-copy-fake';
import { ScheduleFake, SourceSnapshot } from './region-copy-schedule-fake';
import { EncryptionKey, SnapshotRegionCopy, SnapshotRegionCopySchedule, SnapshotRegionCopyScheduleProps, SnapshotType } from '../../src';
import { CompletionWaits } from '../../src/snapshots/private/event-wait';
import { MAX_PAGES, NO_REQUEST_YET } from '../../src/snapshots/private/region-copy-schedule-workflow';
import { expectNoNagFindings } from '../harness/compliance';
import { matchEvents } from '../harness/event-patterns';
import { sdkModelErrors } from '../harness/sdk-models';
import { defineServiceChecks, deployer, keyDeploymentRows, ServiceAccessRow, ServiceAccessStats, serviceAccessRows } from '../harness/service-access';
import { PolicyWorld } from '../harness/simulate';
import { aslValidationErrors, extractDefinition, JsonValue, runStateMachine, StateMachineRun } from '../harness/state-machine';

const ACCOUNT = '111111111111';
const SOURCE = 'eu-west-1';
const DEST = 'us-east-1';
const VOL = 'vol-0123456789abcdef0';
const VOL2 = 'vol-0fedcba9876543210';

/** When the offline runs start (`$$.Execution.StartTime`): after every snapshot time of the tests, whatever the clock. */
const RUN_STARTED = '2027-01-01T00:00:00.000Z';

/** An ISO 8601 time `h` hours into 1 December 2026. */
const T = (h: number) => `2026-12-0${1 + Math.floor(h / 24)}T${String(h % 24).padStart(2, '0')}:00:00.000Z`;

const SOURCES: Partial<SnapshotRegionCopyScheduleProps> = {
  ebsVolumeIds: [VOL, VOL2], dbInstanceIdentifiers: ['orders'], dbClusterIdentifiers: ['ledger'],
};

function build(props: Partial<SnapshotRegionCopyScheduleProps> = SOURCES) {
  const app = new App();
  const stack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: SOURCE } });
  const schedule = new SnapshotRegionCopySchedule(stack, 'ToDr', { destinationRegion: DEST, ...props });
  app.synth();
  return { app, stack, schedule };
}

/** The memory parameter of a source: the name the workflow reads and writes (and CloudFormation creates). */
function parameterOf(schedule: SnapshotRegionCopySchedule, kind: string, source: string): string {
  const p = schedule.lastRequestParameters.find(x => x.node.id === `LastRequest-${kind}-${source}`)!;
  return (p.node.defaultChild as ssm.CfnParameter).name!;
}

/** Every memory parameter, as CloudFormation creates it (value "no request yet"). */
function createParameters(fake: ScheduleFake, schedule: SnapshotRegionCopySchedule): void {
  for (const p of schedule.lastRequestParameters) {
    const cfn = p.node.defaultChild as ssm.CfnParameter;
    if (!fake.parameters.has(cfn.name!)) fake.parameters.set(cfn.name!, cfn.value);
  }
}

const ebs = (id: string, source: string, time: string, status = 'completed', foreign = false): SourceSnapshot => ({ kind: 'EBS', id, source, time, status, foreign });
const db = (id: string, time: string, status = 'available', source = 'orders'): SourceSnapshot => ({ kind: 'RDS_DB', id, source, time, status });
const cluster = (id: string, time: string, status = 'available'): SourceSnapshot => ({ kind: 'AURORA_CLUSTER', id, source: 'ledger', time, status });

/**
 * The outcome of each source, in source order (the run's output; the harness's visitedStates
 * lists states inside a Map only in part).
 */
function outcomes(run: StateMachineRun): string[] {
  return ((run.output as { results: Array<{ outcome: string }> }).results).map(r => r.outcome);
}

/** Runs the schedule's workflow once against the fake (memory parameters start as CloudFormation creates them). */
async function runSchedule(fake: ScheduleFake, props: Partial<SnapshotRegionCopyScheduleProps> = SOURCES) {
  const { stack, schedule } = build(props);
  const definition = extractDefinition(stack, schedule.stateMachine);
  createParameters(fake, schedule);
  // the context object Step Functions gives (the workflow reads the start time: a remembered time after it is refused)
  const context = { Execution: { Id: `arn:aws:states:${SOURCE}:${ACCOUNT}:express:schedule:run-${fake.calls.length}`, StartTime: RUN_STARTED } };
  const run = await runStateMachine(definition, { input: {}, taskHandlers: fake.handlers(definition), context });
  return { run, schedule, definition };
}

describe('SnapshotRegionCopySchedule: resources', () => {
  const { stack, schedule } = build();
  const template = Template.fromStack(stack);

  test('an EXPRESS workflow, 5 minutes at most, traced, logging its errors (with their data) to a log group under the key', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ERROR',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ToDrLogs'), 'Arn'] } } }],
      },
    });
    expect(extractDefinition(stack, schedule.stateMachine).TimeoutSeconds).toBe(300);
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ToDrKey'), 'Arn'] }, RetentionInDays: 365 },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ToDrKey'), 'Arn'] } });
  });

  test('logLevel: every state (ALL) when asked, still with the execution data; OFF warns', () => {
    // https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html
    const { stack: all } = build({ ...SOURCES, logLevel: sfn.LogLevel.ALL });
    Template.fromStack(all).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    expect(Annotations.fromStack(all).findWarning('*', Match.stringLikeRegexp('logLevel'))).toHaveLength(0);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('logLevel'))).toHaveLength(0);
    // OFF: allowed, with a warning that says what is lost
    const { stack: off } = build({ ...SOURCES, logLevel: sfn.LogLevel.OFF });
    Template.fromStack(off).hasResourceProperties('AWS::StepFunctions::StateMachine', { LoggingConfiguration: Match.objectLike({ Level: 'OFF' }) });
    expect(Annotations.fromStack(off).findWarning('/Primary/ToDr', Match.stringLikeRegexp('logLevel: OFF leaves no record of a failed run'))).toHaveLength(1);
  });

  test('runs hourly by default, or on the schedule given', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 4 } })] });
    const { stack: daily } = build({ ...SOURCES, schedule: events.Schedule.cron({ hour: '4', minute: '30' }) });
    Template.fromStack(daily).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 4 * * ? *)' });
  });

  test('one memory parameter per source, starting with "no request yet"', () => {
    expect(schedule.lastRequestParameters).toHaveLength(4);
    for (const [kind, source] of [['ebs', VOL], ['ebs', VOL2], ['db', 'orders'], ['cluster', 'ledger']]) {
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: Match.stringLikeRegexp(`^/cdk-kms-patterns/snapshot-region-copy-schedule/[0-9a-f]{8}/${kind}/${source}$`), Value: NO_REQUEST_YET, Type: 'String',
      });
    }
  });

  test('forwards only its requests for this destination to the destination Region\'s default bus, with a role that may only put events there', () => {
    const bus = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${DEST}:${ACCOUNT}:event-bus/default`]] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['cdk-kms-patterns.snapshot-region-copy'],
        'detail-type': ['Snapshot Region Copy Requested'],
        'account': [ACCOUNT],
        'region': [SOURCE],
        'detail': { destinationRegion: [DEST] },
      },
      Targets: [Match.objectLike({ Arn: bus, RoleArn: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: bus }] } });
  });

  test('the workflow role: PutEvents of its own source on this Region\'s default bus; reads only the listed sources and parameters', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'events:PutEvents',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${SOURCE}:${ACCOUNT}:event-bus/default`]] },
          Condition: { StringEquals: { 'events:source': 'cdk-kms-patterns.snapshot-region-copy' } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'rds:DescribeDBSnapshots',
          Resource: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${SOURCE}:${ACCOUNT}:db:orders`]] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${SOURCE}:${ACCOUNT}:snapshot:*`]] },
          ],
        })]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ssm:PutParameter', Resource: Match.arrayWith([Match.objectLike({ 'Fn::Join': Match.anyValue() })]) })]) },
    });
    // nothing writes snapshots, nothing reaches another Region's resources but the forwarding target
    expect(policies).not.toMatch(/ec2:(Copy|Delete|Create)|rds:(Copy|Delete|Create)|ssm:\*|"events:\*"/);
    const parameters = JSON.stringify(template.findResources('AWS::IAM::Policy')).match(/parameter\/[^"]+/g) ?? [];
    expect(parameters).toHaveLength(8);
    expect(parameters.every(p => p.startsWith('parameter/cdk-kms-patterns/snapshot-region-copy-schedule/'))).toBe(true);
  });

  test('zero unacknowledged findings in the four cdk-nag packs (all kinds; EBS only; every log level)', () => {
    expectNoNagFindings(stack);
    expectNoNagFindings(build({ ebsVolumeIds: [VOL] }).stack);
    expectNoNagFindings(build({ ebsVolumeIds: [VOL], logLevel: sfn.LogLevel.ALL }).stack);
  });

  test('RDS identifiers are used in lowercase, as RDS stores them: parameters, IAM resources and the describe calls', () => {
    const { stack: mixed, schedule: s } = build({ dbInstanceIdentifiers: ['Orders'], dbClusterIdentifiers: ['LEDGER'] });
    expect(s.lastRequestParameters.map(p => p.node.id)).toEqual(['LastRequest-db-orders', 'LastRequest-cluster-ledger']);
    const policies = JSON.stringify(Template.fromStack(mixed).findResources('AWS::IAM::Policy'));
    expect(policies).toContain(`:rds:${SOURCE}:${ACCOUNT}:db:orders"`);
    expect(policies).toContain(`:rds:${SOURCE}:${ACCOUNT}:cluster:ledger"`);
    expect(policies).not.toMatch(/Orders|LEDGER/);
    const sources = extractDefinition(mixed, s.stateMachine).States.Sources as unknown as { Result: Array<{ source: string }> };
    expect(sources.Result.map(r => r.source)).toEqual(['orders', 'ledger']);
  });

  test('source tokens are accepted (named by position)', () => {
    const tokens = new Stack(new App(), 'T', { env: { account: ACCOUNT, region: SOURCE } });
    const s = new SnapshotRegionCopySchedule(tokens, 'S', { destinationRegion: DEST, dbInstanceIdentifiers: [Fn.importValue('OrdersDb'), 'orders'] });
    expect(s.lastRequestParameters.map(p => p.node.id)).toEqual(['LastRequest-db-0', 'LastRequest-db-orders']);
    Template.fromStack(tokens).hasResourceProperties('AWS::SSM::Parameter', { Name: Match.stringLikeRegexp('/db/source-0$') });
  });
});

describe('SnapshotRegionCopySchedule: validation', () => {
  const make = (props: Partial<SnapshotRegionCopyScheduleProps>, region = SOURCE) => () => {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region } });
    new SnapshotRegionCopySchedule(stack, 'C', { destinationRegion: DEST, ...props });
  };

  test('sources: at least one, formats, no repeats, at most 40', () => {
    expect(make({})).toThrow(/ebsVolumeIds, dbInstanceIdentifiers, dbClusterIdentifiers: name at least one source/);
    expect(make({ ebsVolumeIds: ['snap-0123456789abcdef0'] })).toThrow(/ebsVolumeIds must hold volume ids such as vol-0123456789abcdef0, got 'snap-0123456789abcdef0'/);
    expect(make({ ebsVolumeIds: [VOL, VOL] })).toThrow(/ebsVolumeIds must not name a source twice, got 'vol-0123456789abcdef0'/);
    expect(make({ dbInstanceIdentifiers: ['1orders'] })).toThrow(/dbInstanceIdentifiers must hold 1 to 63 letters.*got '1orders'/);
    expect(make({ dbInstanceIdentifiers: ['a--b'] })).toThrow(/dbInstanceIdentifiers/);
    expect(make({ dbClusterIdentifiers: ['ledger-'] })).toThrow(/dbClusterIdentifiers must hold .*got 'ledger-'/);
    expect(make({ dbClusterIdentifiers: ['x'.repeat(64)] })).toThrow(/dbClusterIdentifiers/);
    const many = Array.from({ length: 41 }, (_, i) => `db${i}`);
    expect(make({ dbInstanceIdentifiers: many })).toThrow(/at most 40 sources in one schedule \(one EXPRESS execution\), got 41/);
    expect(make({ dbInstanceIdentifiers: ['orders', 'Orders'] })).toThrow(/dbInstanceIdentifiers must not name a source twice \(as 'orders': identifiers are not case-sensitive\), got 'Orders'/);
    expect(make({ dbInstanceIdentifiers: ['1Orders'] })).toThrow(/got '1Orders'/);
    expect(make({ ebsVolumeIds: ['vol-01234567'], dbInstanceIdentifiers: ['orders'], dbClusterIdentifiers: ['orders'] })).not.toThrow();
  });

  test('schedule: a rate of at least 5 minutes (runs never overlap)', () => {
    expect(make({ ebsVolumeIds: [VOL], schedule: events.Schedule.rate(Duration.minutes(1)) }))
      .toThrow(/schedule must not run more often than every 5 minutes .*got 'rate\(1 minute\)'/);
    expect(make({ ebsVolumeIds: [VOL], schedule: events.Schedule.rate(Duration.minutes(4)) })).toThrow(/got 'rate\(4 minutes\)'/);
    expect(make({ ebsVolumeIds: [VOL], schedule: events.Schedule.rate(Duration.minutes(5)) })).not.toThrow();
    expect(make({ ebsVolumeIds: [VOL], schedule: events.Schedule.rate(Duration.days(1)) })).not.toThrow();
  });

  test('Regions', () => {
    expect(make({ ebsVolumeIds: [VOL], destinationRegion: SOURCE })).toThrow(/destinationRegion must differ from the stack's Region eu-west-1/);
    expect(make({ ebsVolumeIds: [VOL], destinationRegion: 'Virginia' })).toThrow(/destinationRegion must be a Region name such as eu-west-1.*got 'Virginia'/);
    expect(make({ ebsVolumeIds: [VOL], destinationRegion: 'us-gov-east-1' })).toThrow(/GovCloud/);
    expect(make({ dbInstanceIdentifiers: ['orders'], destinationRegion: 'cn-northwest-1' }, 'cn-north-1')).toThrow(/RDS and Aurora cannot copy snapshots to or from the China Regions/);
    expect(make({ dbInstanceIdentifiers: ['orders'], destinationRegion: 'cn-northwest-1' }, 'cn-north-1')).toThrow(/list only ebsVolumeIds there/);
    expect(make({ ebsVolumeIds: [VOL], destinationRegion: 'cn-northwest-1' }, 'cn-north-1')).not.toThrow();
  });

  test('encryptionKey: a symmetric key of this Region', () => {
    expect(() => {
      const app = new App();
      const dr = new Stack(app, 'Dr', { env: { account: ACCOUNT, region: DEST } });
      const key = new EncryptionKey(dr, 'Key');
      const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: SOURCE } });
      new SnapshotRegionCopySchedule(primary, 'S', { destinationRegion: DEST, ebsVolumeIds: [VOL], encryptionKey: key });
    }).toThrow(/encryptionKey must be a key in the stack's Region eu-west-1 .*, got 'us-east-1'/);
  });
});

describe('SnapshotRegionCopySchedule: the definition', () => {
  const { stack, schedule } = build();
  const definition = extractDefinition(stack, schedule.stateMachine);

  test('is valid ASL', () => {
    expect(aslValidationErrors(definition)).toEqual([]);
  });

  test('every aws-sdk task names a real operation and real parameters, as Step Functions names them (botocore models)', () => {
    expect(sdkModelErrors(definition)).toEqual([]);
  });

  test('EBS: this account\'s completed snapshots of the volume; RDS and Aurora: by the instance or cluster; pages with their tokens', () => {
    type MapState = { ItemProcessor: { States: Record<string, { Parameters?: unknown }> } };
    const states = (definition.States.EachSource as unknown as MapState).ItemProcessor.States;
    expect(states.EbsFirstPage.Parameters).toEqual({
      OwnerIds: ['self'],
      Filters: [{ 'Name': 'volume-id', 'Values.$': 'States.Array($.source)' }, { Name: 'status', Values: ['completed'] }],
      MaxResults: 100,
    });
    expect(states.EbsNextPage.Parameters).toMatchObject({ 'NextToken.$': '$.page.token' });
    expect(states.EbsKeepToken.Parameters).toEqual({ 'token.$': '$.page.NextToken' });
    expect(states.DbKeepToken.Parameters).toEqual({ 'token.$': '$.page.Marker' });
    expect(states.DbFirstPage.Parameters).toEqual({ 'DbInstanceIdentifier.$': '$.source', 'MaxRecords': 50 });
    expect(states.ClusterNextPage.Parameters).toEqual({ 'DbClusterIdentifier.$': '$.source', 'MaxRecords': 50, 'Marker.$': '$.page.token' });
  });
});

describe('SnapshotRegionCopySchedule: offline executions', () => {
  test('the newest completed snapshot of each source is requested, whatever the order of the list; pending and foreign ones are ignored', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE).add(
      ebs('snap-00000000000000001', VOL, T(1)), ebs('snap-00000000000000005', VOL, T(5)), ebs('snap-00000000000000003', VOL, T(3)),
      ebs('snap-00000000000000009', VOL, T(9), 'pending'), ebs('snap-0000000000000000f', VOL, T(20), 'completed', true),
      ebs('snap-00000000000000002', VOL2, T(2)),
      db('rds:orders-2026-12-01-03-00', T(3)), db('orders-manual', T(7)), db('orders-now', T(8), 'creating'), db('orders-bad', T(10), 'failed'),
      db('other-newest', T(12), 'available', 'billing'),
      cluster('ledger-a', T(4)), cluster('rds:ledger-2026-12-01', T(6)),
    );
    const { run, schedule } = await runSchedule(fake);
    expect(run.status).toBe('SUCCEEDED');
    expect(outcomes(run)).toEqual(['REQUESTED', 'REQUESTED', 'REQUESTED', 'REQUESTED']);
    const requested = fake.events.map(e => e.detail as Record<string, string>);
    expect(requested).toEqual(expect.arrayContaining([
      { snapshotType: 'EBS', sourceSnapshotId: 'snap-00000000000000005', snapshotTime: T(5), sourceResource: VOL, destinationRegion: DEST },
      { snapshotType: 'EBS', sourceSnapshotId: 'snap-00000000000000002', snapshotTime: T(2), sourceResource: VOL2, destinationRegion: DEST },
      { snapshotType: 'RDS_DB', sourceSnapshotId: `arn:aws:rds:${SOURCE}:${ACCOUNT}:snapshot:orders-manual`, snapshotTime: T(7), sourceResource: 'orders', destinationRegion: DEST },
      { snapshotType: 'AURORA_CLUSTER', sourceSnapshotId: `arn:aws:rds:${SOURCE}:${ACCOUNT}:cluster-snapshot:rds:ledger-2026-12-01`, snapshotTime: T(6), sourceResource: 'ledger', destinationRegion: DEST },
    ]));
    expect(requested).toHaveLength(4);
    expect(fake.events.every(e => e.source === 'cdk-kms-patterns.snapshot-region-copy' && e['detail-type'] === 'Snapshot Region Copy Requested')).toBe(true);
    expect(JSON.parse(fake.parameters.get(parameterOf(schedule, 'ebs', VOL))!)).toEqual({ id: 'snap-00000000000000005', time: T(5) });
    // own snapshots only (a snapshot shared with the account is not this account's to copy)
    const firstPage = fake.calls.find(c => c.operation === 'ec2:describeSnapshots')!;
    expect(firstPage.input).toMatchObject({ OwnerIds: ['self'] });
    expect(fake.published).toEqual([]);
  });

  test('nothing new: no request, no duplicate; a newer one later: requested; the newest deleted: an older one is never requested', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE).add(ebs('snap-00000000000000001', VOL, T(1)), ebs('snap-00000000000000005', VOL, T(5)));
    const props = { ebsVolumeIds: [VOL] };
    expect((await runSchedule(fake, props)).run.status).toBe('SUCCEEDED');
    expect(fake.events).toHaveLength(1);
    const again = await runSchedule(fake, props);
    expect(again.run.status).toBe('SUCCEEDED');
    expect(outcomes(again.run)).toEqual(['NOTHING_NEW']);
    expect(fake.events).toHaveLength(1);
    fake.add(ebs('snap-00000000000000007', VOL, T(7)));
    await runSchedule(fake, props);
    expect(fake.events.map(e => (e.detail as Record<string, string>).sourceSnapshotId)).toEqual(['snap-00000000000000005', 'snap-00000000000000007']);
    // the newest is deleted in the source Region: the newest left (T5) is older than the last request (T7)
    fake.snapshots.splice(fake.snapshots.findIndex(s => s.id === 'snap-00000000000000007'), 1);
    const after = await runSchedule(fake, props);
    expect(outcomes(after.run)).toEqual(['NOTHING_NEW']);
    expect(fake.events).toHaveLength(2);
    expect(fake.calls.filter(c => c.operation === 'ssm:putParameter')).toHaveLength(2);
  });

  test('a source without any completed snapshot: nothing requested, the run succeeds', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE).add(ebs('snap-00000000000000009', VOL, T(9), 'pending'), db('orders-now', T(8), 'creating'));
    const { run } = await runSchedule(fake, { ebsVolumeIds: [VOL], dbInstanceIdentifiers: ['orders'] });
    expect(run.status).toBe('SUCCEEDED');
    expect(outcomes(run)).toEqual(['NONE', 'NONE']);
    expect(fake.events).toEqual([]);
    expect(fake.calls.map(c => c.operation)).not.toContain('ssm:getParameter');
  });

  test('many snapshots over several pages: the newest is on a later page', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE);
    for (let i = 0; i < 130; i++) fake.add(db(`orders-${i}`, new Date(Date.UTC(2026, 0, 1) + ((i * 37) % 130) * 3600_000).toISOString()));
    // (i * 37) % 130 is a permutation of 0..129: the newest is the one with remainder 129
    const newest = Array.from({ length: 130 }, (_, i) => i).find(i => (i * 37) % 130 === 129)!;
    const { run } = await runSchedule(fake, { dbInstanceIdentifiers: ['orders'] });
    expect(run.status).toBe('SUCCEEDED');
    expect(fake.calls.filter(c => c.operation === 'rds:describeDBSnapshots').map(c => c.input.Marker)).toEqual([undefined, 'page-50', 'page-100']);
    expect((fake.events[0].detail as Record<string, string>).sourceSnapshotId).toBe(`arn:aws:rds:${SOURCE}:${ACCOUNT}:snapshot:orders-${newest}`);
  });

  test(`more than ${MAX_PAGES} pages: that source fails (TooManySnapshots) rather than risk an old one; notified`, async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE);
    for (let i = 0; i < MAX_PAGES * 100 + 1; i++) fake.add(ebs(`snap-${i.toString(16).padStart(17, '0')}`, VOL, new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()));
    const { run } = await runSchedule(fake, { ebsVolumeIds: [VOL] });
    expect(run).toMatchObject({ status: 'FAILED', error: 'SnapshotRegionCopyScheduleFailed' });
    expect(fake.calls.filter(c => c.operation === 'ec2:describeSnapshots')).toHaveLength(MAX_PAGES);
    expect(fake.events).toEqual([]);
    expect(fake.published).toEqual([{ execution: expect.any(String), results: [expect.objectContaining({ outcome: 'FAILED', source: VOL, error: expect.objectContaining({ Error: 'TooManySnapshots' }) })] }]);
  }, 60_000);

  test('throttling is retried (EC2, RDS, SSM, EventBridge)', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE, { throttle: { 'ec2:describeSnapshots': 2, 'rds:describeDBSnapshots': 1, 'ssm:getParameter': 1, 'eventbridge:putEvents': 1 } })
      .add(ebs('snap-00000000000000001', VOL, T(1)));
    const { run } = await runSchedule(fake, { ebsVolumeIds: [VOL], dbInstanceIdentifiers: ['orders'] });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retries.map(r => r.state).sort()).toEqual(['DbFirstPage', 'EbsFirstPage', 'EbsFirstPage', 'ReadLastRequest', 'RequestCopy']);
    expect(fake.events).toHaveLength(1);
  });

  test('several sources, one failing: the others are requested; the failure is published and the run fails', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE, { missingSources: ['gone'] })
      .add(ebs('snap-00000000000000001', VOL, T(1)), db('orders-1', T(2)));
    const { run } = await runSchedule(fake, { ebsVolumeIds: [VOL], dbInstanceIdentifiers: ['gone', 'orders'] });
    expect(run).toMatchObject({ status: 'FAILED', error: 'SnapshotRegionCopyScheduleFailed' });
    expect(fake.events.map(e => (e.detail as Record<string, string>).sourceResource).sort()).toEqual(['orders', VOL]);
    expect(fake.published).toEqual([{
      execution: expect.any(String),
      results: expect.arrayContaining([
        expect.objectContaining({ outcome: 'FAILED', type: 'RDS_DB', source: 'gone', error: expect.objectContaining({ Error: 'Rds.DbInstanceNotFoundException' }) }),
        expect.objectContaining({ outcome: 'REQUESTED', source: 'orders' }),
      ]),
    }]);
  });

  test('PutEvents rejecting the entry (FailedEntryCount, no exception): a failure, and the memory is not written', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE, { rejectEvents: true }).add(ebs('snap-00000000000000001', VOL, T(1)));
    const { run, schedule } = await runSchedule(fake, { ebsVolumeIds: [VOL] });
    expect(run.status).toBe('FAILED');
    expect(fake.parameters.get(parameterOf(schedule, 'ebs', VOL))).toBe(NO_REQUEST_YET);
    expect(fake.published).toEqual([{ execution: expect.any(String), results: [expect.objectContaining({ error: expect.objectContaining({ Error: 'PutEventsFailed' }) })] }]);
  });

  test('times are compared as timestamps, not as strings (".500Z" is later than "Z" of the same second)', async () => {
    // As strings, "05:00:00.500Z" < "05:00:00Z" ('.' < 'Z'): a string comparison would pick the older one and call the newer "not new".
    const fake = new ScheduleFake(ACCOUNT, SOURCE).add(
      ebs('snap-00000000000000001', VOL, '2026-12-01T05:00:00.500Z'), ebs('snap-00000000000000002', VOL, '2026-12-01T05:00:00Z'));
    const props = { ebsVolumeIds: [VOL] };
    await runSchedule(fake, props);
    expect(fake.events.map(e => (e.detail as Record<string, string>).sourceSnapshotId)).toEqual(['snap-00000000000000001']);
    fake.add(ebs('snap-00000000000000003', VOL, '2026-12-01T05:00:00.750Z'));
    await runSchedule(fake, props);
    expect(fake.events.map(e => (e.detail as Record<string, string>).sourceSnapshotId)).toEqual(['snap-00000000000000001', 'snap-00000000000000003']);
    fake.add(ebs('snap-00000000000000004', VOL, '2026-12-01T05:00:00Z'));
    const older = await runSchedule(fake, props);
    expect(outcomes(older.run)).toEqual(['NOTHING_NEW']);
    expect(fake.events).toHaveLength(2);
  });

  test('RDS: a DB snapshot copied in the Region later is as old as its original (OriginalSnapshotCreateTime), not the newest', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE).add(
      db('rds:orders-2026-12-01-01-00', T(1)), db('rds:orders-2026-12-01-05-00', T(5)),
      // copied at T(9) from the T(1) snapshot: newest by SnapshotCreateTime, oldest data
      { kind: 'RDS_DB', id: 'orders-kept-copy', source: 'orders', time: T(9), originalTime: T(1), status: 'available' });
    const { run } = await runSchedule(fake, { dbInstanceIdentifiers: ['orders'] });
    expect(run.status).toBe('SUCCEEDED');
    expect(fake.events.map(e => e.detail as Record<string, string>)).toEqual([expect.objectContaining({
      sourceSnapshotId: `arn:aws:rds:${SOURCE}:${ACCOUNT}:snapshot:rds:orders-2026-12-01-05-00`, snapshotTime: T(5),
    })]);
  });

  test.each([
    ['not a timestamp', 'yesterday'],
    ['in the future', '2999-01-01T00:00:00Z'],
  ])('a memory parameter whose time is %s fails its source (never "nothing new" forever)', async (_, time) => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE).add(ebs('snap-00000000000000001', VOL, T(1)));
    const { schedule } = build({ ebsVolumeIds: [VOL] });
    fake.parameters.set(parameterOf(schedule, 'ebs', VOL), JSON.stringify({ id: 'snap-0', time }));
    const { run } = await runSchedule(fake, { ebsVolumeIds: [VOL] });
    expect(run).toMatchObject({ status: 'FAILED', error: 'SnapshotRegionCopyScheduleFailed' });
    expect(fake.events).toEqual([]);
    expect(fake.published).toEqual([{
      execution: expect.any(String),
      results: [expect.objectContaining({
        outcome: 'FAILED', error: expect.objectContaining({ Error: 'UnreadableLastRequest', Cause: expect.stringContaining('set its time to 1970-01-01T00:00:00Z') }),
      })],
    }]);
  });
});

/** The input EventBridge gives the target of a rule with an input transformer. */
type TransformerRule = { Targets: Array<{ InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }> };
function transformedInput(rule: TransformerRule, event: Record<string, JsonValue>): JsonValue {
  const t = rule.Targets[0].InputTransformer;
  let text = t.InputTemplate;
  for (const [name, path] of Object.entries(t.InputPathsMap)) {
    const value = path.replace(/^\$\./, '').split('.').reduce<JsonValue>((v, k) => (v as Record<string, JsonValue>)[k], event);
    text = text.split(`<${name}>`).join(JSON.stringify(value));
  }
  return JSON.parse(text) as JsonValue;
}

describe('SnapshotRegionCopySchedule to SnapshotRegionCopy: end to end', () => {
  const app = new App();
  const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: SOURCE } });
  const schedule = new SnapshotRegionCopySchedule(primary, 'ToDr', { destinationRegion: DEST, ebsVolumeIds: [VOL], dbInstanceIdentifiers: ['orders'] });
  const dr = new Stack(app, 'Dr', { env: { account: ACCOUNT, region: DEST } });
  const copy = new SnapshotRegionCopy(dr, 'Copy', {
    sourceRegion: SOURCE,
    copyNamePrefix: 'dr',
    copyOnSourceEvents: false,
    copyOnScheduleRequests: true,
    snapshotTypes: [SnapshotType.EBS, SnapshotType.RDS_DB],
  });
  app.synth();
  const forwardRule = Template.fromStack(primary).findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.objectLike({ source: ['cdk-kms-patterns.snapshot-region-copy'] }) } });
  const drRules = Template.fromStack(dr).findResources('AWS::Events::Rule');
  const requestRule = Object.entries(drRules).find(([id]) => id.startsWith('CopyScheduleRequests'))![1].Properties;

  test('copyOnSourceEvents: false with copyOnScheduleRequests: the request rule and the copies\' own completion rule only', () => {
    // the copies' own completion events (EBS copySnapshot, RDS-EVENT-0060) resume the waits; no source-event rule
    const ids = Object.keys(drRules).sort();
    expect(ids).toHaveLength(3);
    expect(ids.filter(id => /^CopyCompletionEventsCompleted/.test(id))).toHaveLength(2);
    expect(ids[2]).toMatch(/^CopyScheduleRequests/);
    for (const [id, rule] of Object.entries(drRules)) {
      if (id.startsWith('CopyCompletionEvents')) expect(rule.Properties.EventPattern.region).toEqual([DEST]);
    }
    expect(requestRule.EventPattern).toEqual({
      'source': ['cdk-kms-patterns.snapshot-region-copy'],
      'detail-type': ['Snapshot Region Copy Requested'],
      'region': [SOURCE],
      'account': [ACCOUNT],
      'detail': { destinationRegion: [DEST], snapshotType: ['EBS', 'RDS_DB'], sourceSnapshotId: [{ exists: true }] },
    });
    // a warning names the risk and the fix
    expect(Annotations.fromStack(dr).findWarning('/Dr/Copy', Match.stringLikeRegexp('copyOnScheduleRequests: any principal allowed events:PutEvents'))).toHaveLength(1);
    // off by default
    const other = new Stack(new App(), 'Other', { env: { account: ACCOUNT, region: DEST } });
    new SnapshotRegionCopy(other, 'Copy', { sourceRegion: SOURCE });
    expect(JSON.stringify(Template.fromStack(other).toJSON())).not.toContain('Snapshot Region Copy Requested');
    expect(Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('copyOnScheduleRequests'))).toHaveLength(0);
    expectNoNagFindings(dr);
  });

  test('the request events match the forwarding rule and the destination rule (moto\'s EventPattern), and nothing else does; the copy is made', async () => {
    const fake = new ScheduleFake(ACCOUNT, SOURCE).add(ebs('snap-00000000000000005', VOL, T(5)), ebs('snap-00000000000000001', VOL, T(1)), db('orders-7', T(7)));
    const definition = extractDefinition(primary, schedule.stateMachine);
    createParameters(fake, schedule);
    const run = await runStateMachine(definition, { input: {}, taskHandlers: fake.handlers(definition), context: { Execution: { Id: 'x', StartTime: RUN_STARTED } } });
    expect(run.status).toBe('SUCCEEDED');
    expect(fake.events).toHaveLength(2);
    const forwardPattern = Object.values(forwardRule)[0].Properties.EventPattern;
    const e = fake.events[0];
    const variants: Array<[string, Record<string, JsonValue>, boolean]> = [
      ['as sent', e, true],
      ['from another Region', { ...e, region: 'eu-central-1' }, false],
      ['from another account', { ...e, account: '222222222222' }, false],
      ['for another destination', { ...e, detail: { ...(e.detail as Record<string, JsonValue>), destinationRegion: 'us-west-2' } }, false],
      ['a kind not copied here', { ...e, detail: { ...(e.detail as Record<string, JsonValue>), snapshotType: 'AURORA_CLUSTER' } }, false],
      ['another source', { ...e, source: 'my.app' }, false],
    ];
    const matches = matchEvents([
      ...fake.events.map(ev => ({ pattern: forwardPattern, event: ev })),
      ...fake.events.map(ev => ({ pattern: requestRule.EventPattern, event: ev })),
      ...variants.map(([, ev]) => ({ pattern: requestRule.EventPattern, event: ev })),
    ]);
    expect(matches.slice(0, 4)).toEqual([true, true, true, true]);
    expect(matches.slice(4)).toEqual(variants.map(([, , expected]) => expected));

    // The destination workflow, started by the rule with the transformed input, copies the snapshots.
    const world = new RegionFake(ACCOUNT, DEST);
    world.add({ id: 'snap-00000000000000005', kind: 'EBS', region: SOURCE });
    world.add({ id: 'orders-7', kind: 'RDS_DB', region: SOURCE });
    world.parameters.set('/cdk-kms-patterns/snapshot-region-copy/dr/EBS_SNAPSHOT', '0');
    world.parameters.set('/cdk-kms-patterns/snapshot-region-copy/dr/RDS_DB_SNAPSHOT', '0');
    const destination = extractDefinition(dr, copy.stateMachine);
    const callback = (copy.node.tryFindChild('CompletionEvents') as CompletionWaits).callback;
    world.callback = callback ? extractDefinition(dr, callback) : undefined;
    for (const ev of fake.events) {
      const input = transformedInput(requestRule, ev);
      const r = await runStateMachine(destination, { input, taskHandlers: world.handlers(destination), context: { Execution: { Id: `copy-${String(ev.id)}`, Input: input }, Task: { Token: 't' } } });
      expect(r.status).toBe('SUCCEEDED');
    }
    expect(world.in(DEST, 'EBS').map(s => [s.copiedFrom, s.state])).toEqual([['snap-00000000000000005', 'available']]);
    expect(world.in(DEST, 'RDS_DB').map(s => [s.id, s.copiedFrom, s.state])).toEqual([['dr-db-1', 'orders-7', 'available']]);
  });
});

describe('SnapshotRegionCopySchedule: the key, simulated', () => {
  const app = new App();
  const stack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: SOURCE } });
  const schedule = new SnapshotRegionCopySchedule(stack, 'ToDr', { destinationRegion: DEST, ebsVolumeIds: [VOL] });
  app.synth();
  const w = PolicyWorld.fromStacks([stack]);
  const stats = new ServiceAccessStats();
  const role = schedule.stateMachine.role;
  const topicArn = w.resolve(schedule.failureTopic.topicArn, schedule.failureTopic) as string;
  const logGroupArn = `arn:aws:logs:{region}:{account}:log-group:${w.resolve(schedule.logGroup.logGroupName, schedule.logGroup) as string}`;
  const rows: ServiceAccessRow[] = [
    ...serviceAccessRows(w, {
      label: 'failure topic',
      key: schedule.encryptionKey,
      account: ACCOUNT,
      region: SOURCE,
      services: ['sns'],
      facts: { topicArn, publisherPrincipal: 'events.amazonaws.com', publisherArn: 'x' },
      actors: [{ label: 'the schedule workflow role', principal: role, steps: ['write'] }],
    }).filter(r => r.model.api === 'Publish'),
    ...serviceAccessRows(w, { label: 'workflow logs', key: schedule.encryptionKey, account: ACCOUNT, region: SOURCE, services: ['logs'], facts: { logGroupArn }, actors: [deployer(stack, [])] }),
    ...keyDeploymentRows(w),
  ];
  defineServiceChecks(w, rows, stats);
  afterAll(() => console.log(stats.summary('test/snapshots/snapshot-region-copy-schedule.test.ts')));
});

