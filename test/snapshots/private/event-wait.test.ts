/**
 * The completion-event waits (`src/snapshots/private/event-wait.ts`): what they synthesize, that
 * their rules match the events EBS and RDS emit (moto's EventPattern) and no others, and how they
 * behave when run offline against the fake accounts, whose snapshots emit their completion events
 * into the real callback state machine: the event arrives (fast path), the event is lost, the
 * copy finishes before the token is stored, a failure event, the snapshot timeout.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { COMPLETION_FAILED_ERROR, CompletionWaits, EBS_COMPLETION, RDS_DB_COMPLETION } from '../../../src/snapshots/private/event-wait';
import { SnapshotRegionCopy, SnapshotRegionCopyProps } from '../../../src/snapshots/snapshot-region-copy';
import { SnapshotType } from '../../../src/snapshots/snapshot-type';
import { matchEvents } from '../../harness/event-patterns';
import { sdkModelErrors } from '../../harness/sdk-models';
import { ALLOW_ALL, cfnExecutionRoleArn, KMS_ALL, OTHER_ACCOUNT } from '../../harness/service-access';
import { expectAccess, PolicyWorld } from '../../harness/simulate';
import { aslValidationErrors, AslDefinition, AslState, extractDefinition, JsonValue, runStateMachine } from '../../harness/state-machine';
import { completionEvent, FakeAws, FakeBehaviour, FakeSnapshot, SnapshotKind } from '../fake-aws';
import { RegionFake } from '../region-copy-fake';
import { runShare } from '../share-run';
import { callbackMachine, ShareWorld, shareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from '../share-world';

const ORIGINAL: Record<SnapshotKind, string> = {
  EBS: 'snap-0123456789abcdef0',
  RDS_DB: 'orders-2026-12-01',
  AURORA_CLUSTER: 'orders-cluster-manual-1',
};

const worlds = {
  EBS: shareWorld(SnapshotType.EBS, { source: { createFrom: ['vol-0123456789abcdef0'] } }),
  RDS_DB: shareWorld(SnapshotType.RDS_DB, { source: { createFrom: ['orders'] } }),
  AURORA_CLUSTER: shareWorld(SnapshotType.AURORA_CLUSTER),
};

function setup(world: ShareWorld, kind: SnapshotKind, behaviour: FakeBehaviour = {}, pollsLeft?: number): { fake: FakeAws; original: FakeSnapshot } {
  const fake = new FakeAws(behaviour);
  fake.addKey(world.sourceKeyArn, { sharedWith: [TARGET_ACCOUNT] });
  fake.addKey(world.targetKeyArn);
  const managed = fake.awsManagedKey(SOURCE_ACCOUNT, kind === 'EBS' ? 'ebs' : 'rds').arn;
  const original = fake.addSnapshot({ id: ORIGINAL[kind], kind, account: SOURCE_ACCOUNT, kmsKeyId: managed, pollsLeft });
  return { fake, original };
}

/** After a run: no token left in any table, the source holds only the original, untouched, shared with nobody. */
function expectClean(fake: FakeAws, original: FakeSnapshot): void {
  for (const [account, table] of fake.tables) expect([account, [...table.keys()]]).toEqual([account, []]);
  expect(fake.snapshotsOf(SOURCE_ACCOUNT).map((s) => s.id)).toEqual([original.id]);
  expect(original.changes).toEqual([]);
  expect([...original.sharedWith]).toEqual([]);
}

function count(states: readonly string[], name: string): number {
  return states.filter((s) => s === name).length;
}

/** The EBS source workflow's wait for its copy alone: from CopyStartWaiting until the copy is available (`CopyReady`). */
function copyWait(): AslDefinition {
  const definition = worlds.EBS.sourceDefinition;
  const states = JSON.parse(JSON.stringify(definition.States)) as Record<string, AslState>;
  const rules = (states['CopyAvailable?'] as AslState & { Choices: Array<{ Next: string }> }).Choices.filter((r) => r.Next === 'CopyUnderShareableKey?');
  expect(rules).toHaveLength(1);
  rules[0].Next = 'CopyReady';
  states.CopyReady = { Type: 'Succeed' };
  return { ...definition, StartAt: 'CopyStartWaiting', States: states };
}

