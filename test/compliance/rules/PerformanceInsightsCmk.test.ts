import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-PerformanceInsightsCmk', () => {
  test('Performance Insights without a key, on an instance or a cluster (error)', () => {
    const stack = newStack();
    new rds.CfnDBInstance(stack, 'Instance', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', enablePerformanceInsights: true });
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', performanceInsightsEnabled: true });
    expect(findings(stack, 'PerformanceInsightsCmk')).toEqual(['KmsChecks-PerformanceInsightsCmk', 'KmsChecks-PerformanceInsightsCmk']);
    expect(severity(stack, 'PerformanceInsightsCmk')).toBe('error');
  });

  test('Performance Insights under a CMK passes; off is not concerned', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new rds.CfnDBInstance(stack, 'Instance', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', enablePerformanceInsights: true, performanceInsightsKmsKeyId: key.keyArn });
    new rds.CfnDBInstance(stack, 'Off', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro' });
    expect(findings(stack, 'PerformanceInsightsCmk')).toEqual([]);
  });
});
