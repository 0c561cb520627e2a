import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { CorpusApp } from './corpus-app';

/**
 * An encrypted database under the AWS managed key aws/rds, with Performance Insights on its default
 * key: its snapshots cannot be shared with another account (rds-snapshot-tool#34), and the
 * Performance Insights key can never be changed.
 */
export const rdsAwsManagedKey: CorpusApp = {
  name: 'RdsAwsManagedKey',
  mistake: 'RDS encrypted with `aws/rds`, Performance Insights on its default key',
  correct: false,
  build: stack => {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new rds.DatabaseInstance(stack, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
      enablePerformanceInsights: true,
      multiAz: true,
      deletionProtection: true,
    });
  },
};
