import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-RdsCmk', () => {
  test('unencrypted and aws/rds instances and clusters are reported (error)', () => {
    const stack = newStack();
    new rds.CfnDBInstance(stack, 'Plain', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20' });
    new rds.CfnDBInstance(stack, 'AwsManaged', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', storageEncrypted: true });
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', storageEncrypted: true });
    expect(findings(stack, 'RdsCmk')).toEqual(['KmsChecks-RdsCmk', 'KmsChecks-RdsCmk', 'KmsChecks-RdsCmk']);
    expect(severity(stack, 'RdsCmk')).toBe('error');
  });

  test('a CMK passes; cluster members and replicas that inherit their key are not concerned', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new rds.CfnDBInstance(stack, 'Instance', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', storageEncrypted: true, kmsKeyId: key.keyArn });
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', storageEncrypted: true, kmsKeyId: key.keyArn });
    new rds.CfnDBInstance(stack, 'Member', { engine: 'aurora-postgresql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: 'cluster' });
    new rds.CfnDBInstance(stack, 'Replica', { dbInstanceClass: 'db.t4g.micro', sourceDbInstanceIdentifier: 'source' });
    expect(findings(stack, 'RdsCmk')).toEqual([]);
  });
});
