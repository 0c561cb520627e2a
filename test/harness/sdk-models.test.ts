import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { javaUnCapitalize, sdkModelErrors, sdkTaskErrors, sdkTasks, serviceModel, sfnMemberName, toBotocoreNames, validateSdkTasks } from './sdk-models';
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
    // A capital run further in a name stays as it is (Java: sourceDBSnapshotIdentifier()).
    expect(errors(task('rds:copyDBSnapshot', { 'SourceDbSnapshotIdentifier.$': '$.id', 'TargetDBSnapshotIdentifier': 'copy' })))
      .toEqual([
        expect.stringMatching(/CopyDBSnapshotMessage has no member SourceDbSnapshotIdentifier as Step Functions names it \(did you mean SourceDBSnapshotIdentifier\?\)/),
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
    expect(() => validateSdkTasks(definition)).not.toThrow();
    const stack2 = new Stack(undefined, 'Sdk2', { env: { account: '111111111111', region: 'eu-west-1' } });
    const botocoreCased = new tasks.CallAwsService(stack2, 'DescribeBotocoreCased', {
      service: 'rds', action: 'describeDBSnapshots', parameters: { DBSnapshotIdentifier: 'x' }, iamResources: ['*'],
    });
    const other = new sfn.StateMachine(stack2, 'Other', { definitionBody: sfn.DefinitionBody.fromChainable(botocoreCased) });
    expect(() => validateSdkTasks(extractDefinition(stack2, other)))
      .toThrow(/DescribeDBSnapshotsMessage has no member DBSnapshotIdentifier as Step Functions names it \(did you mean DbSnapshotIdentifier\?\)/);
  });

  test('derives Step Functions member names with the AWS SDK for Java 2.x rule', () => {
    expect(javaUnCapitalize('DBSnapshotIdentifier')).toBe('dbSnapshotIdentifier');
    expect(javaUnCapitalize('SourceDBSnapshotIdentifier')).toBe('sourceDBSnapshotIdentifier');
    expect(javaUnCapitalize('S3Key')).toBe('s3Key');
    expect(javaUnCapitalize('BOOL')).toBe('bool');
    expect(() => javaUnCapitalize(' ')).toThrow(/cannot be null or empty/);
    const cases: Array<[string, string]> = [
      ['DBSnapshotIdentifier', 'DbSnapshotIdentifier'],
      ['DBSnapshots', 'DbSnapshots'],
      ['DBClusterSnapshot', 'DbClusterSnapshot'],
      ['KMSKeyId', 'KmsKeyId'],
      ['KmsKeyId', 'KmsKeyId'],
      ['SSEType', 'SseType'],
      ['SSEKMSKeyId', 'SsekmsKeyId'],
      ['VolumeId', 'VolumeId'],
      ['sourceRegion', 'SourceRegion'],
      ['SourceDBSnapshotIdentifier', 'SourceDBSnapshotIdentifier'],
      ['SourceDBClusterSnapshotIdentifier', 'SourceDBClusterSnapshotIdentifier'],
      ['MultiAZ', 'MultiAZ'],
      ['ChecksumCRC32', 'ChecksumCRC32'],
      ['IPv6Address', 'IPv6Address'],
      ['BOOL', 'Bool'],
      ['SS', 'Ss'],
      ['S', 'S'],
      ['S3Key', 'S3Key'],
      ['CACertificateIdentifier', 'CaCertificateIdentifier'],
    ];
    for (const [botocore, sfnName] of cases) expect([botocore, sfnMemberName(botocore)]).toEqual([botocore, sfnName]);
  });

  test('RDS: Step Functions names pass, botocore names fail, in parameters and result paths', () => {
    const errors = (t: Record<string, unknown>) => sdkTaskErrors(sdkTasks({ StartAt: 'T', States: { T: t as never } } as AslDefinition)[0]);
    expect(errors(task('rds:describeDBSnapshots', { 'DbSnapshotIdentifier.$': '$.id', 'IncludeShared': true },
      { ResultSelector: { 'Snapshots.$': '$.DbSnapshots', 'Id.$': '$.DbSnapshots[0].DbSnapshotIdentifier', 'Key.$': '$.DbSnapshots[0].KmsKeyId' } }))).toEqual([]);
    expect(errors(task('rds:copyDBClusterSnapshot', { 'SourceDBClusterSnapshotIdentifier.$': '$.arn', 'TargetDBClusterSnapshotIdentifier': 'c', 'KmsKeyId': 'k' },
      { ResultSelector: { 'id.$': '$.DbClusterSnapshot.DbClusterSnapshotIdentifier' } }))).toEqual([]);
    expect(errors(task('rds:describeDBSnapshots', { 'DBSnapshotIdentifier.$': '$.id' }, { ResultSelector: { 'Snapshots.$': '$.DBSnapshots' } })))
      .toEqual([
        expect.stringMatching(/DescribeDBSnapshotsMessage has no member DBSnapshotIdentifier as Step Functions names it \(did you mean DbSnapshotIdentifier\?\)/),
        expect.stringMatching(/ResultSelector Snapshots.\$: \$.DBSnapshots: DBSnapshotMessage has no member DBSnapshots as Step Functions names it \(did you mean DbSnapshots\?\)/),
      ]);
    expect(errors(task('rds:copyDBClusterSnapshot', { 'SourceDbClusterSnapshotIdentifier.$': '$.arn', 'TargetDbClusterSnapshotIdentifier': 'c' })))
      .toEqual(expect.arrayContaining([expect.stringMatching(/has no member SourceDbClusterSnapshotIdentifier as Step Functions names it \(did you mean SourceDBClusterSnapshotIdentifier\?\)/)]));
    expect(errors(task('rds:restoreDBInstanceFromDBSnapshot', { DBInstanceIdentifier: 'i', DbSnapshotIdentifier: 's' })))
      .toEqual(expect.arrayContaining([
        expect.stringMatching(/has no member DBInstanceIdentifier as Step Functions names it \(did you mean DbInstanceIdentifier\?\)/),
        expect.stringMatching(/required member DbInstanceIdentifier of RestoreDBInstanceFromDBSnapshotMessage is missing/),
      ]));
  });

  test('toBotocoreNames turns Step Functions names back into botocore names (for moto)', () => {
    const definition: AslDefinition = {
      StartAt: 'Copy',
      States: {
        Copy: task('rds:copyDBSnapshot', {
          'SourceDBSnapshotIdentifier.$': '$.arn', 'TargetDBSnapshotIdentifier': 'c', 'KmsKeyId': 'k', 'Tags': [{ 'Key': 'a', 'Value.$': '$.v' }],
        }, { ResultSelector: { 'id.$': '$.DbSnapshot.DbSnapshotIdentifier', 'n.$': 'States.ArrayLength($.DbSnapshot.TagList)' }, End: undefined, Next: 'Map' }),
        Map: {
          Type: 'Map',
          End: true,
          ItemProcessor: { StartAt: 'Describe', States: { Describe: task('rds:describeDBSnapshots', { 'DbSnapshotIdentifier.$': '$.id' }, { ResultSelector: { 's.$': '$.DbSnapshots[0]' } }) } },
        },
      },
    };
    const botocore = toBotocoreNames(definition);
    expect(botocore.States.Copy).toMatchObject({
      Parameters: { 'SourceDBSnapshotIdentifier.$': '$.arn', 'TargetDBSnapshotIdentifier': 'c', 'KmsKeyId': 'k', 'Tags': [{ 'Key': 'a', 'Value.$': '$.v' }] },
      ResultSelector: { 'id.$': '$.DBSnapshot.DBSnapshotIdentifier', 'n.$': 'States.ArrayLength($.DBSnapshot.TagList)' },
    });
    expect((botocore.States.Map.ItemProcessor as AslDefinition).States.Describe)
      .toMatchObject({ Parameters: { 'DBSnapshotIdentifier.$': '$.id' }, ResultSelector: { 's.$': '$.DBSnapshots[0]' } });
    // the original is untouched
    expect(definition.States.Copy).toMatchObject({ ResultSelector: { 'id.$': '$.DbSnapshot.DbSnapshotIdentifier' } });
  });
});
