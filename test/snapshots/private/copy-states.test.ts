import { SnapshotType } from '../../../src/snapshots/snapshot-type';
import { shareWorld } from '../share-world';

test('named copies get a deterministic name from the source and the workflow; EBS copies are found by their tags', () => {
  const rds = shareWorld(SnapshotType.RDS_DB);
  expect(rds.sourceDefinition.States.NameCopy).toMatchObject({
    Parameters: { 'name.$': "States.Format('share-{}', States.Hash(States.Format('{}|SourceRDSDB/Share', $.snapshotId), 'SHA-1'))" },
  });
  expect(rds.sourceDefinition.States.CopySnapshot).toMatchObject({ Catch: expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['Rds.DbSnapshotAlreadyExistsException'], Next: 'CopyExists' })]) });
  const ebs = shareWorld(SnapshotType.EBS);
  expect(JSON.stringify(ebs.sourceDefinition.States.FindCopy)).toContain('tag:cdk-kms-patterns:copy-of');
});
