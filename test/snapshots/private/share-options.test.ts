import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { checkDuration, pollOptions, readAnyKeyOfAccount, validateShareTargets } from '../../../src/snapshots/private/share-options';
import { ShareTarget, SnapshotType } from '../../../src/snapshots/snapshot-type';

describe('share options', () => {
  test('poll options: defaults and checks', () => {
    expect(pollOptions(undefined)).toEqual({
      initial: Duration.seconds(30),
      cap: Duration.minutes(10),
      timeout: Duration.hours(12),
      completionEvents: true,
      eventTimeout: Duration.minutes(30),
    });
    expect(pollOptions({ completionEvents: false, completionEventTimeout: Duration.minutes(5) }))
      .toMatchObject({ completionEvents: false, eventTimeout: Duration.minutes(5) });
    expect(() => pollOptions({ initialPollInterval: Duration.millis(500) })).toThrow(/polling.initialPollInterval must be whole seconds between 1 and 3600 seconds/);
    expect(() => checkDuration('x', Duration.seconds(5), 60, 120)).toThrow('x must be whole seconds between 60 and 120 seconds, got 5 seconds');
  });

  test('share targets', () => {
    expect(validateShareTargets(SnapshotType.EBS, [ShareTarget.account('222222222222')], '111111111111')).toEqual(['222222222222']);
    expect(() => validateShareTargets(SnapshotType.RDS_DB, Array.from({ length: 21 }, (_, i) => ShareTarget.account(String(200000000000 + i))), '111111111111'))
      .toThrow(/at most 20 accounts/);
  });

  test('reading the keys of another account: through the service, as this account, grants for AWS resources only', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    readAnyKeyOfAccount(role, 'rds.eu-west-1.amazonaws.com', '111111111111', '222222222222');
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom'], Condition: { StringEquals: { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com', 'kms:CallerAccount': '222222222222' } } }),
      expect.objectContaining({ Action: 'kms:CreateGrant', Condition: expect.objectContaining({ Bool: { 'kms:GrantIsForAWSResource': 'true' } }) }),
    ]);
  });
});
