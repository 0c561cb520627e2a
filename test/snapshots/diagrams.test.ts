import * as fs from 'fs';
import * as path from 'path';
import { DIAGRAM_DIR, renderAll } from '../../scripts/render-diagrams';

describe('workflow diagrams', () => {
  test('the committed diagrams are rendered from the current definitions', () => {
    const files = renderAll();
    expect(Object.keys(files).sort()).toEqual(['snapshot-share-confirmation.mmd', 'snapshot-share-source-ebs.mmd', 'snapshot-share-source-rds.mmd',
      'snapshot-share-source-redshift.mmd', 'snapshot-share-target-ebs.mmd', 'snapshot-share-target-rds-cross-region.mmd', 'snapshot-share-target-redshift.mmd']);
    // Redshift: authorized, told and revoked per account; the target restores, never copies
    expect(files['snapshot-share-source-redshift.mmd']).toMatch(/authorizeSnapshotAccess/);
    expect(files['snapshot-share-source-redshift.mmd']).not.toMatch(/copyClusterSnapshot|deleteClusterSnapshot/);
    expect(files['snapshot-share-target-redshift.mmd']).toMatch(/restoreFromClusterSnapshot/);
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
