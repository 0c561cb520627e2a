/**
 * Redshift across Regions, shared in the destination Region (#14): a `SnapshotShareSource` in the
 * Region a cluster copies its snapshots into (`redshiftCopies`), under the key of the
 * `RedshiftSnapshotCopyGrant` there. Arriving automated snapshots are copied to a manual one
 * (`CopyClusterSnapshot`, same key, expiring by itself) and shared; arriving manual ones are shared
 * as they are; a schedule sweeps the cluster's snapshots and starts at most one share a run (the
 * newest manual copy; automated copies too with `automatedSnapshots`): each share restores a new
 * cluster in the target account.
 * Valid definitions (asl-validator, botocore), scoped IAM, zero cdk-nag findings, offline runs
 * against the in-memory Redshift of `fake-aws.ts`, and the destination key simulated.
 */
import { createHash } from 'crypto';
import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FakeAws, FakeBehaviour, FakeSnapshot } from './fake-aws';
import { runShare } from './share-run';
import { ShareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from './share-world';
import { RedshiftSnapshotCopyGrant } from '../../src/databases/redshift-snapshot-copy-grant';
import { EncryptionKey } from '../../src/keys/encryption-key';
import { SnapshotShareSource, SnapshotShareSourceProps } from '../../src/snapshots/snapshot-share-source';
import { SnapshotShareTarget } from '../../src/snapshots/snapshot-share-target';
import { ShareTarget, SnapshotType } from '../../src/snapshots/snapshot-type';
import { expectNoNagFindings } from '../harness/compliance';
import { sdkTasks, serviceModel, validateSdkTasks } from '../harness/sdk-models';
import { defineServiceChecks, KMS_ALL, keyDeploymentRows, redshiftShareRows, ServiceAccessStats } from '../harness/service-access';
import { expectAccess, PolicyWorld } from '../harness/simulate';
import { allStates, AslDefinition, extractDefinition, JsonValue, runStateMachine, taskError, validateAsl } from '../harness/state-machine';

const REGION = 'us-east-1';
const CLUSTER = 'orders-dw';
const RESTORE = { clusterSubnetGroupName: 'private-dw', vpcSecurityGroupIds: ['sg-0123456789abcdef0'] };
const CONTEXT = {
  Execution: { Id: `arn:aws:states:${REGION}:${SOURCE_ACCOUNT}:execution:share:offline-1`, Name: 'offline-1' },
  StateMachine: { Id: `arn:aws:states:${REGION}:${SOURCE_ACCOUNT}:stateMachine:sweep` },
  Task: { Token: 'token-1' },
};

interface CopiesWorld extends ShareWorld {
  readonly sweepDefinition: AslDefinition;
  readonly grant: RedshiftSnapshotCopyGrant;
}

const keyArnIn = (definition: AslDefinition, account: string) => {
  const m = new RegExp(`arn:aws:kms:${REGION}:${account}:key/[A-Za-z0-9]+`).exec(JSON.stringify(definition));
  if (!m) throw new Error(`no key of ${account} in the definition`);
  return m[0];
};

/** The destination Region of the source account (a copy grant, a share source) and the target account there. */
function copiesWorld(source: Partial<SnapshotShareSourceProps> = {}): CopiesWorld {
  const app = new App();
  const sourceStack = new Stack(app, 'DrSource', { env: { account: SOURCE_ACCOUNT, region: REGION } });
  const targetStack = new Stack(app, 'DrTarget', { env: { account: TARGET_ACCOUNT, region: REGION } });
  const key = new EncryptionKey(sourceStack, 'CopyKey');
  const grant = new RedshiftSnapshotCopyGrant(sourceStack, 'Grant', { encryptionKey: key, snapshotCopyGrantName: 'orders-dw-dr' });
  const share = new SnapshotShareSource(sourceStack, 'Share', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER,
    targets: [ShareTarget.account(TARGET_ACCOUNT)],
    encryptionKey: key,
    redshiftCopies: { clusterIdentifier: CLUSTER },
    ...source,
  });
  const target = new SnapshotShareTarget(targetStack, 'Receive', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER, sourceAccounts: [SOURCE_ACCOUNT], encryptionKey: new EncryptionKey(targetStack, 'RestoreKey'), restore: RESTORE,
  });
  const sourceDefinition = extractDefinition(sourceStack, share.stateMachine);
  const targetDefinition = extractDefinition(targetStack, target.stateMachine);
  return {
    app,
    sourceStack,
    targetStack,
    source: share,
    target,
    grant,
    sourceDefinition,
    confirmationDefinition: extractDefinition(sourceStack, share.confirmationHandler),
    targetDefinition,
    sweepDefinition: extractDefinition(sourceStack, share.copySweep!),
    sourceKeyArn: keyArnIn(sourceDefinition, SOURCE_ACCOUNT),
    targetKeyArn: keyArnIn(targetDefinition, TARGET_ACCOUNT),
  };
}

