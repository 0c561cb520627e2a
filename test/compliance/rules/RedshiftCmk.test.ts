import * as kms from 'aws-cdk-lib/aws-kms';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-RedshiftCmk', () => {
  test('a cluster encrypted without a CMK is reported (error)', () => {
    const stack = newStack();
    new redshift.CfnCluster(stack, 'Cluster', { clusterType: 'single-node', dbName: 'dev', masterUsername: 'admin', nodeType: 'ra3.large', encrypted: true, manageMasterPassword: true });
    expect(findings(stack, 'RedshiftCmk')).toEqual(['KmsChecks-RedshiftCmk']);
    expect(severity(stack, 'RedshiftCmk')).toBe('error');
  });

  test('a cluster under a CMK passes', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new redshift.CfnCluster(stack, 'Cluster', { clusterType: 'single-node', dbName: 'dev', masterUsername: 'admin', nodeType: 'ra3.large', encrypted: true, kmsKeyId: key.keyId, manageMasterPassword: true });
    expect(findings(stack, 'RedshiftCmk')).toEqual([]);
  });
});
