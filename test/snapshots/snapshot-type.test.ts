import { ShareTarget, SnapshotType } from '../../src/snapshots/snapshot-type';

describe('SnapshotType and ShareTarget', () => {
  test('the types and their share limits', () => {
    const types = [SnapshotType.EBS, SnapshotType.RDS_DB, SnapshotType.AURORA_CLUSTER, SnapshotType.REDSHIFT_CLUSTER];
    expect(types.map((t) => [t.name, t.maxShareAccounts])).toEqual([
      ['EBS', 500], ['RDS_DB', 20], ['AURORA_CLUSTER', 20], ['REDSHIFT_CLUSTER', 20],
    ]);
  });

  test('ShareTarget.account checks the id', () => {
    expect(ShareTarget.account('222222222222').accountId).toBe('222222222222');
    expect(() => ShareTarget.account('22222222222x')).toThrow("ShareTarget.account accountId must be a 12-digit AWS account id, got '22222222222x'");
  });
});