const world = copiesWorld();
/** The sweep that takes automated copies too (`automatedSnapshots: true`). */
const withAutomated = copiesWorld({ redshiftCopies: { clusterIdentifier: CLUSTER, automatedSnapshots: true } });
const AUTOMATED = 'rs:orders-dw-2026-12-02-03-00-00';
const MANUAL = 'orders-dw-before-upgrade';
const MADE_BY = 'DrSource/Share';
const copyIdOf = (snapshotId: string) => `share-${createHash('sha1').update(`${snapshotId}|${MADE_BY}`).digest('hex')}`;

/** The destination Region: the copy grant's key, the AWS managed key, the target's key, and copies Redshift made of the cluster. */
function setup(options: { behaviour?: FakeBehaviour; key?: 'copy-key' | 'aws-managed' } = {}): { fake: FakeAws; automated: FakeSnapshot; manual: FakeSnapshot } {
  const fake = new FakeAws(options.behaviour);
  fake.addKey(world.sourceKeyArn, { sharedWith: [TARGET_ACCOUNT] });
  fake.addKey(world.targetKeyArn);
  const kmsKeyId = options.key === 'aws-managed' ? fake.awsManagedKey(SOURCE_ACCOUNT, 'redshift').arn : world.sourceKeyArn;
  const automated = fake.addSnapshot({ id: AUTOMATED, kind: 'REDSHIFT_CLUSTER', account: SOURCE_ACCOUNT, kmsKeyId });
  Object.assign(automated, { clusterIdentifier: CLUSTER, snapshotType: 'automated' });
  const manual = fake.addSnapshot({ id: MANUAL, kind: 'REDSHIFT_CLUSTER', account: SOURCE_ACCOUNT, kmsKeyId });
  Object.assign(manual, { clusterIdentifier: CLUSTER, snapshotType: 'manual' });
  return { fake, automated, manual };
}

const restoredClusters = (fake: FakeAws) => [...fake.redshiftClusters.values()].filter((c) => c.account === TARGET_ACCOUNT);

