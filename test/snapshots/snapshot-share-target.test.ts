import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { shareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from './share-world';
import { SnapshotShareTarget } from '../../src/snapshots/snapshot-share-target';
import { SnapshotType } from '../../src/snapshots/snapshot-type';
import { sdkModelErrors } from '../harness/sdk-models';

const ENV = { account: TARGET_ACCOUNT, region: 'eu-west-1' };

describe('SnapshotShareTarget', () => {
  test('started only by the source accounts\' share events, on a bus that admits only them', () => {
    const world = shareWorld(SnapshotType.EBS, { target: { restore: { availabilityZone: 'eu-west-1a' } } });
    const template = Template.fromStack(world.targetStack);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'cdk-kms-patterns-snapshot-share-ebs' });
    const busPolicies = template.findResources('AWS::Events::EventBusPolicy');
    expect(Object.values(busPolicies).map((p) => p.Properties.Statement.Principal)).toEqual([
      { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SOURCE_ACCOUNT}:root`]] } },
    ]);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['cdk-kms-patterns.snapshot-share'],
        'detail-type': ['Snapshot Shared'],
        'account': [SOURCE_ACCOUNT],
        'detail': { targetAccount: [TARGET_ACCOUNT], snapshotType: ['EBS'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: world.targetStack.getLogicalId(world.target.stateMachine.node.defaultChild as never) } })],
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL' } });
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    // the source account's keys: read through EC2 only, by this account's workflow
    expect(policy).toContain(`"Condition":{"StringEquals":{"kms:ViaService":"ec2.eu-west-1.amazonaws.com","kms:CallerAccount":"${TARGET_ACCOUNT}"}}`);
    expect(policy).toContain(`:kms:eu-west-1:${SOURCE_ACCOUNT}:key/*`);
    expect(policy).toContain('"Action":"ec2:CreateTags","Condition":{"StringEquals":{"ec2:CreateAction":"CreateVolume"}}');
    // the target never deletes anything
    expect(policy).not.toMatch(/ec2:DeleteSnapshot|rds:Delete/);
  });

  test('every aws-sdk task (restores included) uses Step Functions\' member names for real operations (botocore models)', () => {
    const worlds = [
      shareWorld(SnapshotType.EBS, { target: { restore: { availabilityZone: 'eu-west-1a' } } }),
      shareWorld(SnapshotType.RDS_DB, { target: { restore: { dbInstanceClass: 'db.t4g.micro' } } }),
      shareWorld(SnapshotType.AURORA_CLUSTER, { target: { restore: {} } }),
    ];
    for (const w of worlds) expect(sdkModelErrors(w.targetDefinition)).toEqual([]);
    expect(worlds[2].targetDefinition.States.Restore).toMatchObject({ Parameters: { 'DbClusterIdentifier.$': '$.copy.id' }, ResultSelector: { 'id.$': '$.DbCluster.DbClusterIdentifier' } });
  });

  test('the restored volume, instance or cluster is encrypted with the target key, private and protected', () => {
    const rds = shareWorld(SnapshotType.RDS_DB, { target: { restore: { dbInstanceClass: 'db.t4g.micro' } } });
    expect(rds.targetDefinition.States.Restore).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:rds:restoreDBInstanceFromDBSnapshot',
      Parameters: { 'DbInstanceClass': 'db.t4g.micro', 'DbSnapshotIdentifier.$': '$.copy.id', 'PubliclyAccessible': false, 'DeletionProtection': true },
    });
    const aurora = shareWorld(SnapshotType.AURORA_CLUSTER, { target: { restore: {} } });
    expect(aurora.targetDefinition.States.Restore).toMatchObject({ Parameters: { KmsKeyId: aurora.targetKeyArn, DeletionProtection: true } });
    const ebs = shareWorld(SnapshotType.EBS, { target: { restore: { availabilityZone: 'eu-west-1b' } } });
    expect(ebs.targetDefinition.States.Restore).toMatchObject({ Parameters: { AvailabilityZone: 'eu-west-1b', Encrypted: true, KmsKeyId: ebs.targetKeyArn } });
    // every copy is made under the target key
    for (const w of [rds, aurora, ebs]) expect(w.targetDefinition.States.CopySnapshot).toMatchObject({ Parameters: { KmsKeyId: w.targetKeyArn } });
  });

  test('synth-time validation', () => {
    const stack = () => new Stack(new App(), 'T', { env: ENV });
    expect(() => new SnapshotShareTarget(stack(), 'X', { snapshotType: SnapshotType.EBS, sourceAccounts: [] })).toThrow('sourceAccounts must name at least one account, got []');
    expect(() => new SnapshotShareTarget(stack(), 'X', { snapshotType: SnapshotType.EBS, sourceAccounts: ['1234'] })).toThrow("sourceAccounts must be a 12-digit AWS account id, got '1234'");
    expect(() => new SnapshotShareTarget(stack(), 'X', { snapshotType: SnapshotType.EBS, sourceAccounts: [TARGET_ACCOUNT] })).toThrow(/sourceAccounts must be other accounts than this one/);
    expect(() => new SnapshotShareTarget(stack(), 'X', { snapshotType: SnapshotType.EBS, sourceAccounts: [SOURCE_ACCOUNT], restore: {} }))
      .toThrow('restore.availabilityZone must be set to restore EBS volumes, got undefined');
    expect(() => new SnapshotShareTarget(stack(), 'X', { snapshotType: SnapshotType.EBS, sourceAccounts: [SOURCE_ACCOUNT], restore: { availabilityZone: 'us-east-1a' } }))
      .toThrow("restore.availabilityZone must be a zone of the stack's Region eu-west-1, got 'us-east-1a'");
    expect(() => new SnapshotShareTarget(stack(), 'X', { snapshotType: SnapshotType.RDS_DB, sourceAccounts: [SOURCE_ACCOUNT], restore: {} }))
      .toThrow('restore.dbInstanceClass must be set to restore RDS DB instances, got undefined');
    expect(() => new SnapshotShareTarget(stack(), 'X', { snapshotType: SnapshotType.RDS_DB, sourceAccounts: [SOURCE_ACCOUNT], restore: { dbInstanceClass: 't3.micro' } }))
      .toThrow("restore.dbInstanceClass must be a DB instance class such as db.t4g.micro, got 't3.micro'");
    expect(() => new SnapshotShareTarget(stack(), 'X', { snapshotType: SnapshotType.AURORA_CLUSTER, sourceAccounts: [SOURCE_ACCOUNT], restore: { availabilityZone: 'eu-west-1a' } }))
      .toThrow("restore.availabilityZone applies to EBS snapshots only, got 'eu-west-1a'");
  });
});
