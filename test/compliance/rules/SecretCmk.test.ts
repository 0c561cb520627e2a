import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { findings, newStack, severity } from './rule-test-support';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('KmsChecks-SecretCmk', () => {
  test('a secret under aws/secretsmanager (error)', () => {
    const stack = newStack();
    new secretsmanager.Secret(stack, 'Secret');
    expect(findings(stack, 'SecretCmk')).toEqual(['KmsChecks-SecretCmk']);
    expect(severity(stack, 'SecretCmk')).toBe('error');
  });

  test('a secret under a CMK passes', () => {
    const stack = newStack();
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(findings(stack, 'SecretCmk')).toEqual([]);
  });

  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (MasterUserSecretKmsKeyId):
  // without it, RDS encrypts the managed secret with aws/secretsmanager.
  test('RDS and Aurora managed master secrets without MasterUserSecret.KmsKeyId, and Redshift managed admin secrets without MasterPasswordSecretKmsKeyId (error)', () => {
    const stack = newStack();
    new rds.CfnDBInstance(stack, 'Instance', { engine: 'postgres', dbInstanceClass: 'db.t3.micro', manageMasterUserPassword: true, masterUsername: 'admin' });
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', manageMasterUserPassword: true, masterUsername: 'admin', masterUserSecret: {} });
    new rds.CfnDBCluster(stack, 'AwsManaged', { engine: 'aurora-postgresql', manageMasterUserPassword: true, masterUsername: 'admin', masterUserSecret: { kmsKeyId: 'alias/aws/secretsmanager' } });
    new redshift.CfnCluster(stack, 'Warehouse', { clusterType: 'single-node', dbName: 'dev', masterUsername: 'admin', nodeType: 'ra3.large', manageMasterPassword: true });
    expect(findings(stack, 'SecretCmk')).toEqual(['KmsChecks-SecretCmk', 'KmsChecks-SecretCmk', 'KmsChecks-SecretCmk', 'KmsChecks-SecretCmk']);
  });

  test('managed master secrets under a CMK, and databases that do not manage their password, pass', () => {
    const stack = newStack();
    new rds.CfnDBInstance(stack, 'Instance', { engine: 'postgres', dbInstanceClass: 'db.t3.micro', manageMasterUserPassword: true, masterUsername: 'admin', masterUserSecret: { kmsKeyId: KEY_ARN } });
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', manageMasterUserPassword: true, masterUsername: 'admin', masterUserSecret: { kmsKeyId: KEY_ARN } });
    new rds.CfnDBInstance(stack, 'Unmanaged', { engine: 'postgres', dbInstanceClass: 'db.t3.micro', masterUsername: 'admin', masterUserPassword: '{{resolve:secretsmanager:x}}' });
    new redshift.CfnCluster(stack, 'Warehouse', { clusterType: 'single-node', dbName: 'dev', masterUsername: 'admin', nodeType: 'ra3.large', manageMasterPassword: true, masterPasswordSecretKmsKeyId: KEY_ARN });
    new redshift.CfnCluster(stack, 'Plain', { clusterType: 'single-node', dbName: 'dev', masterUsername: 'admin', nodeType: 'ra3.large', masterUserPassword: 'x' });
    expect(findings(stack, 'SecretCmk')).toEqual([]);
  });
});
