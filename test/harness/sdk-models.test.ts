import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { sdkModelErrors, sdkTaskErrors, sdkTasks, serviceModel, validateSdkTasks } from './sdk-models';
import { AslDefinition, extractDefinition } from './state-machine';

function task(action: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { Type: 'Task', Resource: `arn:aws:states:::aws-sdk:${action}`, Parameters: parameters, End: true, ...extra };
}

describe('sdk-models', () => {
  test('reads the newest botocore model of a service', () => {
    expect(serviceModel('ec2').operations.CopySnapshot).toBeDefined();
    expect(serviceModel('rds').operations.CopyDBSnapshot).toBeDefined();
    expect(serviceModel('redshift').operations.AuthorizeSnapshotAccess).toBeDefined();
    expect(() => serviceModel('nosuchservice')).toThrow(/botocore has no service model for 'nosuchservice'/);
  });

  test('a correct task passes, paths and nested lists included', () => {
    const definition: AslDefinition = {
      StartAt: 'Copy',
      States: {
        Copy: task('ec2:copySnapshot', {
          'SourceRegion': 'eu-west-1',
          'SourceSnapshotId.$': '$.snapshotId',
          'Encrypted': true,
          'KmsKeyId': 'arn:aws:kms:eu-west-1:111111111111:key/k',
          'TagSpecifications': [{ ResourceType: 'snapshot', Tags: [{ 'Key': 'a', 'Value.$': '$$.Execution.Id' }] }],
        }, { ResultSelector: { 'SnapshotId.$': '$.SnapshotId' } }),
      },
    };
    expect(sdkTasks(definition).map((t) => `${t.service}:${t.action}`)).toEqual(['ec2:copySnapshot']);
    expect(sdkModelErrors(definition)).toEqual([]);
    expect(() => validateSdkTasks(definition)).not.toThrow();
  });

  test('an unknown operation, a misspelt or mis-cased parameter, a missing required member, a wrong type and a bad result path fail', () => {
    const errors = (t: Record<string, unknown>) => sdkTaskErrors(sdkTasks({ StartAt: 'T', States: { T: t as never } } as AslDefinition)[0]);
    expect(errors(task('ec2:copySnapshots', { SourceRegion: 'x', SourceSnapshotId: 'y' })))
      .toEqual(['T (aws-sdk:ec2:copySnapshots): EC2 has no operation CopySnapshots']);
    expect(errors(task('ec2:CopySnapshot', {}))).toEqual(['T (aws-sdk:ec2:CopySnapshot): the operation must be lowerCamelCase in the resource ARN']);
    expect(errors(task('rds:copyDbSnapshot', {}))).toEqual([expect.stringMatching(/has no operation CopyDbSnapshot \(did you mean CopyDBSnapshot\?\)/)]);
    expect(errors(task('rds:copyDBSnapshot', { 'SourceDbSnapshotIdentifier.$': '$.id', 'TargetDBSnapshotIdentifier': 'copy' })))
      .toEqual([
        expect.stringMatching(/CopyDBSnapshotMessage has no member SourceDbSnapshotIdentifier \(did you mean SourceDBSnapshotIdentifier\?\)/),
        expect.stringMatching(/required member SourceDBSnapshotIdentifier of CopyDBSnapshotMessage is missing/),
      ]);
    expect(errors(task('ec2:copySnapshot', { SourceRegion: 'x', SourceSnapshotId: 'y', Encrypted: 'yes' })))
      .toEqual([expect.stringMatching(/Parameters.Encrypted: expected a boolean/)]);
    expect(errors(task('ec2:copySnapshot', { SourceRegion: 'x', SourceSnapshotId: 'y', TagSpecifications: [{ ResourceType: 'snapshots' }] })))
      .toEqual([expect.stringMatching(/TagSpecifications\[0\].ResourceType: "snapshots" is not one of/)]);
    expect(errors(task('ec2:copySnapshot', { sourceRegion: 'x', SourceSnapshotId: 'y' })))
      .toEqual(expect.arrayContaining([expect.stringMatching(/parameter sourceRegion must be PascalCase/)]));
    expect(errors(task('ec2:describeSnapshots', { SnapshotIds: ['snap-1'] }, { ResultSelector: { 'State.$': '$.Snapshots[0].Status' } })))
      .toEqual([expect.stringMatching(/ResultSelector State.\$: \$.Snapshots\[0\].Status: Snapshot has no member Status/)]);
    expect(errors(task('ec2:describeSnapshots', { SnapshotIds: ['snap-1'] }, { ResultSelector: { 'State.$': 'States.ArrayGetItem($.Snapshots[*].State, 0)' } })))
      .toEqual([]);
  });

  test('checks the tasks of a synthesized CDK state machine', () => {
    const stack = new Stack(undefined, 'Sdk', { env: { account: '111111111111', region: 'eu-west-1' } });
    const good = new tasks.CallAwsService(stack, 'Describe', {
      service: 'rds', action: 'describeDBSnapshots', parameters: { DbSnapshotIdentifier: 'x' }, iamResources: ['*'],
    });
    const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(good) });
    const definition = extractDefinition(stack, machine);
    expect(() => validateSdkTasks(definition)).toThrow(/DescribeDBSnapshotsMessage has no member DbSnapshotIdentifier \(did you mean DBSnapshotIdentifier\?\)/);
  });
});
