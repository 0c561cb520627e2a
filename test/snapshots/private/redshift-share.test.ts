import { Aws } from 'aws-cdk-lib';
import { redshiftRestoreCall, validateRedshiftClusters, validateRedshiftRestore } from '../../../src/snapshots/private/redshift-share';
import { REDSHIFT_CLUSTER_API, REDSHIFT_RESTORED_CLUSTER, redshiftSnapshotAccess, SdkCall } from '../../../src/snapshots/private/snapshot-api';
import { sdkTaskErrors } from '../../harness/sdk-models';

const RESTORE = { clusterSubnetGroupName: 'private-dw', vpcSecurityGroupIds: ['sg-0123456789abcdef0'], nodeType: 'ra3.xlplus', numberOfNodes: 2 };

describe('Redshift snapshot calls', () => {
  test('every call matches botocore\'s Redshift model (Step Functions casing), with named IAM resources', () => {
    const calls: Array<[string, SdkCall]> = [
      ['describe', REDSHIFT_CLUSTER_API.describe('$.id')],
      ['describe shared', REDSHIFT_CLUSTER_API.describe('$.id', true)],
      ['authorize', redshiftSnapshotAccess('$.id', { path: '$.account' }, 'add')],
      ['revoke', redshiftSnapshotAccess('$.id', { literal: '222222222222' }, 'remove')],
      ['share (one account)', REDSHIFT_CLUSTER_API.modifyShare('$.id', ['222222222222'], 'add', 'S/Share')],
      ['delete', REDSHIFT_CLUSTER_API.deleteCopy('$.id', 'S/Share')],
      ['create', REDSHIFT_CLUSTER_API.create('$.cluster', '$.name', ['arn:aws:redshift:eu-west-1:111111111111:cluster:dw'], 'S/Share')],
      ['describe restored cluster', REDSHIFT_RESTORED_CLUSTER.describe('$.restored.id')],
      ['restore', redshiftRestoreCall({ keyArn: 'arn:aws:kms:eu-west-1:222222222222:key/k', sourceAccounts: ['111111111111'], restore: RESTORE })],
    ];
    for (const [what, call] of calls) {
      const errors = sdkTaskErrors({ state: what, service: call.service, action: call.action, parameters: call.parameters });
      expect({ what, errors }).toEqual({ what, errors: [] });
      expect(call.iamAction.toLowerCase()).toBe(`${call.service}:${call.action}`.toLowerCase());
      expect(call.iamResources).not.toContain('*');
    }
  });

  test('shared describes name the owner; shares are one account a call; nothing is copied; deletes are scoped to the workflow\'s tag', () => {
    expect(REDSHIFT_CLUSTER_API.describe('$.id', true).parameters).toEqual({ 'SnapshotIdentifier.$': '$.id', 'OwnerAccount.$': '$.share.sourceAccount' });
    // own: this account, named (without it, snapshots of that name shared with this account are listed too)
    expect(REDSHIFT_CLUSTER_API.describe('$.id').parameters).toEqual({ 'SnapshotIdentifier.$': '$.id', 'OwnerAccount': Aws.ACCOUNT_ID });
    expect(() => REDSHIFT_CLUSTER_API.modifyShare('$.id', ['222222222222', '333333333333'], 'add', 'S')).toThrow('Redshift shares a snapshot with one account a call');
    expect(() => REDSHIFT_CLUSTER_API.copy({} as never)).toThrow(/cannot be copied under another key/);
    expect(REDSHIFT_CLUSTER_API.deleteCopy('$.id', 'S/Share').conditions).toEqual({ StringEquals: { 'aws:ResourceTag/cdk-kms-patterns:snapshot-workflow': 'S/Share' } });
    expect(JSON.stringify(REDSHIFT_CLUSTER_API.create('$.c', '$.n', [], 'S/Share').parameters)).toContain('cdk-kms-patterns:snapshot-created-by');
    const restore = redshiftRestoreCall({ keyArn: 'k', sourceAccounts: ['111111111111'], restore: { clusterSubnetGroupName: 'g', vpcSecurityGroupIds: ['sg-0123456789abcdef0'] } }).parameters;
    expect(restore).toMatchObject({ PubliclyAccessible: false, Encrypted: true, KmsKeyId: 'k' });
    expect(restore).not.toHaveProperty('NodeType');
    expect(restore).not.toHaveProperty('NumberOfNodes');
  });

  test('restore and cluster validation', () => {
    expect(() => validateRedshiftRestore('REDSHIFT_CLUSTER', RESTORE)).not.toThrow();
    expect(() => validateRedshiftRestore('REDSHIFT_CLUSTER', undefined)).toThrow(/^restore must be set for Redshift cluster snapshots/);
    expect(() => validateRedshiftRestore('REDSHIFT_CLUSTER', { ...RESTORE, numberOfNodes: 1.5 })).toThrow('restore.numberOfNodes must be a whole number between 1 and 128, got 1.5');
    expect(() => validateRedshiftRestore('REDSHIFT_CLUSTER', { ...RESTORE, numberOfNodes: 129 })).toThrow(/numberOfNodes must be a whole number between 1 and 128/);
    expect(() => validateRedshiftRestore('REDSHIFT_CLUSTER', { ...RESTORE, vpcSecurityGroupIds: ['sg-0123456789abcdef0', 'sg-0123456789abcdef0'] })).toThrow(/must not repeat a security group/);
    expect(() => validateRedshiftRestore('RDS_DB', { clusterSubnetGroupName: 'g' })).toThrow("restore.clusterSubnetGroupName applies to Redshift cluster snapshots only, got 'g'");
    expect(() => validateRedshiftRestore('EBS', undefined)).not.toThrow();
    expect(() => validateRedshiftClusters(['orders-dw', 'a'])).not.toThrow();
    for (const bad of ['Orders', 'orders-', '1orders', 'a'.repeat(64)]) expect(() => validateRedshiftClusters([bad])).toThrow(/createFrom must name Redshift cluster identifiers/);
  });
});
