/**
 * Offline executions of the Redshift share workflows, both sides, against the in-memory accounts of
 * `fake-aws.ts` (Redshift snapshots, shares, clusters): every scenario ends in a defined state, and
 * afterwards the source still holds its snapshot (never deleted), shared with nobody the workflow
 * added, and the target holds only the cluster it restored under its own key.
 */
import { FakeAws, FakeBehaviour, FakeSnapshot } from './fake-aws';
import { CONTEXT, runShare } from './share-run';
import { ShareWorld, shareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from './share-world';
import { ShareTarget, SnapshotType } from '../../src/snapshots/snapshot-type';
import { JsonValue, runStateMachine, taskError } from '../harness/state-machine';

const RESTORE = { nodeType: 'ra3.xlplus', numberOfNodes: 2, clusterSubnetGroupName: 'private-dw', vpcSecurityGroupIds: ['sg-0123456789abcdef0'] };
const world = shareWorld(SnapshotType.REDSHIFT_CLUSTER, { source: { createFrom: ['orders-dw'] }, target: { restore: RESTORE } });
const OTHER_TARGET = '333333333333';
const twoTargets = shareWorld(SnapshotType.REDSHIFT_CLUSTER, {
  source: { targets: [ShareTarget.account(TARGET_ACCOUNT), ShareTarget.account(OTHER_TARGET)] },
  target: { restore: RESTORE },
});
const SNAPSHOT = 'orders-dw-manual-1';
const MADE_BY = 'cdk-kms-patterns:snapshot-workflow';

interface Setup {
  readonly fake: FakeAws;
  readonly original: FakeSnapshot;
}

/** A source account with an encrypted cluster and one manual snapshot of it (under the shareable key unless said). */
function setup(w: ShareWorld, options: {
  behaviour?: FakeBehaviour; key?: 'share-key' | 'other-cmk' | 'aws-managed' | 'none'; pollsLeft?: number; targetKeyEnabled?: boolean; automated?: boolean;
} = {}): Setup {
  const fake = new FakeAws(options.behaviour);
  fake.addKey(w.sourceKeyArn, { sharedWith: [TARGET_ACCOUNT, OTHER_TARGET] });
  fake.addKey(w.targetKeyArn, { enabled: options.targetKeyEnabled ?? true });
  const other = fake.addKey(`arn:aws:kms:eu-west-1:${SOURCE_ACCOUNT}:key/other-cmk`);
  const key = options.key ?? 'share-key';
  const kmsKeyId = key === 'none' ? undefined : key === 'share-key' ? w.sourceKeyArn : key === 'other-cmk' ? other.arn : fake.awsManagedKey(SOURCE_ACCOUNT, 'redshift').arn;
  fake.addRedshiftCluster('orders-dw', SOURCE_ACCOUNT, w.sourceKeyArn);
  const original = fake.addSnapshot({ id: SNAPSHOT, kind: 'REDSHIFT_CLUSTER', account: SOURCE_ACCOUNT, kmsKeyId, pollsLeft: options.pollsLeft });
  Object.assign(original, { clusterIdentifier: 'orders-dw', snapshotType: options.automated ? 'automated' : 'manual' });
  return { fake, original };
}

/** The snapshot is still there and shared with nobody; the workflow deleted nothing. */
function expectSnapshotKeptUnshared(s: Setup): void {
  expect(s.fake.snapshots.get(s.fake.keyOf(SOURCE_ACCOUNT, 'REDSHIFT_CLUSTER', s.original.id))).toBe(s.original);
  expect([...s.original.sharedWith]).toEqual([]);
  expect(s.fake.calls.filter((c) => /delete/i.test(c.operation))).toEqual([]);
}

describe('Redshift share, run offline', () => {
  test('a snapshot of the same name shared with the source by another account is never taken for its own: the describe names this account', async () => {
    const s = setup(world);
    const stranger = s.fake.addSnapshot({ id: SNAPSHOT, kind: 'REDSHIFT_CLUSTER', account: '444444444444', kmsKeyId: world.sourceKeyArn });
    Object.assign(stranger, { clusterIdentifier: 'their-dw' });
    stranger.sharedWith.add(SOURCE_ACCOUNT);

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    expect(run.source.status).toBe('SUCCEEDED');
    const describes = s.fake.calls.filter((c) => c.account === SOURCE_ACCOUNT && c.operation === 'redshift:describeClusterSnapshots');
    expect(describes.length).toBeGreaterThan(0);
    for (const d of describes) expect(d.input).toMatchObject({ OwnerAccount: SOURCE_ACCOUNT });
    // the ARN shared with the target is this account's snapshot of its own cluster
    expect(JSON.stringify(run.source.taskCalls)).toContain(`:${SOURCE_ACCOUNT}:snapshot:orders-dw/${SNAPSHOT}`);
    expect(JSON.stringify(run.source.taskCalls)).not.toContain('their-dw');
    expect(s.original.changes).toEqual([`add ${TARGET_ACCOUNT}`, `remove ${TARGET_ACCOUNT}`]);
    expect(stranger.changes).toEqual([]);
  });

  test('happy path: the snapshot under the shareable key is authorized for the target, which restores a cluster under its own key, then the share is revoked', async () => {
    // GIVEN
    const s = setup(world);

    // WHEN
    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    // THEN both sides succeeded
    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.targets.map((t) => t.status)).toEqual(['SUCCEEDED']);
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['OriginalDescribe', 'ManualSnapshot?', 'UnderShareableKey?', 'Authorize', 'TellTarget', 'Revoke', 'Unshared', 'Shared']));
    // the share was one account, added then revoked; nothing was copied
    expect(s.original.changes).toEqual([`add ${TARGET_ACCOUNT}`, `remove ${TARGET_ACCOUNT}`]);
    expect(s.fake.calls.filter((c) => /copy/i.test(c.operation))).toEqual([]);
    // the target restored one cluster from the shared snapshot, under its own key, not public, in the VPC given
    const clusters = [...s.fake.redshiftClusters.values()].filter((c) => c.account === TARGET_ACCOUNT);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toMatchObject({ status: 'available', kmsKeyId: world.targetKeyArn, publiclyAccessible: false, restoredFrom: `${SOURCE_ACCOUNT}:${SNAPSHOT}` });
    expect(clusters[0].id).toMatch(/^share-[0-9a-f]{40}$/);
    expect(clusters[0].request).toMatchObject({
      OwnerAccount: SOURCE_ACCOUNT,
      Encrypted: true,
      PubliclyAccessible: false,
      KmsKeyId: world.targetKeyArn,
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
      ClusterSubnetGroupName: 'private-dw',
      VpcSecurityGroupIds: ['sg-0123456789abcdef0'],
    });
    expect(clusters[0].tags).toEqual({ [MADE_BY]: 'TargetREDSHIFTCLUSTER/Receive', 'cdk-kms-patterns:restored-from': `${SOURCE_ACCOUNT}:${SNAPSHOT}` });
    // the source kept its snapshot (and only it), shared with nobody
    expect(s.fake.snapshotsOf(SOURCE_ACCOUNT).map((x) => x.id)).toEqual([SNAPSHOT]);
    expectSnapshotKeptUnshared(s);
    expect(JSON.stringify(run.source.output)).toContain(clusters[0].id);
  });

  test('createFrom: the workflow snapshots the cluster first, shares that snapshot and keeps it', async () => {
    const s = setup(world);

    const run = await runShare(world, s.fake, { createFrom: 'orders-dw' });

    expect(run.source.status).toBe('SUCCEEDED');
    const created = s.fake.snapshotsOf(SOURCE_ACCOUNT).filter((x) => x !== s.original);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ origin: 'created from orders-dw', kmsKeyId: world.sourceKeyArn, state: 'available' });
    expect(created[0].id).toMatch(/^snapshot-/);
    expect(created[0].tags).toEqual({ 'cdk-kms-patterns:snapshot-created-by': 'SourceREDSHIFTCLUSTER/Share' });
    expect(created[0].changes).toEqual([`add ${TARGET_ACCOUNT}`, `remove ${TARGET_ACCOUNT}`]);
    expect([...created[0].sharedWith]).toEqual([]);
    expect(s.original.changes).toEqual([]);
  });

  test('a snapshot still being created is waited for with capped exponential backoff', async () => {
    const s = setup(world, { pollsLeft: 4 });
    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });
    expect(run.source.status).toBe('SUCCEEDED');
    const waits = run.source.events.flatMap((e) => (e.type === 'StateEntered' && e.state.name === 'OriginalWait' ? [(e.state.input as { poll: { seconds: number } }).poll.seconds] : []));
    expect(waits).toEqual([30, 60, 120, 240]);
    expectSnapshotKeptUnshared(s);
  });

  test.each([
    ['missing', {}, 'SnapshotNotFound', 'Redshift cluster snapshot nope does not exist (or is not visible to this account)'],
    ['unencrypted', { key: 'none' }, 'SnapshotNotEncrypted', `Redshift cluster snapshot ${SNAPSHOT} is not encrypted: only encrypted snapshots are shared`],
    ['under another customer managed key', { key: 'other-cmk' }, 'SnapshotNotUnderShareableKey', /is encrypted with arn:aws:kms:eu-west-1:111111111111:key\/other-cmk, not with the shareable key: Redshift cannot re-encrypt a snapshot/],
    ['under the AWS managed key', { key: 'aws-managed' }, 'SnapshotNotUnderShareableKey', /aws-managed-redshift, not with the shareable key/],
    ['automated', { automated: true }, 'SnapshotNotManual', `Redshift cluster snapshot ${SNAPSHOT} is an automated snapshot (automated): only manual snapshots can be shared; copy it to a manual snapshot first (CopyClusterSnapshot) or name createFrom`],
  ] as Array<[string, Parameters<typeof setup>[1], string, string | RegExp]>)('a snapshot that is %s fails cleanly with a message, before anything is shared', async (what, options, error, cause) => {
    const s = setup(world, options);

    const run = await runShare(world, s.fake, { snapshotId: what === 'missing' ? 'nope' : SNAPSHOT });

    expect(run.source).toMatchObject({ status: 'FAILED', error });
    expect(run.source.cause).toEqual(typeof cause === 'string' ? cause : expect.stringMatching(cause));
    expect(s.fake.calls.filter((c) => /authorize|revoke|restore/i.test(c.operation))).toEqual([]);
    expect(s.fake.published).toEqual([expect.objectContaining({ account: SOURCE_ACCOUNT })]);
    expect(run.targets).toEqual([]);
    expect(s.original.changes).toEqual([]);
  });

  test('a snapshot whose key Redshift reports by key id (not ARN) is recognised as under the shareable key', async () => {
    const s = setup(world);
    const keyId = world.sourceKeyArn.split('/').pop()!;
    Object.assign(s.original, { kmsKeyId: keyId });

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT }, { tellTarget: () => ({ status: 'COPIED' }) });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(s.original.changes).toEqual([`add ${TARGET_ACCOUNT}`, `remove ${TARGET_ACCOUNT}`]);
  });

  test('invalid input fails before any call', async () => {
    const s = setup(world);
    const run = await runShare(world, s.fake, { cluster: 'orders-dw' });
    expect(run.source).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
    expect(s.fake.calls).toEqual([]);
  });

  test('throttling is retried (with jitter) on both sides and the share succeeds', async () => {
    const s = setup(world, { behaviour: { throttle: { 'redshift:authorizeSnapshotAccess': 2, 'redshift:restoreFromClusterSnapshot': 1, 'redshift:revokeSnapshotAccess': 1 } } });

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.source.retries).toEqual([
      { state: 'Authorize', attempt: 1, error: 'Redshift.RedshiftException' },
      { state: 'Authorize', attempt: 2, error: 'Redshift.RedshiftException' },
      { state: 'Revoke', attempt: 1, error: 'Redshift.RedshiftException' },
    ]);
    expect(run.targets[0].retries).toEqual([{ state: 'Restore', attempt: 1, error: 'Redshift.RedshiftException' }]);
    expectSnapshotKeptUnshared(s);
  });

  test('share limit: a snapshot shared with 20 accounts already fails with the quota error; the earlier shares are not the workflow\'s to revoke', async () => {
    const s = setup(world);
    const earlier = Array.from({ length: 20 }, (_, i) => String(400000000000 + i));
    earlier.forEach((a) => s.original.sharedWith.add(a));

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'Redshift.AuthorizationQuotaExceededException', cause: 'at most 20 accounts a snapshot' });
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['Authorize', 'ShareNotMade', 'ReportFailedShares', 'ShareOfAccountFailed', 'NotifyFailure', 'Failed']));
    expect(run.targets).toEqual([]);
    expect([...s.original.sharedWith].sort()).toEqual(earlier);
    expect(s.original.changes).toEqual([]);
  });

  test('an account that could restore the snapshot before keeps that access (the workflow revokes only what it granted)', async () => {
    const s = setup(world);
    s.original.sharedWith.add(TARGET_ACCOUNT);

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['AlreadyAuthorized', 'KeptEarlierShare']));
    expect(run.source.visitedStates).not.toContain('Revoke');
    expect([...s.original.sharedWith]).toEqual([TARGET_ACCOUNT]);
    expect(s.original.changes).toEqual([]);
    expect(s.fake.redshiftClusters.size).toBe(2);
  });

  test('the restore fails (cluster ends in incompatible-restore): the target confirms the failure, the source revokes and fails with it', async () => {
    const s = setup(world, { behaviour: { restoresFail: true } });

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    expect(run.targets.map((t) => t.status)).toEqual(['FAILED']);
    expect(run.targets[0]).toMatchObject({ error: 'SnapshotFailed' });
    expect(run.targets[0].cause).toMatch(/^the restored Redshift cluster share-[0-9a-f]{40} is in state incompatible-restore$/);
    expect(run.targets[0].visitedStates).toEqual(expect.arrayContaining(['Restore', 'TagCluster', 'ClusterDescribe', 'ConfirmFailure', 'NotifyFailure']));
    expect(run.source).toMatchObject({ status: 'FAILED', error: 'TargetCopyFailed' });
    expect(run.source.cause).toMatch(/account 222222222222: the restored Redshift cluster .* is in state incompatible-restore/);
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['RevokeAfterFailure?', 'RevokeAfterFailure', 'TargetFailed']));
    expect(s.fake.published.map((p) => p.account).sort()).toEqual([SOURCE_ACCOUNT, TARGET_ACCOUNT]);
    expectSnapshotKeptUnshared(s);
  });

  test("the target's key is not usable: the restore is refused, confirmed as failed, and the source revokes", async () => {
    const s = setup(world, { targetKeyEnabled: false });

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    expect(run.targets[0]).toMatchObject({ status: 'FAILED', error: 'Redshift.InvalidRestoreException' });
    expect(run.source).toMatchObject({ status: 'FAILED', error: 'TargetCopyFailed' });
    expect(run.source.cause).toMatch(/account 222222222222: key .* cannot be used/);
    expect([...s.fake.redshiftClusters.values()].filter((c) => c.account === TARGET_ACCOUNT)).toEqual([]);
    expectSnapshotKeptUnshared(s);
  });

  test('the target never confirms: after the confirmation timeout the share is revoked and the execution fails', async () => {
    const s = setup(world);

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT }, {
      tellTarget: () => {
        throw taskError('States.Timeout', 'no confirmation within 86400 seconds');
      },
    });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(run.source.visitedStates).toEqual(expect.arrayContaining(['RevokeAfterFailure', 'TargetFailed', 'ShareOfAccountFailed', 'Failed']));
    expect(world.sourceDefinition.States.ShareWithTargets).toMatchObject({ ItemProcessor: { States: { TellTarget: { TimeoutSeconds: 86400 } } } });
    expectSnapshotKeptUnshared(s);
  });

  test('a revoke that keeps failing is reported as such (the share is left, and the message says to revoke it by hand)', async () => {
    const s = setup(world, { behaviour: { failWith: { 'redshift:revokeSnapshotAccess': 'Redshift.UnsupportedOperationException' } } });

    const run = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    expect(run.source).toMatchObject({ status: 'FAILED', error: 'RevokeFailed' });
    expect(run.source.cause).toBe(`the share of ${SNAPSHOT} with account ${TARGET_ACCOUNT} could not be revoked (revoke it by hand): redshift:revokeSnapshotAccess failed (Redshift.UnsupportedOperationException)`);
    expect([...s.original.sharedWith]).toEqual([TARGET_ACCOUNT]);
  });

  test('two targets, one fails: the other is still served and both shares are revoked; the execution fails with the failed account', async () => {
    const s = setup(twoTargets);
    const told: string[] = [];

    const run = await runShare(twoTargets, s.fake, { snapshotId: SNAPSHOT }, {
      tellTarget: (params) => {
        const detail = (params as { Entries: Array<{ Detail: Record<string, JsonValue> }> }).Entries[0].Detail;
        told.push(String(detail.targetAccount));
        expect(s.original.sharedWith.has(String(detail.targetAccount))).toBe(true);
        if (detail.targetAccount === OTHER_TARGET) throw taskError('TargetCopyFailed', `account ${OTHER_TARGET}: subnet group not found`);
        return { status: 'COPIED', restored: { id: 'share-x' } };
      },
    });

    expect(told.sort()).toEqual([TARGET_ACCOUNT, OTHER_TARGET]);
    expect(run.source).toMatchObject({ status: 'FAILED', error: 'TargetCopyFailed', cause: `account ${OTHER_TARGET}: subnet group not found` });
    expect(s.original.changes.sort()).toEqual([`add ${TARGET_ACCOUNT}`, `add ${OTHER_TARGET}`, `remove ${TARGET_ACCOUNT}`, `remove ${OTHER_TARGET}`]);
    expectSnapshotKeptUnshared(s);
  });

  test('a second run for the same snapshot shares it again and the target finds the cluster it restored before (one cluster)', async () => {
    const s = setup(world);
    const first = await runShare(world, s.fake, { snapshotId: SNAPSHOT });
    expect(first.source.status).toBe('SUCCEEDED');

    const second = await runShare(world, s.fake, { snapshotId: SNAPSHOT });

    expect(second.source.status).toBe('SUCCEEDED');
    expect(second.targets[0].visitedStates).toContain('RestoredBefore');
    expect([...s.fake.redshiftClusters.values()].filter((c) => c.account === TARGET_ACCOUNT)).toHaveLength(1);
    expect(s.fake.calls.filter((c) => c.operation === 'redshift:restoreFromClusterSnapshot')).toHaveLength(2);
    expect(s.original.changes).toEqual([`add ${TARGET_ACCOUNT}`, `remove ${TARGET_ACCOUNT}`, `add ${TARGET_ACCOUNT}`, `remove ${TARGET_ACCOUNT}`]);
    expectSnapshotKeptUnshared(s);
  });

  test('the target refuses an event for another snapshot type before calling anything', async () => {
    const fake = new FakeAws();
    const run = await runStateMachine(world.targetDefinition, {
      input: { detail: { snapshotType: 'RDS_DB', snapshotId: 'x', taskToken: 't', sourceAccount: SOURCE_ACCOUNT } },
      taskHandlers: fake.handlers(world.targetDefinition, TARGET_ACCOUNT),
      context: CONTEXT,
    });
    expect(run).toMatchObject({ status: 'FAILED', error: 'InvalidShareEvent' });
    expect(fake.calls).toEqual([]);
  });

  test('the target fails cleanly when the shared snapshot is not visible (the share was revoked)', async () => {
    const s = setup(world);
    const run = await runStateMachine(world.targetDefinition, {
      input: { detail: { snapshotType: 'REDSHIFT_CLUSTER', snapshotId: SNAPSHOT, snapshotArn: 'n/a', taskToken: 't', sourceAccount: SOURCE_ACCOUNT } },
      taskHandlers: s.fake.handlers(world.targetDefinition, TARGET_ACCOUNT),
      context: CONTEXT,
    });
    expect(run).toMatchObject({ status: 'FAILED', error: 'SnapshotNotFound', cause: `the shared Redshift cluster snapshot ${SNAPSHOT} does not exist (or is not visible to this account)` });
    expect(s.fake.events.filter((e) => e.account === TARGET_ACCOUNT)).toHaveLength(1);
    expect(s.fake.redshiftClusters.size).toBe(1);
  });
});