/** Waits (real time, a little) until the concurrent executions reach a point. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

describe('completion-event waits: what is synthesized', () => {
  test.each(['EBS', 'RDS_DB'] as const)('%s: a token table under the workflow key with point-in-time recovery, an EXPRESS callback logged and traced, a rule on the completion events; no Lambda', (kind) => {
    const world = worlds[kind];
    for (const stack of [world.sourceStack, world.targetStack]) {
      const t = Template.fromStack(stack);
      const keyId = stack === world.sourceStack ? 'ShareKey' : 'CopyKey';
      t.resourceCountIs('AWS::Lambda::Function', 0);
      t.hasResourceProperties('AWS::DynamoDB::Table', {
        // one item per waiting execution: the snapshot id, then the execution id
        KeySchema: [{ AttributeName: 'snapshotId', KeyType: 'HASH' }, { AttributeName: 'execution', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${keyId}`), 'Arn'] } },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
      t.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'EXPRESS',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      });
      const events = kind === 'EBS' ? EBS_COMPLETION : RDS_DB_COMPLETION;
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { 'source': [events.source], 'detail-type': [events.detailType], 'account': [stack.account], 'region': ['eu-west-1'], 'detail': events.detail },
        State: 'ENABLED',
      });
    }
  });

  test('RDS events: created (0042), copied in one Region (0197) or across Regions (0060), copy canceled (0190, 0061)', () => {
    expect(RDS_DB_COMPLETION.detail).toEqual({ EventID: ['RDS-EVENT-0042', 'RDS-EVENT-0197', 'RDS-EVENT-0060', 'RDS-EVENT-0190', 'RDS-EVENT-0061'] });
  });

  test('Aurora cluster snapshots (no copy completion event) and completionEvents: false poll: no table, no callback, no AwaitEvent state', () => {
    const off = shareWorld(SnapshotType.EBS, { source: { polling: { completionEvents: false } }, target: { polling: { completionEvents: false } } });
    for (const world of [worlds.AURORA_CLUSTER, off]) {
      for (const stack of [world.sourceStack, world.targetStack]) Template.fromStack(stack).resourceCountIs('AWS::DynamoDB::Table', 0);
      expect(world.sourceCallbackDefinition).toBeUndefined();
      expect(Object.keys(world.sourceDefinition.States).filter((n) => /AwaitEvent/.test(n))).toEqual([]);
      expect(world.sourceDefinition.States.CopyWait).toBeDefined();
    }
  });

  test('the shared snapshot on the target side is polled (its events go to the owner account); the copy waits for its event', () => {
    const t = worlds.EBS.targetDefinition.States;
    expect(t.SharedWait).toBeDefined();
    expect(t.SharedAwaitEvent).toBeUndefined();
    expect(t.CopyAwaitEvent).toBeDefined();
  });

  test.each(['EBS', 'RDS_DB'] as const)('%s: every definition (main and callback) is valid ASL and every aws-sdk task (dynamodb, sfn) matches botocore\'s models', (kind) => {
    const world = worlds[kind];
    const definitions: AslDefinition[] = [
      world.sourceDefinition, world.targetDefinition, world.sourceCallbackDefinition!, world.targetCallbackDefinition!,
    ];
    for (const d of definitions) {
      expect(aslValidationErrors(d)).toEqual([]);
      expect(sdkModelErrors(d)).toEqual([]);
    }
  });

  test('the wait: the token stored by snapshot id and execution with waitForTaskToken, a timeout per wait, Timeout and failure caught, then describe again', () => {
    const s = worlds.EBS.sourceDefinition.States;
    expect(s.CopyAwaitEvent).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken',
      TimeoutSeconds: 1800,
      Parameters: { Item: { snapshotId: { 'S.$': '$.copy.id' }, execution: { 'S.$': '$$.Execution.Id' }, taskToken: { 'S.$': '$$.Task.Token' } } },
      Next: 'CopyEventArrived',
    });
    const catches = (s.CopyAwaitEvent.Catch as Array<{ ErrorEquals: string[]; Next: string }>).map((c) => [c.ErrorEquals.join(','), c.Next]);
    // a failure event leads to a describe too: the snapshot's state decides
    expect(catches).toEqual([['States.Timeout', 'CopyNoEvent'], [COMPLETION_FAILED_ERROR, 'CopyFailureEvent'], ['States.ALL', 'CleanupUnshare']]);
    // every wait, timed out or resumed, counts one event timeout against the snapshot timeout
    for (const name of ['CopyNoEvent', 'CopyEventArrived', 'CopyFailureEvent']) {
      expect(s[name]).toMatchObject({ ResultPath: '$.poll', Parameters: { 'waited.$': 'States.MathAdd($.poll.waited, 1800)' } });
    }
    expect(s.CopyFailureEvent).toMatchObject({ Next: 'CopyDescribe', Parameters: { 'failureEvent.$': '$.completion.Cause' } });
    expect(s.CopyEventArrived).toMatchObject({ Next: 'CopyDescribe' });
    expect(s.CopyNoEvent).toMatchObject({ Next: 'CopyForgetToken' });
    // ForgetToken deletes this execution's item only
    expect(s.CopyForgetToken).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:deleteItem',
      Parameters: { Key: { snapshotId: { 'S.$': '$.copy.id' }, execution: { 'S.$': '$$.Execution.Id' } } },
      Next: 'CopyDescribe',
    });
    expect(s.CopyDescribe).toMatchObject({ Next: 'CopyFailureEvent?' });
    expect(s['CopyFailureEvent?']).toMatchObject({ Default: 'CopyFailedByEvent' });
    expect(s['CopyWaitedTooLong?']).toMatchObject({ Choices: [{ Variable: '$.poll.waited', NumericGreaterThanEquals: 43200, Next: 'CopyTimedOut' }], Default: 'CopyAwaitEvent' });
  });

  test('completionEventTimeout sets the wait; it is checked against the snapshot timeout', () => {
    const w = shareWorld(SnapshotType.EBS, { source: { polling: { completionEventTimeout: Duration.minutes(40) } } });
    expect(w.sourceDefinition.States.CopyAwaitEvent).toMatchObject({ TimeoutSeconds: 2400 });
    expect(() => shareWorld(SnapshotType.EBS, { source: { polling: { completionEventTimeout: Duration.seconds(30) } } }))
      .toThrow(/polling.completionEventTimeout must be whole seconds between 60 and 86400 seconds/);
    const tooLong = { completionEventTimeout: Duration.hours(2), snapshotTimeout: Duration.hours(1) };
    expect(() => shareWorld(SnapshotType.EBS, { source: { polling: tooLong } }))
      .toThrow(/polling.completionEventTimeout must be at most polling.snapshotTimeout \(1 hour\)/);
  });

  test('IAM: the workflow may put and delete items of its table only; the callback may query and delete items and answer tokens of its workflow only', () => {
    const world = worlds.EBS;
    const t = Template.fromStack(world.sourceStack);
    const table = Object.keys(t.findResources('AWS::DynamoDB::Table'))[0];
    const statements = (role: string) => Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const ddb = (role: string) => statements(role).filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    const logical = (c: { node: { defaultChild?: unknown } }) => world.sourceStack.getLogicalId(c.node.defaultChild as never);
    const mainRole = logical(world.source.stateMachine.role as never);
    const callback = callbackMachine(world.source)!;
    const callbackRole = logical(callback.role as never);
    for (const s of [...ddb(mainRole), ...ddb(callbackRole)]) expect(s.Resource).toEqual({ 'Fn::GetAtt': [table, 'Arn'] });
    expect(ddb(mainRole).flatMap((s) => ([] as string[]).concat(s.Action)).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    expect(ddb(callbackRole).flatMap((s) => ([] as string[]).concat(s.Action)).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:Query']);
    const answers = statements(callbackRole).filter((s) => JSON.stringify(s.Action).includes('states:'));
    expect(answers.flatMap((s) => ([] as string[]).concat(s.Action)).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
    for (const s of answers) expect(s.Resource).toEqual({ Ref: logical(world.source.stateMachine as never) });
  });
});

describe('completion-event waits: the workflow key (simulated with iam-simulate)', () => {
  test('the workflow and its callback decrypt the token table\'s key through DynamoDB only; nobody else does', async () => {
    const world = worlds.EBS;
    const policies = PolicyWorld.fromStacks([world.sourceStack, world.targetStack]);
    const callback = callbackMachine(world.source)!;
    const key = world.source.encryptionKey;
    // DynamoDB decrypts the table key on the caller's behalf (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html)
    const ddb = { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com', 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:EncryptionContext:aws:dynamodb:subscriberId': SOURCE_ACCOUNT };
    const simulated = await expectAccess(policies, [
      { label: 'workflow through DynamoDB', principal: world.source.stateMachine.role, key, action: ['kms:Decrypt', 'kms:DescribeKey'], context: ddb, expect: 'allow' },
      { label: 'callback through DynamoDB', principal: callback.role, key, action: ['kms:Decrypt', 'kms:DescribeKey'], context: ddb, expect: 'allow' },
      { label: 'callback directly', principal: callback.role, key, action: 'kms:Decrypt', context: { 'kms:CallerAccount': SOURCE_ACCOUNT }, expect: 'deny' },
      { label: 'callback through S3', principal: callback.role, key, action: 'kms:Decrypt', context: { ...ddb, 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, expect: 'deny' },
      { label: 'callback encrypts or administers', principal: callback.role, key, action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:PutKeyPolicy'], context: ddb, expect: 'deny' },
      { label: 'undeclared role of the account with kms:*, through DynamoDB', principal: `arn:aws:iam::${SOURCE_ACCOUNT}:role/Other`, key, action: 'kms:Decrypt', context: ddb, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'the target\'s callback cannot use the source key', principal: callbackMachine(world.target)!.role, key, action: 'kms:Decrypt', context: { ...ddb, 'kms:CallerAccount': TARGET_ACCOUNT }, expect: 'deny' },
    ]);
    expect(simulated).toBeGreaterThanOrEqual(10);
  });

  test('the CloudFormation execution role creates the token table under the key through DynamoDB only', async () => {
    const world = worlds.EBS;
    const policies = PolicyWorld.fromStacks([world.sourceStack, world.targetStack]);
    const key = world.source.encryptionKey;
    const deployer = cfnExecutionRoleArn(SOURCE_ACCOUNT, 'eu-west-1');
    // CreateTable with a customer managed key: the caller's DescribeKey and CreateGrant through DynamoDB
    // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html)
    const ddb = { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com', 'kms:CallerAccount': SOURCE_ACCOUNT };
    const simulated = await expectAccess(policies, [
      { label: 'deployer describes the key through DynamoDB', principal: deployer, key, action: 'kms:DescribeKey', context: ddb, extraIdentityPolicies: [ALLOW_ALL], expect: 'allow' },
      {
        label: 'deployer grants DynamoDB (for an AWS resource)',
        principal: deployer,
        key,
        action: 'kms:CreateGrant',
        context: { ...ddb, 'kms:GrantIsForAWSResource': 'true' },
        extraIdentityPolicies: [ALLOW_ALL],
        expect: 'allow',
      },
      { label: 'deployer grants for itself', principal: deployer, key, action: 'kms:CreateGrant', context: ddb, extraIdentityPolicies: [ALLOW_ALL], expect: 'deny' },
      {
        label: 'deployer decrypts directly',
        principal: deployer,
        key,
        action: 'kms:Decrypt',
        context: { 'kms:CallerAccount': SOURCE_ACCOUNT },
        extraIdentityPolicies: [ALLOW_ALL],
        expect: 'deny',
      },
      {
        label: 'another account\'s deployer through DynamoDB',
        principal: cfnExecutionRoleArn(OTHER_ACCOUNT, 'eu-west-1'),
        key,
        action: 'kms:DescribeKey',
        context: { ...ddb, 'kms:CallerAccount': OTHER_ACCOUNT },
        extraIdentityPolicies: [ALLOW_ALL],
        expect: 'deny',
      },
    ]);
    expect(simulated).toBe(5);
  });
});

describe('completion-event rules match the events EBS and RDS emit, and no others (moto EventPattern)', () => {
  const rulePattern = (world: ShareWorld): Record<string, unknown> => {
    const rules = Template.fromStack(world.sourceStack).findResources('AWS::Events::Rule');
    const own = Object.values(rules).map((r) => r.Properties.EventPattern).find((p) => ['aws.ec2', 'aws.rds'].includes(p.source?.[0]));
    return own;
  };
  const snapshot = (kind: SnapshotKind, origin: string, state: FakeSnapshot['state']): FakeSnapshot => ({
    id: kind === 'EBS' ? 'snap-0aaaaaaaaaaaaaaa1' : 'share-0a1',
    kind,
    account: SOURCE_ACCOUNT,
    state,
    pollsLeft: 0,
    encrypted: true,
    tags: {},
    sharedWith: new Set(),
    origin,
    changes: [],
  });

  test('EBS: createSnapshot and copySnapshot, succeeded or failed; not another account, another event, or RDS', () => {
    const pattern = rulePattern(worlds.EBS);
    const ok = [
      completionEvent(snapshot('EBS', 'copy of snap-1', 'available'))!,
      completionEvent(snapshot('EBS', 'copy of snap-1', 'error'))!,
      completionEvent(snapshot('EBS', 'created from vol-1', 'available'))!,
    ];
    // AWS's sample (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html), in this account
    const sample = {
      'version': '0',
      'id': '01234567-01234-0123-0123-012345678901',
      'detail-type': 'EBS Snapshot Notification',
      'source': 'aws.ec2',
      'account': SOURCE_ACCOUNT,
      'time': 'yyyy-mm-ddThh:mm:ssZ',
      'region': 'eu-west-1',
      'resources': ['arn:aws:ec2::us-west-2:snapshot/snap-01234567'],
      'detail': { event: 'copySnapshot', result: 'succeeded', cause: '', request_id: '', snapshot_id: 'arn:aws:ec2::us-west-2:snapshot/snap-01234567', source: 'arn:aws:ec2::eu-west-1:snapshot/snap-76543210', startTime: 'yyyy-mm-ddThh:mm:ssZ', endTime: 'yyyy-mm-ddThh:mm:ssZ', incomplete: 'false' },
    };
    const no = [
      { ...ok[0], account: TARGET_ACCOUNT },
      { ...ok[0], region: 'us-east-1' },
      { ...ok[0], detail: { ...(ok[0].detail as object), event: 'shareSnapshot' } },
      { ...ok[0], detail: { ...(ok[0].detail as object), event: 'createSnapshots' } },
      completionEvent(snapshot('RDS_DB', 'copy of x', 'available'))!,
    ];
    expect(matchEvents([...ok, sample, ...no].map((event) => ({ pattern, event }))))
      .toEqual([true, true, true, true, false, false, false, false, false]);
  });

  test('RDS: 0042, 0197, 0190 (and 0060, 0061); not 0040 (creating), 0041 (deleted), cluster snapshot events or EBS', () => {
    const pattern = rulePattern(worlds.RDS_DB);
    const created = completionEvent(snapshot('RDS_DB', 'created from orders', 'available'))!;
    const withId = (id: string) => ({ ...created, detail: { ...(created.detail as object), EventID: id } });
    const events = [
      created,
      completionEvent(snapshot('RDS_DB', 'copy of x', 'available'))!,
      completionEvent(snapshot('RDS_DB', 'copy of x', 'error'))!,
      withId('RDS-EVENT-0060'), withId('RDS-EVENT-0061'),
      withId('RDS-EVENT-0040'), withId('RDS-EVENT-0041'),
      { ...created, 'detail-type': 'RDS DB Cluster Snapshot Event', 'detail': { ...(created.detail as object), EventID: 'RDS-EVENT-0075' } },
      completionEvent(snapshot('EBS', 'copy of snap-1', 'available'))!,
    ];
    expect(matchEvents(events.map((event) => ({ pattern, event })))).toEqual([true, true, true, true, true, false, false, false, false]);
  });
});

describe('completion-event waits, run offline (the fake snapshots emit their events into the callback machine)', () => {
  test.each(['EBS', 'RDS_DB'] as const)('%s: the event arrives (fast path): one wait per snapshot, resumed by the callback, no poll loop, no token left', async (kind) => {
    const world = worlds[kind];
    const s = setup(world, kind);

    const run = await runShare(world, s.fake, { snapshotId: s.original.id });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.targets.map((t) => t.status)).toEqual(['SUCCEEDED']);
    const src = run.source.visitedStates;
    // the original is available already: described once, never waited for
    expect([count(src, 'OriginalDescribe'), count(src, 'OriginalAwaitEvent')]).toEqual([1, 0]);
    // the copy: described, waited for once, described again
    expect([count(src, 'CopyDescribe'), count(src, 'CopyAwaitEvent'), count(src, 'CopyNoEvent')]).toEqual([2, 1, 0]);
    expect([count(run.targets[0].visitedStates, 'CopyAwaitEvent'), count(run.targets[0].visitedStates, 'CopyNoEvent')]).toEqual([1, 0]);
    // the callbacks (one per account) resumed both with the event's outcome
    expect(s.fake.callbackRuns.map((r) => [r.status, r.visitedStates.includes('Resume')])).toEqual([['SUCCEEDED', true], ['SUCCEEDED', true]]);
    const copyEvent = kind === 'EBS' ? 'copySnapshot' : 'RDS-EVENT-0197';
    expect(s.fake.emitted.map((e) => [e.account, (e.event.detail as Record<string, string>)[kind === 'EBS' ? 'event' : 'EventID']]))
      .toEqual([[SOURCE_ACCOUNT, copyEvent], [TARGET_ACCOUNT, copyEvent]]);
    expect(s.fake.snapshotsOf(TARGET_ACCOUNT, kind)).toEqual([expect.objectContaining({ state: 'available', kmsKeyId: world.targetKeyArn })]);
    expectClean(s.fake, s.original);
  });

  test.each(['EBS', 'RDS_DB'] as const)('%s: createFrom: the new snapshot is waited for on its creation event (createSnapshot, RDS-EVENT-0042) and kept', async (kind) => {
    const world = worlds[kind];
    const fake = new FakeAws({ createPolls: 5 });
    fake.addKey(world.sourceKeyArn, { sharedWith: [TARGET_ACCOUNT] });
    fake.addKey(world.targetKeyArn);

    const run = await runShare(world, fake, { createFrom: kind === 'EBS' ? 'vol-0123456789abcdef0' : 'orders' });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(count(run.source.visitedStates, 'OriginalAwaitEvent')).toBe(1);
    const created = kind === 'EBS' ? 'createSnapshot' : 'RDS-EVENT-0042';
    expect(fake.emitted.map((e) => (e.event.detail as Record<string, string>)[kind === 'EBS' ? 'event' : 'EventID'])).toContain(created);
    expect(fake.snapshotsOf(SOURCE_ACCOUNT)).toEqual([expect.objectContaining({ origin: expect.stringMatching(/^created from/), changes: [] })]);
    for (const [, table] of fake.tables) expect([...table.keys()]).toEqual([]);
  });

  test.each(['EBS', 'RDS_DB'] as const)('%s: the event is lost: after the event timeout the workflow forgets its token, describes, finds the copy available and goes on', async (kind) => {
    const world = worlds[kind];
    const s = setup(world, kind, { completionEvents: 'lose' });

    const run = await runShare(world, s.fake, { snapshotId: s.original.id });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.source.caught).toEqual(expect.arrayContaining([{ state: 'CopyAwaitEvent', error: 'States.Timeout', next: 'CopyNoEvent' }]));
    expect([count(run.source.visitedStates, 'CopyAwaitEvent'), count(run.source.visitedStates, 'CopyForgetToken'), count(run.source.visitedStates, 'CopyDescribe')]).toEqual([1, 1, 2]);
    expect(s.fake.callbackRuns).toEqual([]);
    expect(s.fake.emitted.length).toBe(2);
    expectClean(s.fake, s.original);
  });

  test.each(['EBS', 'RDS_DB'] as const)('%s: the copy finishes before the token is stored: the callback finds nobody waiting, the wait times out once, then goes on', async (kind) => {
    const world = worlds[kind];
    const s = setup(world, kind, { completionEvents: 'before-token' });

    const run = await runShare(world, s.fake, { snapshotId: s.original.id });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(s.fake.callbackRuns.map((r) => [r.status, r.visitedStates.includes('NobodyWaits'), r.visitedStates.includes('Resume')]))
      .toEqual([['SUCCEEDED', true, false], ['SUCCEEDED', true, false]]);
    expect(count(run.source.visitedStates, 'CopyNoEvent')).toBe(1);
    expect(count(run.targets[0].visitedStates, 'CopyNoEvent')).toBe(1);
    expectClean(s.fake, s.original);
  });

  test.each([
    ['EBS', /^EBS copySnapshot of arn:aws:ec2::eu-west-1:snapshot\/snap-\w+ failed: Snapshot copy failed \(fake\)$/],
    ['RDS_DB', /^RDS RDS-EVENT-0190 for share-\w+: Canceled snapshot copy request of share-\w+ in region eu-west-1\.$/],
  ] as const)('%s: a failure event fails the workflow cleanly with the event\'s message; the copy is deleted, nothing shared', async (kind, cause) => {
    const world = worlds[kind];
    const s = setup(world, kind, { copiesFail: true });

    const run = await runShare(world, s.fake, { snapshotId: s.original.id });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'SnapshotFailed' });
    expect(run.source.cause).toMatch(cause);
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['CopyAwaitEvent', 'CleanupUnshare', 'CleanupDeleteCopy', 'NotifyFailure', 'Failed']));
    // the event did not decide alone: the copy was described (in a failed state) first
    const afterWait = run.source.visitedStates.slice(run.source.visitedStates.lastIndexOf('CopyAwaitEvent') + 1);
    expect(afterWait.slice(0, 4)).toEqual(['CopyFailureEvent', 'CopyDescribe', 'CopyFailureEvent?', 'CopyFailedByEvent']);
    expect(s.fake.callbackRuns.map((r) => r.visitedStates.includes('ResumeWithFailure'))).toEqual([true]);
    expect(s.fake.published).toEqual([expect.objectContaining({ account: SOURCE_ACCOUNT, message: expect.objectContaining({ Message: expect.objectContaining({ error: 'SnapshotFailed', cause: expect.stringMatching(cause) }) }) })]);
    expect(run.targets).toEqual([]);
    expectClean(s.fake, s.original);
  });

  test('the snapshot timeout: a snapshot that never completes is waited for in 30-minute waits until 12 h, then fails with a message', async () => {
    const world = worlds.EBS;
    const s = setup(world, 'EBS', { completionEvents: 'never-complete' }, 1_000_000);

    const run = await runShare(world, s.fake, { snapshotId: s.original.id });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'SnapshotWaitTimeout', cause: `EBS snapshot ${s.original.id} was not available after 12 hours` });
    // 12 h / 30 min = 24 waits, each followed by one describe: 25 describes (vs 77 when polling)
    expect(count(run.source.visitedStates, 'OriginalAwaitEvent')).toBe(24);
    expect(run.source.taskCalls.filter((c) => c.state === 'OriginalDescribe')).toHaveLength(25);
    expect(s.fake.snapshotsOf(SOURCE_ACCOUNT)).toEqual([s.original]);
    for (const [, table] of s.fake.tables) expect([...table.keys()]).toEqual([]);
  });

  describe('several executions waiting for one snapshot (a re-run, a duplicate event, a deterministic copy name), run concurrently', () => {
    const definition = copyWait();
    const callback = worlds.EBS.sourceCallbackDefinition!;
    const waits = (fake: FakeAws) => fake.calls.filter((c) => c.operation === 'dynamodb:putItem.waitForTaskToken').length;
    const start = (fake: FakeAws, id: string, execution: string) => runStateMachine(definition, {
      input: { copy: { id } },
      taskHandlers: fake.handlers(definition, SOURCE_ACCOUNT),
      context: { Execution: { Id: execution }, Task: { Token: `token-${execution}` } },
      validate: false,
    });
    const pendingCopy = (fake: FakeAws) => {
      const copy = fake.addSnapshot({ id: 'snap-0ccccccccccccccc3', kind: 'EBS', account: SOURCE_ACCOUNT, kmsKeyId: worlds.EBS.sourceKeyArn, pollsLeft: 1_000 });
      Object.assign(copy, { origin: 'copy of snap-0123456789abcdef0' });
      return copy;
    };
    const emit = async (fake: FakeAws, event: Record<string, JsonValue> | undefined) =>
      runStateMachine(callback, { input: event as JsonValue, taskHandlers: fake.handlers(callback, SOURCE_ACCOUNT) });

    test('each keeps its own token; one completion event resumes them all, and each goes on', async () => {
      const fake = new FakeAws({ completionEvents: 'hold' });
      const copy = pendingCopy(fake);
      const a = start(fake, copy.id, 'exec-A');
      const b = start(fake, copy.id, 'exec-B');
      await until(() => waits(fake) === 2);
      expect([...fake.tableOf(SOURCE_ACCOUNT).keys()].sort()).toEqual([`${copy.id}|exec-A`, `${copy.id}|exec-B`]);

      copy.state = 'available';
      const resumed = await emit(fake, completionEvent(copy));

      expect(resumed.status).toBe('SUCCEEDED');
      expect([count(resumed.visitedStates, 'FindWaiters'), count(resumed.visitedStates, 'TakeToken'), count(resumed.visitedStates, 'Resume')]).toEqual([1, 2, 2]);
      const runs = await Promise.all([a, b]);
      expect(runs.map((r) => [r.status, count(r.visitedStates, 'CopyAwaitEvent'), r.visitedStates.includes('CopyReady')])).toEqual([['SUCCEEDED', 1, true], ['SUCCEEDED', 1, true]]);
      expect([...fake.tableOf(SOURCE_ACCOUNT).keys()]).toEqual([]);
      // a duplicate delivery of the event finds nobody waiting
      expect((await emit(fake, completionEvent(copy))).visitedStates).toContain('NobodyWaits');
    });

    test('one timing out forgets its own token only: the other is still resumed by the event', async () => {
      const fake = new FakeAws({ completionEvents: 'hold' });
      const copy = pendingCopy(fake);
      const a = start(fake, copy.id, 'exec-A');
      const b = start(fake, copy.id, 'exec-B');
      await until(() => waits(fake) === 2);

      fake.timeOutWait('exec-A');
      // A forgets its item, describes (pending) and waits again
      await until(() => waits(fake) === 3);
      const forgotten = fake.calls.filter((c) => c.operation === 'dynamodb:deleteItem').map((c) => (c.input as { Key: JsonValue }).Key);
      expect(forgotten).toEqual([{ snapshotId: { S: copy.id }, execution: { S: 'exec-A' } }]);
      expect([...fake.tableOf(SOURCE_ACCOUNT).keys()].sort()).toEqual([`${copy.id}|exec-A`, `${copy.id}|exec-B`]);

      copy.state = 'available';
      await emit(fake, completionEvent(copy));
      const [ra, rb] = await Promise.all([a, b]);
      expect([ra.status, ra.visitedStates.includes('CopyNoEvent'), count(ra.visitedStates, 'CopyAwaitEvent')]).toEqual(['SUCCEEDED', true, 2]);
      expect([rb.status, rb.visitedStates.includes('CopyNoEvent'), count(rb.visitedStates, 'CopyAwaitEvent')]).toEqual(['SUCCEEDED', false, 1]);
      expect([...fake.tableOf(SOURCE_ACCOUNT).keys()]).toEqual([]);
    });

    test('a failure event for a snapshot that is still pending does not fail the wait: the describe decides, the wait goes on (and counts)', async () => {
      const fake = new FakeAws({ completionEvents: 'hold' });
      const copy = pendingCopy(fake);
      const a = start(fake, copy.id, 'exec-A');
      await until(() => waits(fake) === 1);

      const failure = await emit(fake, completionEvent({ ...copy, state: 'error' }));
      expect(failure.visitedStates).toContain('ResumeWithFailure');
      await until(() => waits(fake) === 2);
      copy.state = 'available';
      await emit(fake, completionEvent(copy));

      const r = await a;
      expect(r.status).toBe('SUCCEEDED');
      expect(r.visitedStates).toEqual(['CopyStartWaiting', 'CopyDescribe', 'CopyFailureEvent?', 'CopyAvailable?', 'CopyWaitedTooLong?',
        'CopyAwaitEvent', 'CopyFailureEvent', 'CopyDescribe', 'CopyFailureEvent?', 'CopyAvailable?', 'CopyWaitedTooLong?',
        'CopyAwaitEvent', 'CopyEventArrived', 'CopyDescribe', 'CopyFailureEvent?', 'CopyAvailable?', 'CopyReady']);
      // both resumed waits counted one event timeout each against the snapshot timeout
      expect((r.output as { poll: { waited: number } }).poll.waited).toBe(3600);
    });
  });

  test('the callback: an event nobody waits for, an event of another kind, and a waiter that is gone all end quietly', async () => {
    const callback = worlds.EBS.sourceCallbackDefinition!;
    const fake = new FakeAws();
    const event = completionEvent({
      id: 'snap-0bbbbbbbbbbbbbbb2',
      kind: 'EBS',
      account: SOURCE_ACCOUNT,
      state: 'available',
      pollsLeft: 0,
      encrypted: true,
      tags: {},
      sharedWith: new Set(),
      origin: 'copy of snap-1',
      changes: [],
    })! as unknown as JsonValue;
    const nobody = await runStateMachine(callback, { input: event, taskHandlers: fake.handlers(callback, SOURCE_ACCOUNT) });
    expect(nobody).toMatchObject({ status: 'SUCCEEDED' });
    expect(nobody.visitedStates).toEqual(['WhichEvent?', 'EbsSucceeded', 'FindWaiters', 'AnyoneWaiting?', 'NobodyWaits']);

    const other = await runStateMachine(callback, { input: { 'source': 'aws.ec2', 'detail-type': 'EBS Volume Notification', 'detail': { event: 'createVolume' } }, taskHandlers: fake.handlers(callback, SOURCE_ACCOUNT) });
    expect(other.visitedStates).toEqual(['WhichEvent?', 'NobodyWaits']);

    // a token stored by an execution that has since timed out or been stopped
    fake.tableOf(SOURCE_ACCOUNT).set('snap-0bbbbbbbbbbbbbbb2|exec-gone', { snapshotId: { S: 'snap-0bbbbbbbbbbbbbbb2' }, execution: { S: 'exec-gone' }, taskToken: { S: 'token-gone' } });
    const gone = await runStateMachine(callback, { input: event, taskHandlers: fake.handlers(callback, SOURCE_ACCOUNT) });
    expect(gone).toMatchObject({ status: 'SUCCEEDED' });
    expect(gone.caught).toEqual([{ state: 'Resume', error: 'Sfn.TaskDoesNotExistException', next: 'WaiterGone' }]);
    expect([...fake.tableOf(SOURCE_ACCOUNT).keys()]).toEqual([]);
  });
});

describe('completion-event waits in SnapshotRegionCopy (EBS copySnapshot, RDS-EVENT-0060/-0061 in the destination Region)', () => {
  const DEST = 'us-east-1';
  const build = (props: Partial<SnapshotRegionCopyProps> = {}) => {
    const app = new App();
    const stack = new Stack(app, 'Dr', { env: { account: SOURCE_ACCOUNT, region: DEST } });
    const copy = new SnapshotRegionCopy(stack, 'Copy', { sourceRegion: 'eu-west-1', copyNamePrefix: 'dr', copyOnSourceEvents: false, ...props });
    const waits = copy.node.tryFindChild('CompletionEvents') as CompletionWaits;
    return {
      stack,
      copy,
      definition: extractDefinition(stack, copy.stateMachine),
      callback: waits.callback ? extractDefinition(stack, waits.callback) : undefined,
    };
  };
  const fakeWith = (behaviour: ConstructorParameters<typeof RegionFake>[2] = {}) => {
    const fake = new RegionFake(SOURCE_ACCOUNT, DEST, behaviour);
    fake.add({ id: 'snap-0123456789abcdef0', kind: 'EBS', region: 'eu-west-1', kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/source' });
    fake.add({ id: 'orders-2026-12-01', kind: 'RDS_DB', region: 'eu-west-1', kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/source' });
    for (const type of ['EBS_SNAPSHOT', 'RDS_DB_SNAPSHOT', 'AURORA_CLUSTER_SNAPSHOT']) fake.parameters.set(`/cdk-kms-patterns/snapshot-region-copy/dr/${type}`, '0');
    return fake;
  };
  const built = build();
  const execute = (fake: RegionFake, input: JsonValue) => {
    fake.callback = built.callback;
    return runStateMachine(built.definition, {
      input, taskHandlers: fake.handlers(built.definition), context: { Execution: { Id: 'x', Input: input }, Task: { Token: 'token-dr' } },
    });
  };

  test('the definitions are valid ASL and match botocore; Aurora copies are still polled; the rule is this Region\'s', () => {
    expect(aslValidationErrors(built.callback!)).toEqual([]);
    expect(sdkModelErrors(built.callback!)).toEqual([]);
    expect(sdkModelErrors(built.definition)).toEqual([]);
    expect(Object.keys(built.definition.States)).toEqual(expect.arrayContaining(['EbsCopyAwaitEvent', 'DbCopyAwaitEvent', 'WaitForClusterCopy']));
    expect(built.definition.States.ClusterCopyAwaitEvent).toBeUndefined();
    const t = Template.fromStack(built.stack);
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['aws.rds'], 'region': [DEST], 'detail-type': ['RDS DB Snapshot Event'], 'detail': RDS_DB_COMPLETION.detail } });
    const off = build({ completionEvents: false });
    expect(off.callback).toBeUndefined();
    expect(Object.keys(off.definition.States).filter((n) => /AwaitEvent/.test(n))).toEqual([]);
    expect(() => build({ completionEventTimeout: Duration.seconds(10) })).toThrow(/completionEventTimeout must be whole seconds between 60 and 86400 seconds/);
  });

  test.each([
    ['EBS', 'snap-0123456789abcdef0', 'DescribeEbsCopy'],
    ['RDS_DB', 'orders-2026-12-01', 'DescribeDbCopy'],
  ] as const)('%s: the copy\'s completion event resumes the workflow: one describe, then pruning; no token left', async (type, id, describeState) => {
    const fake = fakeWith();
    const r = await execute(fake, { snapshotType: type, sourceSnapshotId: id });
    expect(r.status).toBe('SUCCEEDED');
    expect(count(r.visitedStates, describeState)).toBe(1);
    // the resumed wait is one attempt of the budget
    const prefix = type === 'EBS' ? 'Ebs' : 'Db';
    expect(r.visitedStates).toContain(`${prefix}CopyEventArrived`);
    expect(built.definition.States[`${prefix}CopyEventArrived`]).toMatchObject({ Parameters: { 'attempt.$': 'States.MathAdd($.copy.attempt, 1)' }, Next: describeState });
    expect(fake.callbackRuns.map((c) => [c.status, c.visitedStates.includes('Resume')])).toEqual([['SUCCEEDED', true]]);
    expect([...fake.tokens.keys()]).toEqual([]);
  });

  test.each([
    ['EBS', 'snap-0123456789abcdef0', /^EBS copySnapshot of arn:aws:ec2::us-east-1:snapshot\/snap-\w+ failed: Snapshot copy failed \(fake\)$/],
    ['RDS_DB', 'orders-2026-12-01', /^RDS RDS-EVENT-0061 for dr-db-1: Canceled snapshot copy request of dr-db-1 from region eu-west-1\.$/],
  ] as const)('%s: a failure event: notified with the event\'s message, failed, nothing deleted', async (type, id, cause) => {
    const fake = fakeWith({ copyFails: true });
    const r = await execute(fake, { snapshotType: type, sourceSnapshotId: id });
    expect(r).toMatchObject({ status: 'FAILED', error: 'SnapshotRegionCopyFailed' });
    // the event did not decide alone: the copy was described (in a failed state) first
    const prefix = type === 'EBS' ? 'Ebs' : 'Db';
    expect(r.visitedStates).toEqual(expect.arrayContaining([`${prefix}CopyFailureEvent`, `Describe${prefix}Copy`, `${prefix}CopyFailedByEvent`]));
    expect(fake.published).toEqual([expect.objectContaining({ error: { Error: 'SnapshotFailed', Cause: expect.stringMatching(cause) } })]);
    expect(fake.deleted).toEqual([]);
  });
});
