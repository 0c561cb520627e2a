import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SnapshotShareSource } from '../../../src/snapshots/snapshot-share-source';
import { ShareTarget, SnapshotType } from '../../../src/snapshots/snapshot-type';
import { nagFindings } from '../../harness/compliance';

test('only the workflow\'s own unavoidable findings are acknowledged: a user\'s wildcard elsewhere is still reported', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  new SnapshotShareSource(stack, 'Share', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account('222222222222')] });
  const other = new iam.Role(stack, 'UserRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  other.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DeleteSnapshot'], resources: ['*'] }));
  const findings = nagFindings(stack).map((f) => `${f.ruleId} ${f.resourcePath}`);
  expect(findings.filter((f) => !f.includes('/UserRole/'))).toEqual([]);
  expect(findings).toContainEqual(expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] .*UserRole/));
});
