/**
 * Offline executions of the share workflows, both sides, against the in-memory accounts of
 * `fake-aws.ts`: every scenario ends in a defined state, and afterwards the accounts hold nothing
 * the workflows should have deleted and have lost nothing they should have kept.
 */
import { FakeAws, FakeBehaviour, FakeSnapshot, SnapshotKind } from './fake-aws';
import { CONTEXT, runShare } from './share-run';
import { ShareWorld, shareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from './share-world';
import { SnapshotType } from '../../src/snapshots/snapshot-type';
import { runStateMachine, taskError } from '../harness/state-machine';

const ORIGINAL: Record<SnapshotKind, string> = {
  EBS: 'snap-0123456789abcdef0',
  RDS_DB: 'rds:orders-2026-12-01-00-00',
  AURORA_CLUSTER: 'orders-cluster-manual-1',
};

const worlds = {
  EBS: shareWorld(SnapshotType.EBS, { source: { createFrom: ['vol-0123456789abcdef0'] }, target: { restore: { availabilityZone: 'eu-west-1a' } } }),
  RDS_DB: shareWorld(SnapshotType.RDS_DB, { source: { createFrom: ['orders'] }, target: { restore: { dbInstanceClass: 'db.t4g.micro' } } }),
  AURORA_CLUSTER: shareWorld(SnapshotType.AURORA_CLUSTER, { target: { restore: {} } }),
};
const plainEbs = shareWorld(SnapshotType.EBS);
/** Both sides poll (no completion events): the polling path of every wait (the event path: event-wait.run.test.ts). */
const pollingEbs = shareWorld(SnapshotType.EBS, {
  source: { polling: { completionEvents: false } },
  target: { polling: { completionEvents: false } },
});

interface Setup {
  readonly fake: FakeAws;
  readonly original: FakeSnapshot;
}

/** A source account with one original snapshot (under the AWS managed key unless said) and both keys. */
function setup(world: ShareWorld, kind: SnapshotKind, options: { behaviour?: FakeBehaviour; originalKey?: 'aws-managed' | 'share-key' | 'none'; pollsLeft?: number; targetKeyEnabled?: boolean } = {}): Setup {
  const fake = new FakeAws(options.behaviour);
  fake.addKey(world.sourceKeyArn, { sharedWith: [TARGET_ACCOUNT] });
  fake.addKey(world.targetKeyArn, { enabled: options.targetKeyEnabled ?? true });
  const managed = fake.awsManagedKey(SOURCE_ACCOUNT, kind === 'EBS' ? 'ebs' : 'rds').arn;
  const kmsKeyId = options.originalKey === 'none' ? undefined : options.originalKey === 'share-key' ? world.sourceKeyArn : managed;
  const original = fake.addSnapshot({ id: ORIGINAL[kind], kind, account: SOURCE_ACCOUNT, kmsKeyId, pollsLeft: options.pollsLeft });
  return { fake, original };
}

/** The original is still there, unchanged, shared with nobody. */
function expectOriginalUntouched(s: Setup): void {
  const kept = s.fake.snapshots.get(s.fake.keyOf(SOURCE_ACCOUNT, s.original.kind, s.original.id));
  expect(kept).toBe(s.original);
  expect(s.original.changes).toEqual([]);
  expect([...s.original.sharedWith]).toEqual([]);
  const touching = s.fake.calls.filter((c) => /modify|delete/i.test(c.operation) && JSON.stringify(c.input).includes(s.original.id) && c.account === SOURCE_ACCOUNT);
  expect(touching).toEqual([]);
}

/** The source account holds only what it had (and what it was asked to create); nothing is shared. */
function expectSourceClean(s: Setup, kept: string[] = [s.original.id]): void {
  const left = s.fake.snapshotsOf(SOURCE_ACCOUNT);
  expect(left.map((x) => x.id).sort()).toEqual([...kept].sort());
  expect(left.filter((x) => x.sharedWith.size > 0)).toEqual([]);
}

describe('SnapshotShareSource and SnapshotShareTarget, run offline', () => {
  test.each(['EBS', 'RDS_DB', 'AURORA_CLUSTER'] as SnapshotKind[])('%s: happy path, the original under the AWS managed key is re-encrypted, shared, copied under the target key, restored, then unshared and deleted', async (kind) => {
    // GIVEN a snapshot under aws/ebs or aws/rds (which cannot be shared)
    const world = worlds[kind];
    const s = setup(world, kind);

    // WHEN
    const run = await runShare(world, s.fake, { snapshotId: s.original.id });

    // THEN both sides succeeded
    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.targets.map((t) => t.status)).toEqual(['SUCCEEDED']);
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['CopySnapshot', 'Share', 'TellTarget', 'Unshare', 'DeleteCopy', 'Shared']));
    // the intermediate copy was under the shareable key and shared with the target only
    const copyCall = s.fake.calls.find((c) => c.account === SOURCE_ACCOUNT && /copy/.test(c.operation))!;
    expect(copyCall.input).toMatchObject({ KmsKeyId: world.sourceKeyArn });
    const shareCall = s.fake.calls.find((c) => c.account === SOURCE_ACCOUNT && /modify/.test(c.operation))!;
    expect(JSON.stringify(shareCall.input)).toContain(TARGET_ACCOUNT);
    // the target holds one copy under its own key, tagged, and what it restored from it
    const copies = s.fake.snapshotsOf(TARGET_ACCOUNT, kind);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ kmsKeyId: world.targetKeyArn, state: 'available' });
    expect(copies[0].tags).toMatchObject({ 'cdk-kms-patterns:snapshot-workflow': expect.stringContaining('Receive') });
    expect(s.fake.restored).toEqual([expect.objectContaining({ account: TARGET_ACCOUNT, from: copies[0].id, kmsKeyId: world.targetKeyArn })]);
    expect(s.fake.restored[0].tags).toMatchObject({ 'cdk-kms-patterns:restored-from': copies[0].id });
    // the source holds only the original, untouched; the confirmation carried the target's copy
    expectSourceClean(s);
    expectOriginalUntouched(s);
    expect(JSON.stringify(run.source.output)).toContain(copies[0].id);
  });

  test('an original still being created is waited for with capped exponential backoff (completion events off)', async () => {
    const s = setup(pollingEbs, 'EBS', { pollsLeft: 8 });

    const run = await runShare(pollingEbs, s.fake, { snapshotId: s.original.id });

    expect(run.source.status).toBe('SUCCEEDED');
    const waits = run.source.events.flatMap((e) => (e.type === 'StateEntered' && e.state.name === 'OriginalWait' ? [(e.state.input as { poll: { seconds: number } }).poll.seconds] : []));
    // 30 s, doubling, capped at 10 minutes
    expect(waits).toEqual([30, 60, 120, 240, 480, 600, 600, 600]);
    expectSourceClean(s);
    expectOriginalUntouched(s);
  });

  test('an original already under the shareable key is still copied: the original is never shared', async () => {
    const s = setup(plainEbs, 'EBS', { originalKey: 'share-key' });
    const run = await runShare(plainEbs, s.fake, { snapshotId: s.original.id });
    expect(run.source.status).toBe('SUCCEEDED');
    expectOriginalUntouched(s);
    expectSourceClean(s);
  });

  test('createFrom: the workflow snapshots the volume first and keeps that snapshot', async () => {
    const world = worlds.EBS;
    const fake = new FakeAws();
    fake.addKey(world.sourceKeyArn, { sharedWith: [TARGET_ACCOUNT] });
    fake.addKey(world.targetKeyArn);

    const run = await runShare(world, fake, { createFrom: 'vol-0123456789abcdef0' });

    expect(run.source.status).toBe('SUCCEEDED');
    const left = fake.snapshotsOf(SOURCE_ACCOUNT);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ origin: 'created from vol-0123456789abcdef0', changes: [] });
    expect(left[0].tags).toMatchObject({ 'cdk-kms-patterns:snapshot-created-by': 'SourceEBS/Share' });
    expect(fake.snapshotsOf(TARGET_ACCOUNT)).toHaveLength(1);
  });

  test('throttling is retried (with jitter) and the share succeeds', async () => {
    const s = setup(plainEbs, 'EBS', { behaviour: { throttle: { 'ec2:copySnapshot': 2, 'ec2:modifySnapshotAttribute': 1 } } });

    const run = await runShare(plainEbs, s.fake, { snapshotId: s.original.id });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.source.retries).toEqual([
      { state: 'CopySnapshot', attempt: 1, error: 'Ec2.Ec2Exception' },
      { state: 'CopySnapshot', attempt: 2, error: 'Ec2.Ec2Exception' },
      { state: 'Share', attempt: 1, error: 'Ec2.Ec2Exception' },
    ]);
    expectSourceClean(s);
  });

  test('the copy quota is retried, and a copy that keeps failing fails the workflow with a notification and nothing left', async () => {
    const s = setup(worlds.RDS_DB, 'RDS_DB', { behaviour: { failWith: { 'rds:copyDBSnapshot': 'Rds.SnapshotQuotaExceededException' } } });

    const run = await runShare(worlds.RDS_DB, s.fake, { snapshotId: s.original.id });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'Rds.SnapshotQuotaExceededException' });
    expect(run.source.retries.filter((r) => r.state === 'CopySnapshot')).toHaveLength(10);
    expect(s.fake.published).toEqual([expect.objectContaining({ account: SOURCE_ACCOUNT, message: expect.objectContaining({ Message: expect.objectContaining({ error: 'Rds.SnapshotQuotaExceededException' }) }) })]);
    expect(run.targets).toEqual([]);
    expectSourceClean(s);
    expectOriginalUntouched(s);
  });

  test.each(['EBS', 'AURORA_CLUSTER'] as SnapshotKind[])('%s: a copy that fails (state error) is deleted and the failure names it', async (kind) => {
    const world = kind === 'EBS' ? pollingEbs : worlds.AURORA_CLUSTER;
    const s = setup(world, kind, { behaviour: { copiesFail: true } });

    const run = await runShare(world, s.fake, { snapshotId: s.original.id });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'SnapshotFailed' });
    expect(run.source.cause).toMatch(/^the copy \(.*\) .* is in state (error|failed)$/);
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['CleanupUnshare', 'CleanupDeleteCopy', 'NotifyFailure']));
    expect(run.targets).toEqual([]);
    expectSourceClean(s);
    expectOriginalUntouched(s);
  });

  test('share limit exceeded: the copy is unshared and deleted, the failure says why', async () => {
    const s = setup(worlds.RDS_DB, 'RDS_DB', { behaviour: { failWith: { 'rds:modifyDBSnapshotAttribute': 'Rds.SharedSnapshotQuotaExceededException' } } });

    const run = await runShare(worlds.RDS_DB, s.fake, { snapshotId: s.original.id });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'Rds.SharedSnapshotQuotaExceededException' });
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['Share', 'CleanupUnshare', 'CleanupDeleteCopy', 'NotifyFailure', 'Failed']));
    expectSourceClean(s);
    expectOriginalUntouched(s);
  });

  test("the target's key is not usable: the target confirms the failure, the source cleans up", async () => {
    const s = setup(plainEbs, 'EBS', { targetKeyEnabled: false });

    const run = await runShare(plainEbs, s.fake, { snapshotId: s.original.id });

    expect(run.targets.map((t) => t.status)).toEqual(['FAILED']);
    expect(run.targets[0].visitedStates).toEqual(expect.arrayContaining(['CopySnapshot', 'ConfirmFailure', 'NotifyFailure', 'Failed']));
    expect(run.source).toMatchObject({ status: 'FAILED', error: 'TargetCopyFailed' });
    expect(run.source.cause).toMatch(/account 222222222222: .*cannot be used/);
    expect(s.fake.snapshotsOf(TARGET_ACCOUNT)).toEqual([]);
    expect(s.fake.published.map((p) => p.account).sort()).toEqual([SOURCE_ACCOUNT, TARGET_ACCOUNT]);
    expectSourceClean(s);
    expectOriginalUntouched(s);
  });

  test('the target never confirms: after the confirmation timeout the source unshares and deletes its copy', async () => {
    const s = setup(plainEbs, 'EBS');

    const run = await runShare(plainEbs, s.fake, { snapshotId: s.original.id }, {
      tellTarget: () => {
        throw taskError('States.Timeout', 'no confirmation within 86400 seconds');
      },
    });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['CleanupUnshare', 'CleanupDeleteCopy', 'Failed']));
    expect(plainEbs.sourceDefinition.States.TellTargets).toMatchObject({ ItemProcessor: { States: { TellTarget: { TimeoutSeconds: 86400 } } } });
    expectSourceClean(s);
    expectOriginalUntouched(s);
  });

  test('overall timeout: a snapshot that stays pending fails after the snapshot timeout (12 h of waits, completion events off)', async () => {
    const s = setup(pollingEbs, 'EBS', { pollsLeft: 1_000_000 });

    const run = await runShare(pollingEbs, s.fake, { snapshotId: s.original.id });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'SnapshotWaitTimeout' });
    expect(run.source.cause).toBe(`${s.original.id} was not available after 12 hours`.replace(/^/, 'EBS snapshot '));
    const describes = run.source.taskCalls.filter((c) => c.state === 'OriginalDescribe').length;
    // 30+60+120+240+480 = 930 s, then 10 min polls until 43200 s: 5 + 71 waits
    expect(describes).toBe(77);
    expect(s.fake.snapshotsOf(SOURCE_ACCOUNT)).toEqual([s.original]);
  });

  test('a missing or unencrypted snapshot fails cleanly with a message, and nothing is created', async () => {
    const missing = setup(plainEbs, 'EBS');
    const run = await runShare(plainEbs, missing.fake, { snapshotId: 'snap-0000000000000dead' });
    expect(run.source).toMatchObject({ status: 'FAILED', error: 'SnapshotNotFound', cause: 'EBS snapshot snap-0000000000000dead does not exist (or is not visible to this account)' });

    const rds = setup(worlds.RDS_DB, 'RDS_DB');
    const rdsRun = await runShare(worlds.RDS_DB, rds.fake, { snapshotId: 'nope' });
    expect(rdsRun.source).toMatchObject({ status: 'FAILED', error: 'SnapshotNotFound' });

    const plain = setup(plainEbs, 'EBS', { originalKey: 'none' });
    const plainRun = await runShare(plainEbs, plain.fake, { snapshotId: plain.original.id });
    expect(plainRun.source).toMatchObject({ status: 'FAILED', error: 'SnapshotNotEncrypted' });
    expectSourceClean(plain);

    const neither = await runShare(plainEbs, setup(plainEbs, 'EBS').fake, { volume: 'x' });
    expect(neither.source).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
  });

  test.each(['EBS', 'RDS_DB'] as SnapshotKind[])('%s: a second run for the same snapshot reuses the copy a failed first run left, and makes no other', async (kind) => {
    // GIVEN a first run whose cleanup could not delete its copy
    const world = kind === 'EBS' ? plainEbs : worlds.RDS_DB;
    const s = setup(world, kind, { behaviour: { failWith: { [kind === 'EBS' ? 'ec2:deleteSnapshot' : 'rds:deleteDBSnapshot']: kind === 'EBS' ? 'Ec2.Ec2Exception' : 'Rds.InvalidDbSnapshotStateException' } } });
    const first = await runShare(world, s.fake, { snapshotId: s.original.id });
    expect(first.source.status).toBe('FAILED');
    const leftOver = s.fake.snapshotsOf(SOURCE_ACCOUNT).filter((x) => x !== s.original);
    expect(leftOver).toHaveLength(1);

    // WHEN the same snapshot is shared again (the delete works now)
    s.fake.behaviour.failWith = {};
    const second = await runShare(world, s.fake, { snapshotId: s.original.id });

    // THEN no second copy was made on either side; the left-over copy was the one shared and deleted
    expect(second.source.status).toBe('SUCCEEDED');
    const copies = s.fake.calls.filter((c) => c.account === SOURCE_ACCOUNT && /:copy/.test(c.operation));
    expect(copies.length).toBe(kind === 'EBS' ? 1 : 2); // RDS: the second copy call is answered "already exists"
    expect(second.source.visitedStates).toContain(kind === 'EBS' ? 'ReuseCopy' : 'CopyExists');
    expect(s.fake.snapshotsOf(TARGET_ACCOUNT, kind)).toHaveLength(1);
    expectSourceClean(s);
    expectOriginalUntouched(s);
  });

  test('the target run twice for the same share makes one copy', async () => {
    const s = setup(plainEbs, 'EBS');
    const share = {
      'detail-type': 'Snapshot Shared',
      'source': 'cdk-kms-patterns.snapshot-share',
      'account': SOURCE_ACCOUNT,
      'detail': { snapshotType: 'EBS', snapshotId: s.original.id, snapshotArn: 'n/a', sourceAccount: SOURCE_ACCOUNT, targetAccount: TARGET_ACCOUNT, taskToken: 't' },
    };
    s.original.sharedWith.add(TARGET_ACCOUNT);
    s.fake.keys.get(s.original.kmsKeyId!)!.sharedWith.add(TARGET_ACCOUNT);
    // an AWS managed key cannot be used by another account, so the fake refuses: use the shareable key
    Object.assign(s.original, { kmsKeyId: plainEbs.sourceKeyArn });
    for (let i = 0; i < 2; i++) {
      const taskHandlers = s.fake.handlers(plainEbs.targetDefinition, TARGET_ACCOUNT);
      const run = await runStateMachine(plainEbs.targetDefinition, { input: share, taskHandlers, context: CONTEXT });
      expect(run.status).toBe('SUCCEEDED');
    }
    expect(s.fake.snapshotsOf(TARGET_ACCOUNT)).toHaveLength(1);
    expect(s.fake.events.filter((e) => e.account === TARGET_ACCOUNT)).toHaveLength(2);
  });

  test('the target refuses an event for another snapshot type before calling anything', async () => {
    const fake = new FakeAws();
    const run = await runStateMachine(plainEbs.targetDefinition, {
      input: { detail: { snapshotType: 'RDS_DB', snapshotId: 'x', taskToken: 't', sourceAccount: SOURCE_ACCOUNT } },
      taskHandlers: fake.handlers(plainEbs.targetDefinition, TARGET_ACCOUNT),
      context: CONTEXT,
    });
    expect(run).toMatchObject({ status: 'FAILED', error: 'InvalidShareEvent' });
    expect(run.visitedStates).toEqual(['ShareOfThisType?', 'NotThisType', 'NotifyFailure', 'Failed']);
    expect(fake.calls).toEqual([]);
  });

  test('the confirmation handler turns COPIED into SendTaskSuccess and anything else into SendTaskFailure', async () => {
    const calls: Array<{ state: string; input: unknown }> = [];
    const handlers = { ConfirmSuccess: (i: unknown) => (calls.push({ state: 'ok', input: i }), {}), ConfirmFailure: (i: unknown) => (calls.push({ state: 'ko', input: i }), {}) };
    await runStateMachine(plainEbs.confirmationDefinition, { input: { account: TARGET_ACCOUNT, detail: { status: 'COPIED', taskToken: 'tok' } }, taskHandlers: handlers as never });
    await runStateMachine(plainEbs.confirmationDefinition, { input: { account: TARGET_ACCOUNT, detail: { status: 'FAILED', taskToken: 'tok', cause: 'key disabled' } }, taskHandlers: handlers as never });
    expect(calls).toEqual([
      { state: 'ok', input: { TaskToken: 'tok', Output: JSON.stringify({ status: 'COPIED', taskToken: 'tok' }) } },
      { state: 'ko', input: { TaskToken: 'tok', Error: 'TargetCopyFailed', Cause: 'account 222222222222: key disabled' } },
    ]);
  });
});