describe('SnapshotShareSource redshiftCopies: definitions and IAM', () => {
  test('every definition is valid ASL, every aws-sdk task matches botocore\'s models, zero cdk-nag findings', () => {
    for (const definition of [world.sourceDefinition, world.sweepDefinition, withAutomated.sweepDefinition, world.targetDefinition]) {
      expect(() => validateAsl(definition)).not.toThrow();
      expect(() => validateSdkTasks(definition)).not.toThrow();
    }
    const calls = (d: AslDefinition) => sdkTasks(d).map((t) => `${t.service}:${t.action}`).sort();
    expect(calls(world.sourceDefinition)).toEqual([
      'redshift:authorizeSnapshotAccess', 'redshift:copyClusterSnapshot', 'redshift:createTags', 'redshift:describeClusterSnapshots',
      'redshift:describeClusterSnapshots', 'redshift:revokeSnapshotAccess', 'redshift:revokeSnapshotAccess',
    ]);
    expect(calls(world.sweepDefinition)).toEqual(['redshift:describeClusterSnapshots', 'sfn:startExecution']);
    const copy = sdkTasks(world.sourceDefinition).find((t) => t.action === 'copyClusterSnapshot')!;
    expect(copy.parameters).toEqual({
      'SourceSnapshotIdentifier.$': '$.snapshotId',
      'SourceSnapshotClusterIdentifier.$': '$.original.Snapshots[0].ClusterIdentifier',
      'TargetSnapshotIdentifier.$': '$.manualCopy.id',
      'ManualSnapshotRetentionPeriod': 7,
    });
    // By default only manual snapshots are listed (SnapshotType: "The type of snapshots for which you
    // are requesting information. By default, snapshots of all types are returned. Valid Values:
    // automated | manual", https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html)
    const listOf = (d: AslDefinition) => sdkTasks(d).find((t) => t.action === 'describeClusterSnapshots')!.parameters;
    expect(listOf(world.sweepDefinition)).toEqual({
      ClusterIdentifier: CLUSTER, OwnerAccount: SOURCE_ACCOUNT, SnapshotType: 'manual', MaxRecords: 100, SortingEntities: [{ Attribute: 'CREATE_TIME', SortOrder: 'DESC' }],
    });
    expect(listOf(withAutomated.sweepDefinition)).toEqual({
      ClusterIdentifier: CLUSTER, OwnerAccount: SOURCE_ACCOUNT, MaxRecords: 100, SortingEntities: [{ Attribute: 'CREATE_TIME', SortOrder: 'DESC' }],
    });
    // the share workflow takes automated snapshots on demand either way (run offline below with the default)
    expect(calls(withAutomated.sourceDefinition)).toEqual(calls(world.sourceDefinition));
    // no Map: nothing in the sweep can start more than one share
    expect(JSON.stringify(world.sweepDefinition)).not.toContain('"Type":"Map"');
    expect(Object.values(world.sweepDefinition.States).filter((st) => JSON.stringify(st).includes('startExecution'))).toHaveLength(1);
    expectNoNagFindings(world.sourceStack);
    expectNoNagFindings(world.targetStack);
  });

  test('IAM: copies only automated snapshots to share-... copies, tags only those, starts only its own share workflow, deletes nothing; a schedule starts the sweep', () => {
    const policies = Template.fromStack(world.sourceStack).findResources('AWS::IAM::Policy');
    // the workflows' own roles (the copy grant's custom resource has its own, tested with it)
    const policy = JSON.stringify(Object.entries(policies).filter(([id]) => /^Share(CopySweep)?Role/.test(id)));
    expect(policy).toContain('ShareCopySweepRoleDefaultPolicy');
    const own = (suffix: string) => `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":redshift:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},"${suffix}"]]}`;
    expect(policy).toContain(`"Action":"redshift:CopyClusterSnapshot","Effect":"Allow","Resource":[${own(':snapshot:*/rs:*')},${own(':snapshot:*/share-*')}]`);
    expect(policy).toContain(`"Action":"redshift:CreateTags","Effect":"Allow","Resource":${own(':snapshot:*/share-*')}`);
    expect(policy).toContain(`"Action":"redshift:DescribeClusterSnapshots","Effect":"Allow","Resource":${own(':snapshot:*/*')}`);
    const shareLogicalId = world.sourceStack.getLogicalId(world.source.stateMachine.node.defaultChild as never);
    expect(policy).toContain(`"Action":"states:StartExecution","Effect":"Allow","Resource":{"Ref":"${shareLogicalId}"}`);
    expect(policy).not.toMatch(/redshift:Delete|redshift:Restore|redshift:ModifyCluster/);
    const sweepLogicalId = world.sourceStack.getLogicalId(world.source.copySweep!.node.defaultChild as never);
    Template.fromStack(world.sourceStack).hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [{ Arn: { Ref: sweepLogicalId } }],
    });
    Template.fromStack(world.sourceStack).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
  });

  test('a given schedule and retention', () => {
    const w = copiesWorld({
      redshiftCopies: { clusterIdentifier: CLUSTER, schedule: events.Schedule.rate(Duration.hours(8)), manualCopyRetention: Duration.days(3) },
    });
    Template.fromStack(w.sourceStack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(8 hours)' });
    expect(sdkTasks(w.sourceDefinition).find((t) => t.action === 'copyClusterSnapshot')!.parameters).toMatchObject({ ManualSnapshotRetentionPeriod: 3 });
  });

  test('synth-time validation', () => {
    const stack = () => new Stack(new App(), 'S', { env: { account: SOURCE_ACCOUNT, region: REGION } });
    const make = (props: Partial<SnapshotShareSourceProps>) => {
      const s = stack();
      return new SnapshotShareSource(s, 'X', {
        snapshotType: SnapshotType.REDSHIFT_CLUSTER, targets: [ShareTarget.account(TARGET_ACCOUNT)], encryptionKey: new EncryptionKey(s, 'K'), ...props,
      });
    };
    expect(() => make({ encryptionKey: undefined, redshiftCopies: { clusterIdentifier: CLUSTER } }))
      .toThrow(/^redshiftCopies needs encryptionKey: the key of the RedshiftSnapshotCopyGrant the cluster names/);
    expect(() => make({ snapshotType: SnapshotType.RDS_DB, redshiftCopies: { clusterIdentifier: CLUSTER } }))
      .toThrow("redshiftCopies applies to Redshift cluster snapshots only, got 'RDS_DB'");
    expect(() => make({ redshiftCopies: { clusterIdentifier: 'Orders_DW' } }))
      .toThrow(/^redshiftCopies.clusterIdentifier must name Redshift cluster identifiers .*, got 'Orders_DW'/);
    expect(() => make({ redshiftCopies: { clusterIdentifier: CLUSTER, manualCopyRetention: Duration.hours(36) } }))
      .toThrow("redshiftCopies.manualCopyRetention must be whole days from 1 to 3653, got '1 day 12 hours'");
    expect(() => make({ redshiftCopies: { clusterIdentifier: CLUSTER, manualCopyRetention: Duration.days(4000) } }))
      .toThrow("redshiftCopies.manualCopyRetention must be whole days from 1 to 3653, got '4000 days'");
    expect(() => make({ redshiftCopies: { clusterIdentifier: CLUSTER, manualCopyRetention: Duration.days(Token.asNumber({ Ref: 'Days' })) } }))
      .toThrow(/^redshiftCopies.manualCopyRetention must be a literal Duration of whole days .*, got '\(a token\)'/);
    const retention = (days: number) => ({ clusterIdentifier: CLUSTER, manualCopyRetention: Duration.days(days) });
    expect(() => make({ confirmationTimeout: Duration.days(2), redshiftCopies: retention(2) }))
      .toThrow("redshiftCopies.manualCopyRetention must be longer than confirmationTimeout (2 days): the copy must outlive the targets' restores, got '2 days'");
    expect(() => make({ confirmationTimeout: Duration.days(2), redshiftCopies: retention(3) })).not.toThrow();
  });
});

