import { AURORA_CLUSTER_API, EBS_API, RDS_DB_API, SdkCall, SnapshotApi } from '../../../src/snapshots/private/snapshot-api';
import { sdkTaskErrors } from '../../harness/sdk-models';

const COPY = {
  sourcePath: '$.snapshotId',
  targetNameExpression: '$.name',
  keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/k',
  madeBy: 'S/Share',
  sourceRegion: 'eu-west-1',
  sourceAccounts: ['222222222222'],
  region: 'eu-west-1',
  account: '111111111111',
};

function calls(api: SnapshotApi): Array<[string, SdkCall]> {
  return [
    ['describe', api.describe('$.id')],
    ['describe shared', api.describe('$.id', true)],
    ['copy', api.copy(COPY)],
    ['share', api.modifyShare('$.id', ['222222222222'], 'add', 'S/Share')],
    ['unshare', api.modifyShare('$.id', ['222222222222'], 'remove', 'S/Share')],
    ['delete', api.deleteCopy('$.id', 'S/Share')],
    ['create', api.create('$.resource', '$.name', ['arn:aws:ec2:eu-west-1:111111111111:volume/vol-1'], 'S/Share')],
    ...(api.findCopies ? [['find copies', api.findCopies('$.id', 'S/Share')] as [string, SdkCall]] : []),
  ];
}

describe('snapshot APIs', () => {
  test.each([EBS_API, RDS_DB_API, AURORA_CLUSTER_API].map((a) => [a.name, a] as const))('%s: every call matches botocore\'s model', (_name, api) => {
    for (const [what, call] of calls(api)) {
      const errors = sdkTaskErrors({ state: what, service: call.service, action: call.action, parameters: call.parameters });
      expect({ what, errors }).toEqual({ what, errors: [] });
      // the IAM action is the API's name, and the resources are named (describe EBS is the only '*')
      expect(call.iamAction.toLowerCase()).toBe(`${call.service}:${call.action}`.toLowerCase());
      if (!(api.name === 'EBS' && call.action === 'describeSnapshots')) expect(call.iamResources).not.toContain('*');
    }
  });

  test('sharing and deleting are scoped to the workflow\'s own snapshots', () => {
    expect(EBS_API.deleteCopy('$.id', 'S/Share').conditions).toEqual({ StringEquals: { 'aws:ResourceTag/cdk-kms-patterns:snapshot-workflow': 'S/Share' } });
    expect(EBS_API.modifyShare('$.id', ['222222222222'], 'add', 'S/Share').conditions).toEqual({ StringEquals: { 'aws:ResourceTag/cdk-kms-patterns:snapshot-workflow': 'S/Share' } });
    expect(RDS_DB_API.deleteCopy('$.id', 'S/Share').iamResources.map(String)).toEqual([expect.stringMatching(/:snapshot:share-\*$/)]);
    expect(AURORA_CLUSTER_API.modifyShare('$.id', ['2'], 'add', 'x').iamResources.map(String)).toEqual([expect.stringMatching(/:cluster-snapshot:share-\*$/)]);
    // created snapshots carry another tag: the delete condition never matches them
    expect(JSON.stringify(EBS_API.create('$.v', undefined, [], 'S/Share').parameters)).toContain('cdk-kms-patterns:snapshot-created-by');
    expect(EBS_API.maxShareAccounts).toBe(500);
    expect(RDS_DB_API.maxShareAccounts).toBe(20);
  });
});
