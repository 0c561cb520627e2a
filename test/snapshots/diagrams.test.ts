import * as fs from 'fs';
import * as path from 'path';
import { DIAGRAM_DIR, renderAll } from '../../scripts/render-diagrams';

describe('workflow diagrams', () => {
  test('the committed diagrams are rendered from the current definitions', () => {
    const files = renderAll();
    // every workflow state machine has a diagram: share source and target (EBS, RDS, Redshift), the
    // confirmation handler, the Region copy and the completion-event callback
    expect(Object.keys(files).sort()).toEqual(['snapshot-completion-callback.mmd', 'snapshot-region-copy-schedule.mmd', 'snapshot-region-copy.mmd',
      'snapshot-share-confirmation.mmd', 'snapshot-share-redshift-copy-sweep.mmd', 'snapshot-share-source-ebs.mmd', 'snapshot-share-source-rds.mmd',
      'snapshot-share-source-redshift-copies.mmd', 'snapshot-share-source-redshift.mmd', 'snapshot-share-target-ebs.mmd',
      'snapshot-share-target-rds-cross-region.mmd', 'snapshot-share-target-redshift.mmd']);
    // the Region copy: every copy's failure reaches the failure notification
    expect(files['snapshot-region-copy.mmd']).toMatch(/CopyEbsSnapshot -\.->\|States\.ALL\| NotifyFailure/);
    // the callback: finds the waiters, takes each token once, resumes with success or failure
    expect(files['snapshot-completion-callback.mmd']).toMatch(/FindWaiters<br\/><small>dynamodb:query<\/small>/);
    expect(files['snapshot-completion-callback.mmd']).toMatch(/ResumeEach \(Map over \$\.waiting\.items\)/);
    expect(files['snapshot-completion-callback.mmd']).toMatch(/TakeToken<br\/><small>dynamodb:deleteItem<\/small>/);
    expect(files['snapshot-completion-callback.mmd']).toMatch(/sfn:sendTaskSuccess/);
    expect(files['snapshot-completion-callback.mmd']).toMatch(/sfn:sendTaskFailure/);
    // Redshift: authorized, told and revoked per account; the target restores, never copies
    expect(files['snapshot-share-source-redshift.mmd']).toMatch(/authorizeSnapshotAccess/);
    expect(files['snapshot-share-source-redshift.mmd']).not.toMatch(/copyClusterSnapshot|deleteClusterSnapshot/);
    expect(files['snapshot-share-target-redshift.mmd']).toMatch(/restoreFromClusterSnapshot/);
    // The schedule reads each kind of source, requests once (PutEvents) and remembers (SSM); the sweep starts shares.
    expect(files['snapshot-region-copy-schedule.mmd']).toMatch(/ec2:describeSnapshots[\s\S]*rds:describeDBSnapshots|rds:describeDBSnapshots[\s\S]*ec2:describeSnapshots/);
    expect(files['snapshot-region-copy-schedule.mmd']).toMatch(/eventbridge:putEvents/);
    expect(files['snapshot-region-copy-schedule.mmd']).toMatch(/ssm:putParameter/);
    expect(files['snapshot-share-redshift-copy-sweep.mmd']).toMatch(/sfn:startExecution/);
    expect(files['snapshot-share-source-redshift-copies.mmd']).toMatch(/redshift:copyClusterSnapshot/);
    expect(files['snapshot-share-source-redshift-copies.mmd']).not.toMatch(/deleteClusterSnapshot/);
    for (const [file, content] of Object.entries(files)) {
      expect(`${file}\n${fs.readFileSync(path.join(DIAGRAM_DIR, file), 'utf8')}`).toEqual(`${file}\n${content}`);
    }
    // every state of the definition is drawn, and the failure path is visible
    expect(files['snapshot-share-source-ebs.mmd']).toMatch(/TellTargets \(Map over \$.targets\)/);
    expect(files['snapshot-share-source-ebs.mmd']).toMatch(/CopySnapshot -\.->\|States\.ALL\| NotifyFailure/);
    // from another Region the shared snapshot is not described first: the share goes straight to the copy
    expect(files['snapshot-share-target-rds-cross-region.mmd']).not.toMatch(/SharedDescribe/);
    expect(files['snapshot-share-target-rds-cross-region.mmd']).toMatch(/ReadShare --> NameCopy/);
  });
});