describe('SnapshotShareSource redshiftCopies, run offline', () => {
  test('an automated copy: copied to a manual snapshot under the same key (kept 7 days, tagged), shared, restored by the target under its own key, revoked; nothing deleted', async () => {
    const s = setup();

    const run = await runShare(world, s.fake, { snapshotId: AUTOMATED });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.source.visitedStates).toEqual(expect.arrayContaining([
      'ManualSnapshot?', 'AutomatedUnderShareableKey?', 'NameManualCopy', 'CopyToManual', 'TagManualCopy',
      'ManualCopyDescribe', 'ManualCopyUnderShareableKey?', 'UseManualCopy', 'Authorize', 'TellTarget', 'Revoke', 'Shared',
    ]));
    const copy = s.fake.snapshotsOf(SOURCE_ACCOUNT).find((x) => x.id === copyIdOf(AUTOMATED))!;
    expect(copy).toMatchObject({
      origin: `copy of ${AUTOMATED}`,
      snapshotType: 'manual',
      kmsKeyId: world.sourceKeyArn,
      clusterIdentifier: CLUSTER,
      manualRetentionDays: 7,
      state: 'available',
    });
    expect(copy.tags).toEqual({ 'cdk-kms-patterns:snapshot-workflow': MADE_BY, 'cdk-kms-patterns:copy-of': AUTOMATED });
    expect(copy.changes).toEqual([`add ${TARGET_ACCOUNT}`, `remove ${TARGET_ACCOUNT}`]);
    expect([...copy.sharedWith]).toEqual([]);
    // the automated snapshot is only read
    expect(s.automated.changes).toEqual([]);
    expect(s.fake.calls.filter((c) => /delete/i.test(c.operation))).toEqual([]);
    // the target restored from the manual copy, under its own key
    const clusters = restoredClusters(s.fake);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toMatchObject({
      status: 'available', kmsKeyId: world.targetKeyArn, publiclyAccessible: false, restoredFrom: `${SOURCE_ACCOUNT}:${copy.id}`,
    });
    // the ARN told to the target is the copy's, in this Region
    expect(JSON.stringify(run.source.taskCalls)).toContain(`arn:aws:redshift:${REGION}:${SOURCE_ACCOUNT}:snapshot:${CLUSTER}/${copy.id}`);
  });

  test('a manual copy is shared as it is (no copy made)', async () => {
    const s = setup();

    const run = await runShare(world, s.fake, { snapshotId: MANUAL });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.source.visitedStates).not.toContain('CopyToManual');
    expect(s.fake.calls.filter((c) => c.operation === 'redshift:copyClusterSnapshot')).toEqual([]);
    expect(s.manual.changes).toEqual([`add ${TARGET_ACCOUNT}`, `remove ${TARGET_ACCOUNT}`]);
    expect(restoredClusters(s.fake)[0]).toMatchObject({ kmsKeyId: world.targetKeyArn, restoredFrom: `${SOURCE_ACCOUNT}:${MANUAL}` });
  });

  test.each([
    ['an automated snapshot', AUTOMATED, 'AutomatedUnderOtherKey', /a manual copy would keep that key, so it is not made \(in a destination Region, encryptionKey must be the key of the RedshiftSnapshotCopyGrant the source cluster names\)$/],
    ['a manual snapshot', MANUAL, 'SnapshotUnderOtherKey', /not with the shareable key: Redshift cannot re-encrypt a snapshot/],
  ])('%s under another key (not the copy grant\'s) is refused with a message before anything is copied or shared', async (_what, id, state, cause) => {
    const s = setup({ key: 'aws-managed' });

    const run = await runShare(world, s.fake, { snapshotId: id });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'SnapshotNotUnderShareableKey' });
    expect(run.source.cause).toMatch(new RegExp(`^Redshift cluster snapshot ${id.replace(/[:.]/g, '\\$&')} is encrypted with arn:aws:kms:[^ ]+aws-managed-redshift`));
    expect(run.source.cause).toMatch(cause);
    expect(run.source.visitedStates).toContain(state);
    expect(s.fake.calls.filter((c) => /copy|authorize|createTags/i.test(c.operation))).toEqual([]);
    expect(s.fake.snapshotsOf(SOURCE_ACCOUNT)).toHaveLength(2);
    expect(run.targets).toEqual([]);
  });

  test('a second run for the same automated snapshot finds the first run\'s copy: one copy, one restored cluster', async () => {
    const s = setup();
    expect((await runShare(world, s.fake, { snapshotId: AUTOMATED })).source.status).toBe('SUCCEEDED');

    const second = await runShare(world, s.fake, { snapshotId: AUTOMATED });

    expect(second.source.status).toBe('SUCCEEDED');
    expect(second.source.visitedStates).toContain('ManualCopyExists');
    expect(second.targets[0].visitedStates).toContain('RestoredBefore');
    expect(s.fake.snapshotsOf(SOURCE_ACCOUNT).map((x) => x.id).sort()).toEqual([copyIdOf(AUTOMATED), MANUAL, AUTOMATED].sort());
    expect(restoredClusters(s.fake)).toHaveLength(1);
    expect(s.fake.calls.filter((c) => /delete/i.test(c.operation))).toEqual([]);
  });

  test('throttling of the copy and the tagging is retried with jitter; the copy quota is retried longer', async () => {
    const s = setup({ behaviour: { throttle: { 'redshift:copyClusterSnapshot': 2, 'redshift:createTags': 1 } } });

    const run = await runShare(world, s.fake, { snapshotId: AUTOMATED });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.source.retries).toEqual([
      { state: 'CopyToManual', attempt: 1, error: 'Redshift.RedshiftException' },
      { state: 'CopyToManual', attempt: 2, error: 'Redshift.RedshiftException' },
      { state: 'TagManualCopy', attempt: 1, error: 'Redshift.RedshiftException' },
    ]);
    const copyState = world.sourceDefinition.States.CopyToManual as unknown as { Retry: Array<Record<string, unknown>> };
    expect(copyState.Retry[0]).toMatchObject({ ErrorEquals: ['Redshift.ClusterSnapshotQuotaExceededException'], JitterStrategy: 'FULL', IntervalSeconds: 60 });
    expect(s.fake.snapshotsOf(SOURCE_ACCOUNT).filter((x) => x.id === copyIdOf(AUTOMATED))).toHaveLength(1);
  });

  test('a copy that keeps failing fails the execution with the service\'s error, nothing shared', async () => {
    const s = setup({ behaviour: { failWith: { 'redshift:copyClusterSnapshot': 'Redshift.InvalidRetentionPeriodException' } } });

    const run = await runShare(world, s.fake, { snapshotId: AUTOMATED });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'Redshift.InvalidRetentionPeriodException' });
    expect(s.fake.calls.filter((c) => /authorize/i.test(c.operation))).toEqual([]);
    expect(s.fake.published).toEqual([expect.objectContaining({ account: SOURCE_ACCOUNT })]);
  });
});

describe('the sweep of copied snapshots, run offline', () => {
  interface SweepOutput { readonly share: { readonly snapshotId?: string; readonly started: boolean; readonly executionArn?: string } }
  const nameOf = (id: string) => `rs-${createHash('sha1').update(id).digest('hex')}`;

  /** Runs a sweep; StartShare behaves as Step Functions does with execution names (a name once only). */
  async function sweep(fake: FakeAws, names: Map<string, JsonValue>, w: CopiesWorld = world) {
    return runStateMachine(w.sweepDefinition, {
      input: { 'detail-type': 'Scheduled Event', 'source': 'aws.events' },
      taskHandlers: fake.handlers(w.sweepDefinition, SOURCE_ACCOUNT, {
        StartShare: (params) => {
          const p = params as { StateMachineArn: string; Name: string; Input: string };
          if (names.has(p.Name)) throw taskError('Sfn.ExecutionAlreadyExistsException', `Execution Already Exists: '${p.Name}'`);
          names.set(p.Name, JSON.parse(p.Input));
          return { ExecutionArn: `${p.StateMachineArn.replace(':stateMachine:', ':execution:')}:${p.Name}`, StartDate: 'not kept' };
        },
      }),
      context: CONTEXT,
    });
  }

  /** Adds a snapshot Redshift copied into this Region (newer than every one added before). */
  const arrive = (fake: FakeAws, id: string, snapshotType: 'manual' | 'automated', options: { pollsLeft?: number; cluster?: string } = {}) => {
    const x = fake.addSnapshot({ id, kind: 'REDSHIFT_CLUSTER', account: SOURCE_ACCOUNT, kmsKeyId: world.sourceKeyArn, pollsLeft: options.pollsLeft });
    Object.assign(x, { clusterIdentifier: options.cluster ?? CLUSTER, snapshotType });
    return x;
  };
  const startCalls = (run: { taskCalls: ReadonlyArray<{ state: string }> }) => run.taskCalls.filter((c) => c.state === 'StartShare');

  test('by default: only manual copies are listed (SnapshotType manual); a newer automated copy is not shared', async () => {
    const s = setup();
    arrive(s.fake, 'rs:orders-dw-2026-12-02-11-00-00', 'automated');
    const names = new Map<string, JsonValue>();

    const run = await sweep(s.fake, names);

    expect(run.status).toBe('SUCCEEDED');
    expect([...names.entries()]).toEqual([[nameOf(MANUAL), { snapshotId: MANUAL }]]);
    expect((run.output as unknown as SweepOutput).share).toEqual({
      snapshotId: MANUAL, started: true, executionArn: expect.stringMatching(new RegExp(`:execution:.*:${nameOf(MANUAL)}$`)),
    });
    const lists = s.fake.calls.filter((c) => c.operation === 'redshift:describeClusterSnapshots');
    expect(lists).toEqual([expect.objectContaining({ input: expect.objectContaining({ SnapshotType: 'manual', ClusterIdentifier: CLUSTER }) })]);
    // nothing but the list: no copy, no share, from the sweep itself
    expect(s.fake.calls.filter((c) => c.operation !== 'redshift:describeClusterSnapshots')).toEqual([]);
  });

  test('by default, with automated copies only: nothing is started', async () => {
    const fake = new FakeAws();
    arrive(fake, 'rs:orders-dw-2026-12-02-03-00-00', 'automated');
    arrive(fake, 'rs:orders-dw-2026-12-02-11-00-00', 'automated');
    const names = new Map<string, JsonValue>();

    const run = await sweep(fake, names);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.visitedStates).toContain('NothingToShare');
    expect(run.visitedStates).not.toContain('ReadCopy');
    expect((run.output as unknown as SweepOutput).share).toEqual({ started: false });
    expect(names.size).toBe(0);
  });

  test('automatedSnapshots: true: automated copies too, the newest of either kind', async () => {
    const s = setup();
    const newest = arrive(s.fake, 'rs:orders-dw-2026-12-02-11-00-00', 'automated');
    const names = new Map<string, JsonValue>();

    const run = await sweep(s.fake, names, withAutomated);

    expect(run.status).toBe('SUCCEEDED');
    expect([...names.entries()]).toEqual([[nameOf(newest.id), { snapshotId: newest.id }]]);
    expect(s.fake.calls.find((c) => c.operation === 'redshift:describeClusterSnapshots')!.input).not.toHaveProperty('SnapshotType');
  });

  test('several eligible: only the newest available one that is not a share-... copy is started; the next run starts nothing', async () => {
    const s = setup();
    const older = arrive(s.fake, 'orders-dw-month-end', 'manual');
    const newest = arrive(s.fake, 'orders-dw-before-migration', 'manual');
    const made = arrive(s.fake, copyIdOf(AUTOMATED), 'manual');
    const stillArriving = arrive(s.fake, 'orders-dw-after-migration', 'manual', { pollsLeft: 3 });
    arrive(s.fake, 'sales-dw-manual', 'manual', { cluster: 'sales-dw' });
    const names = new Map<string, JsonValue>();

    const first = await sweep(s.fake, names);

    expect(first.status).toBe('SUCCEEDED');
    expect([...names.keys()]).toEqual([nameOf(newest.id)]);
    expect(startCalls(first)).toHaveLength(1);
    // newest first: the one still arriving and the workflow's own copy are passed over, the rest never read
    expect(first.taskCalls.map((c) => c.state)).toEqual(['ListCopies', 'StartShare']);
    expect(first.visitedStates.filter((x) => x === 'ReadCopy')).toHaveLength(3);
    expect(first.visitedStates.filter((x) => x === 'NextCopy')).toHaveLength(2);
    expect((first.output as unknown as SweepOutput).share).toMatchObject({ snapshotId: newest.id, started: true });

    const second = await sweep(s.fake, names);

    expect(second.status).toBe('SUCCEEDED');
    expect(second.visitedStates).toContain('StartedBefore');
    expect((second.output as unknown as SweepOutput).share).toEqual({ snapshotId: newest.id, started: false });
    // the older eligible ones are not the sweep's: still not started
    expect([...names.keys()]).toEqual([nameOf(newest.id)]);
    expect(names.has(nameOf(older.id)) || names.has(nameOf(MANUAL)) || names.has(nameOf(made.id))).toBe(false);

    // the snapshot that was arriving is available at the next run: it is the newest, shared once
    stillArriving.state = 'available';
    const third = await sweep(s.fake, names);

    expect((third.output as unknown as SweepOutput).share).toMatchObject({ snapshotId: stillArriving.id, started: true });
    expect([...names.keys()]).toEqual([nameOf(newest.id), nameOf(stillArriving.id)]);
  });

  test('the first run after deployment, with 150 copies there already: one share (the newest), not 100', async () => {
    const fake = new FakeAws();
    for (let i = 0; i < 150; i++) arrive(fake, `orders-dw-daily-${String(i).padStart(3, '0')}`, i % 2 === 0 ? 'manual' : 'automated');
    const names = new Map<string, JsonValue>();

    const run = await sweep(fake, names);

    expect(run.status).toBe('SUCCEEDED');
    expect([...names.entries()]).toEqual([[nameOf('orders-dw-daily-148'), { snapshotId: 'orders-dw-daily-148' }]]);
    expect(startCalls(run)).toHaveLength(1);

    const all = new Map<string, JsonValue>();
    const withAll = await sweep(fake, all, withAutomated);
    expect([...all.keys()]).toEqual([nameOf('orders-dw-daily-149')]);
    expect(startCalls(withAll)).toHaveLength(1);
  });

  test('a start that keeps failing (not "already exists") fails the sweep with a notification', async () => {
    const s = setup();
    const run = await runStateMachine(world.sweepDefinition, {
      input: {},
      taskHandlers: s.fake.handlers(world.sweepDefinition, SOURCE_ACCOUNT, {
        StartShare: () => { throw taskError('Sfn.StateMachineDoesNotExistException', 'gone'); },
      }),
      context: CONTEXT,
    });
    expect(run).toMatchObject({ status: 'FAILED', error: 'Sfn.StateMachineDoesNotExistException' });
    expect(s.fake.published).toHaveLength(1);
  });

  test('throttling of the list is retried; a list that keeps failing fails the sweep with a notification', async () => {
    const throttled = setup({ behaviour: { throttle: { 'redshift:describeClusterSnapshots': 1 } } });
    const ok = await sweep(throttled.fake, new Map());
    expect(ok.status).toBe('SUCCEEDED');
    expect(ok.retries).toEqual([{ state: 'ListCopies', attempt: 1, error: 'Redshift.RedshiftException' }]);

    const broken = setup({ behaviour: { failWith: { 'redshift:describeClusterSnapshots': 'Redshift.UnsupportedOperationException' } } });
    const failed = await sweep(broken.fake, new Map());
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Redshift.UnsupportedOperationException' });
    expect(broken.fake.published).toHaveLength(1);
  });
});

describe('the destination key (the copy grant\'s), simulated', () => {
  const policies = PolicyWorld.fromStacks([world.sourceStack, world.targetStack]);
  const key = world.source.encryptionKey;
  const RECIPIENT = `arn:aws:iam::${TARGET_ACCOUNT}:role/ClusterRestorer`;
  const through = { 'kms:ViaService': `redshift.${REGION}.amazonaws.com`, 'kms:CallerAccount': TARGET_ACCOUNT };
  const stats = new ServiceAccessStats();
  afterAll(() => console.log(stats.summary('test/snapshots/snapshot-share-redshift-copies.test.ts')));
  // The service request model's rows of a Redshift share, in the destination Region: the target's
  // restore through Redshift there (its workflow and any principal of it), undeclared principals and
  // other accounts denied; and the key's deployment.
  defineServiceChecks(policies, [
    ...redshiftShareRows(policies, {
      label: 'SnapshotShareSource REDSHIFT_CLUSTER redshiftCopies',
      key,
      account: SOURCE_ACCOUNT,
      region: REGION,
      targetAccount: TARGET_ACCOUNT,
      targetWorkflow: world.target.stateMachine.role,
      recipient: RECIPIENT,
    }),
    ...keyDeploymentRows(policies),
  ], stats);

  test('the target restores through Redshift in this Region only; the copy grant\'s role creates grants for AWS resources only; nobody else', async () => {
    const grantRole = world.grant.resource.grantPrincipal as iam.Role;
    const count = await expectAccess(policies, [
      { label: 'target restores through Redshift here', principal: RECIPIENT, key, action: ['kms:Decrypt', 'kms:DescribeKey'], context: through, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
      { label: 'target grant for the restored cluster', principal: RECIPIENT, key, action: 'kms:CreateGrant', context: { ...through, 'kms:GrantIsForAWSResource': 'true' }, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
      { label: 'target grant for itself', principal: RECIPIENT, key, action: 'kms:CreateGrant', context: { ...through, 'kms:GrantIsForAWSResource': 'false' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'target through Redshift of the source Region', principal: RECIPIENT, key, action: 'kms:Decrypt', context: { ...through, 'kms:ViaService': 'redshift.eu-west-1.amazonaws.com' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'target through EC2', principal: RECIPIENT, key, action: 'kms:Decrypt', context: { ...through, 'kms:ViaService': `ec2.${REGION}.amazonaws.com` }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'target directly', principal: RECIPIENT, key, action: ['kms:Decrypt', 'kms:GenerateDataKey'], context: { 'kms:CallerAccount': TARGET_ACCOUNT }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'another account through Redshift', principal: 'arn:aws:iam::333333333333:role/Other', key, action: ['kms:Decrypt', 'kms:CreateGrant'], context: { ...through, 'kms:CallerAccount': '333333333333', 'kms:GrantIsForAWSResource': 'true' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'copy grant role: DescribeKey through Redshift', principal: grantRole, key, action: 'kms:DescribeKey', context: { 'kms:ViaService': `redshift.${REGION}.amazonaws.com`, 'kms:CallerAccount': SOURCE_ACCOUNT }, expect: 'allow' },
      { label: 'copy grant role: grant for Redshift', principal: grantRole, key, action: 'kms:CreateGrant', context: { 'kms:ViaService': `redshift.${REGION}.amazonaws.com`, 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:GrantIsForAWSResource': 'true' }, expect: 'allow' },
      { label: 'copy grant role: grant for itself', principal: grantRole, key, action: 'kms:CreateGrant', context: { 'kms:ViaService': `redshift.${REGION}.amazonaws.com`, 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:GrantIsForAWSResource': 'false' }, expect: 'deny' },
      { label: 'copy grant role: decrypt directly', principal: grantRole, key, action: 'kms:Decrypt', context: { 'kms:CallerAccount': SOURCE_ACCOUNT }, expect: 'deny' },
      { label: 'the share workflow uses no key', principal: world.source.stateMachine.role, key, action: ['kms:Decrypt', 'kms:CreateGrant'], context: { 'kms:ViaService': `redshift.${REGION}.amazonaws.com`, 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:GrantIsForAWSResource': 'true' }, expect: 'deny' },
      { label: 'the sweep uses no key', principal: world.source.copySweep!.role, key, action: ['kms:Decrypt', 'kms:CreateGrant'], context: { 'kms:ViaService': `redshift.${REGION}.amazonaws.com`, 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:GrantIsForAWSResource': 'true' }, expect: 'deny' },
    ]);
    // 18 requests: 5 allowed, 13 denied
    expect(count).toBe(18);
  });
});

describe('error names of the copy and the sweep', () => {
  test('every modelled error a Retry or Catch names is one the task\'s operation declares in botocore\'s model', () => {
    const checked: string[] = [];
    for (const [service, prefix, definition] of [
      ['redshift', 'Redshift', world.sourceDefinition], ['redshift', 'Redshift', world.sweepDefinition], ['stepfunctions', 'Sfn', world.sweepDefinition],
    ] as Array<[string, string, AslDefinition]>) {
      const model = serviceModel(service) as unknown as { operations: Record<string, { errors?: Array<{ shape: string }> }> };
      const generic = [`${prefix}.${prefix}Exception`, `${prefix}.SdkClientException`, 'Redshift.DependentServiceRequestThrottlingException'];
      for (const [name, state] of allStates(definition)) {
        const m = new RegExp(`aws-sdk:${prefix === 'Sfn' ? 'sfn' : 'redshift'}:([A-Za-z]+)$`).exec(String(state.Resource ?? ''));
        if (!m) continue;
        const operation = m[1].charAt(0).toUpperCase() + m[1].slice(1);
        const declared = (model.operations[operation].errors ?? []).map((e) => `${prefix}.${e.shape.replace(/(Fault|Exception)$/, '')}Exception`);
        const named = [...((state.Retry ?? []) as Array<{ ErrorEquals: string[] }>), ...((state.Catch ?? []) as Array<{ ErrorEquals: string[] }>)]
          .flatMap((r) => r.ErrorEquals).filter((e) => e.startsWith(`${prefix}.`) && !generic.includes(e));
        for (const error of named) {
          expect({ state: name, error, declared: declared.includes(error) }).toEqual({ state: name, error, declared: true });
          checked.push(`${name}:${error}`);
        }
      }
    }
    expect(checked).toEqual(expect.arrayContaining([
      'CopyToManual:Redshift.ClusterSnapshotQuotaExceededException',
      'CopyToManual:Redshift.ClusterSnapshotAlreadyExistsException',
      'StartShare:Sfn.ExecutionAlreadyExistsException',
    ]));
  });
});
