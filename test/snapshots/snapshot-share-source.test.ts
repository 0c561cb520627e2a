import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { shareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from './share-world';
import { EncryptionKey } from '../../src/keys/encryption-key';
import { SnapshotShareSource } from '../../src/snapshots/snapshot-share-source';
import { ShareTarget, SnapshotType } from '../../src/snapshots/snapshot-type';
import { expectNoNagFindings } from '../harness/compliance';
import { validateSdkTasks } from '../harness/sdk-models';
import { validateAsl } from '../harness/state-machine';

const ENV = { account: SOURCE_ACCOUNT, region: 'eu-west-1' };
const targets = (n: number) => Array.from({ length: n }, (_, i) => ShareTarget.account(String(300000000000 + i)));

describe('SnapshotShareSource', () => {
  test.each([SnapshotType.EBS, SnapshotType.RDS_DB, SnapshotType.AURORA_CLUSTER].map((t) => [t.name, t] as const))('%s: every definition is valid ASL and every aws-sdk task matches botocore\'s models', (_name, type) => {
    const world = shareWorld(type, {
      source: { createFrom: [type === SnapshotType.EBS ? 'vol-0123456789abcdef0' : 'orders'] },
      target: { restore: type === SnapshotType.EBS ? { availabilityZone: 'eu-west-1a' } : type === SnapshotType.RDS_DB ? { dbInstanceClass: 'db.t4g.micro' } : {} },
    });
    for (const definition of [world.sourceDefinition, world.confirmationDefinition, world.targetDefinition]) {
      expect(() => validateAsl(definition)).not.toThrow();
      expect(() => validateSdkTasks(definition)).not.toThrow();
    }
    // zero unacknowledged findings in the four packs and the library's KMS pack, on both sides
    expectNoNagFindings(world.sourceStack);
    expectNoNagFindings(world.targetStack);
  });

  test('the workflow: logging ALL under the key, tracing, a topic under the key, scoped IAM', () => {
    const world = shareWorld(SnapshotType.EBS);
    const template = Template.fromStack(world.sourceStack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    template.hasResource('AWS::StepFunctions::StateMachine', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShareKey'), 'Arn'] }, RetentionInDays: 365 });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShareKey'), 'Arn'] } });
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    // modify and delete only the snapshots this workflow tagged
    expect(policy).toContain('"Action":"ec2:DeleteSnapshot","Condition":{"StringEquals":{"aws:ResourceTag/cdk-kms-patterns:snapshot-workflow":"SourceEBS/Share"}}');
    expect(policy).toContain('"Action":"ec2:ModifySnapshotAttribute","Condition":{"StringEquals":{"aws:ResourceTag/cdk-kms-patterns:snapshot-workflow":"SourceEBS/Share"}}');
    // tags only when creating
    expect(policy).toContain('"Action":"ec2:CreateTags","Condition":{"StringEquals":{"ec2:CreateAction":"CopySnapshot"}}');
    // the original's key: through EC2 only, grants for AWS resources only
    expect(policy).toContain('"Condition":{"StringEquals":{"kms:ViaService":"ec2.eu-west-1.amazonaws.com","kms:CallerAccount":"111111111111"},"Bool":{"kms:GrantIsForAWSResource":"true"}}');
  });

  test('the key policy admits the target accounts through the service only; the buses admit only each other', () => {
    const world = shareWorld(SnapshotType.RDS_DB);
    const template = Template.fromStack(world.sourceStack);
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    const statements = key.Properties.KeyPolicy.Statement as Array<{ Sid: string; Principal: unknown; Condition: unknown; Action: string[] }>;
    const share = statements.filter((s) => s.Sid?.startsWith('SnapshotShare'));
    expect(share).toHaveLength(2);
    for (const statement of share) {
      expect(statement.Principal).toEqual({ AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` });
    }
    expect(share.find((x) => x.Action.includes('kms:CreateGrant'))!.Action).toEqual('kms:CreateGrant');
    const json = JSON.stringify(share);
    expect(json).toContain('"kms:ViaService":"rds.eu-west-1.amazonaws.com"');
    expect(json).toContain(`"kms:CallerAccount":"${TARGET_ACCOUNT}"`);
    expect(json).toContain('"kms:GrantIsForAWSResource":"true"');
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TARGET_ACCOUNT}:root`]] } }, Action: 'events:PutEvents' }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['cdk-kms-patterns.snapshot-share'], 'detail-type': ['Snapshot Shared'], 'account': [SOURCE_ACCOUNT], 'detail': { targetAccount: [TARGET_ACCOUNT] } },
      Targets: [Match.objectLike({ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:${TARGET_ACCOUNT}:event-bus/cdk-kms-patterns-snapshot-share-rds-db`]] } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['cdk-kms-patterns.snapshot-share'], 'detail-type': ['Snapshot Share Confirmed'], 'account': [TARGET_ACCOUNT], 'detail': { sourceAccount: [SOURCE_ACCOUNT] } },
    });
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'cdk-kms-patterns-snapshot-share-rds-db' });
  });

  test('each workflow log group has an explicit name, and the key policy lets CloudWatch Logs use the key for exactly that group', () => {
    const world = shareWorld(SnapshotType.EBS);
    world.app.synth();
    const sides = [
      { stack: world.sourceStack, keyId: 'ShareKey', logGroup: world.source.logGroup, name: '/aws/vendedlogs/states/SourceEBS-Share-' },
      { stack: world.targetStack, keyId: 'CopyKey', logGroup: world.target.logGroup, name: '/aws/vendedlogs/states/TargetEBS-Receive-' },
    ];
    for (const side of sides) {
      const template = Template.fromStack(side.stack);
      const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(groups).toHaveLength(1);
      const name = groups[0].Properties.LogGroupName as string;
      expect(name).toMatch(new RegExp(`^${side.name}[0-9A-F]{8}$`));
      expect(side.stack.resolve(side.logGroup.logGroupName)).toEqual({ Ref: side.stack.getLogicalId(side.logGroup.node.defaultChild as never) });
      const key = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith(side.keyId))![1];
      const logStatements = (key.Properties.KeyPolicy.Statement as Array<{ Sid: string; Condition: any }>).filter((x) => x.Sid.startsWith('CloudWatchLogs'));
      expect(logStatements).toHaveLength(1);
      expect(logStatements[0].Condition).toEqual({
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${side.stack.account}:log-group:${name}`,
        },
      });
    }
    // deterministic per construct, different for another construct
    expect(Template.fromStack(shareWorld(SnapshotType.EBS).sourceStack).findResources('AWS::Logs::LogGroup'))
      .toEqual(Template.fromStack(world.sourceStack).findResources('AWS::Logs::LogGroup'));
    const two = new Stack(new App(), 'Two', { env: ENV });
    const a = new SnapshotShareSource(two, 'A', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)] });
    const b = new SnapshotShareSource(two, 'B', { snapshotType: SnapshotType.RDS_DB, targets: [ShareTarget.account(TARGET_ACCOUNT)] });
    const names = Object.values(Template.fromStack(two).findResources('AWS::Logs::LogGroup')).map((g) => g.Properties.LogGroupName);
    expect(new Set(names).size).toBe(2);
    expect(two.resolve(a.logGroup.logGroupName)).not.toEqual(two.resolve(b.logGroup.logGroupName));
  });

  test('two workflows on one key: a CloudWatchLogs statement per log group, each acknowledged, zero findings', () => {
    const s = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(s, 'ShareKey');
    const a = new SnapshotShareSource(s, 'A', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)], encryptionKey: key });
    const b = new SnapshotShareSource(s, 'B', { snapshotType: SnapshotType.RDS_DB, targets: [ShareTarget.account(TARGET_ACCOUNT)], encryptionKey: key });
    expectNoNagFindings(s);
    const template = Template.fromStack(s);
    const statements = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement as Array<{ Sid: string; Condition: any }>;
    const arns = statements.filter((x) => x.Sid.startsWith('CloudWatchLogs'))
      .map((x) => x.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']);
    expect(arns).toHaveLength(2);
    for (const source of [a, b]) {
      const name = (source.logGroup.node.defaultChild as logs.CfnLogGroup).logGroupName!;
      expect(arns.filter((arn) => arn === `arn:aws:logs:eu-west-1:${ENV.account}:log-group:${name}`)).toHaveLength(1);
    }
  });

  test('grantStartExecution: states:StartExecution on the share workflow only', () => {
    const s = new Stack(new App(), 'S', { env: ENV });
    const source = new SnapshotShareSource(s, 'Share', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)] });
    const operator = new iam.Role(s, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = source.grantStartExecution(operator);
    expect(grant).toBeInstanceOf(iam.Grant);
    expect(grant.success).toBe(true);
    const template = Template.fromStack(s);
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('OperatorDefaultPolicy'))![1];
    // not the confirmation handler, not any other state machine
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Action: 'states:StartExecution',
      Effect: 'Allow',
      Resource: { Ref: s.getLogicalId(source.stateMachine.node.defaultChild as never) },
    }]);
  });

  test('the confirmation handler may answer task tokens of the share workflow only', () => {
    const world = shareWorld(SnapshotType.EBS);
    const policies = Template.fromStack(world.sourceStack).findResources('AWS::IAM::Policy');
    const handlerPolicy = Object.entries(policies).find(([id]) => id.startsWith('ShareConfirmationHandlerRole'))![1];
    expect(handlerPolicy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'states:SendTaskSuccess', Resource: { Ref: world.sourceStack.getLogicalId(world.source.stateMachine.node.defaultChild as never) } }),
      expect.objectContaining({ Action: 'states:SendTaskFailure', Resource: { Ref: world.sourceStack.getLogicalId(world.source.stateMachine.node.defaultChild as never) } }),
    ]));
  });

  test('synth-time validation: targets, share limits, keys, createFrom, waits', () => {
    const stack = () => new Stack(new App(), 'S', { env: ENV });
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.RDS_DB, targets: targets(21) }))
      .toThrow('targets may name at most 20 accounts for RDS DB snapshots (AWS\'s share limit), got 21');
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.AURORA_CLUSTER, targets: targets(21) })).toThrow(/at most 20 accounts/);
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.EBS, targets: targets(21) })).not.toThrow();
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.EBS, targets: [] })).toThrow('targets must name at least one account, got []');
    expect(() => ShareTarget.account('12345')).toThrow("ShareTarget.account accountId must be a 12-digit AWS account id, got '12345'");
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(SOURCE_ACCOUNT)] }))
      .toThrow(/targets must be other accounts than the source account 111111111111/);
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT), ShareTarget.account(TARGET_ACCOUNT)] }))
      .toThrow(/targets must not repeat an account/);
    const s = stack();
    const rsa = new EncryptionKey(s, 'Rsa', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    expect(() => new SnapshotShareSource(s, 'X', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)], encryptionKey: rsa }))
      .toThrow("encryptionKey must be a SYMMETRIC_DEFAULT key (EC2 supports only symmetric keys), got 'RSA_2048'");
    const s2 = stack();
    const cdkKey = new kms.Key(s2, 'Plain');
    expect(() => new SnapshotShareSource(s2, 'X', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)], encryptionKey: cdkKey as never }))
      .toThrow(/encryptionKey must be a key of this library/);
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)], createFrom: ['disk-1'] }))
      .toThrow("createFrom must name EBS volumes (vol-...), got 'disk-1'");
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)], polling: { initialPollInterval: Duration.minutes(5), maxPollInterval: Duration.minutes(1) } }))
      .toThrow(/polling.maxPollInterval must be at least polling.initialPollInterval \(5 minutes\), got/);
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)], confirmationTimeout: Duration.seconds(10) }))
      .toThrow(/confirmationTimeout must be whole seconds between 60 and/);
    expect(() => new SnapshotShareSource(new Stack(new App(), 'NoEnv'), 'X', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)] }))
      .toThrow(/needs a stack with an explicit account and Region/);
    // nothing was created by a refused construct
    const refused = stack();
    expect(() => new SnapshotShareSource(refused, 'X', { snapshotType: SnapshotType.RDS_DB, targets: targets(21) })).toThrow();
    expect(refused.node.tryFindChild('X')).toBeUndefined();
  });

  test('a default shareable key is created when none is given', () => {
    const s = new Stack(new App(), 'S', { env: ENV });
    const source = new SnapshotShareSource(s, 'Share', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)] });
    expect(source.encryptionKey).toBeInstanceOf(EncryptionKey);
    Template.fromStack(s).resourceCountIs('AWS::KMS::Key', 1);
  });

  test('a workflow that is not retained is warned about; the default warns nothing', () => {
    const s = new Stack(new App(), 'S', { env: ENV });
    new SnapshotShareSource(s, 'Kept', { snapshotType: SnapshotType.EBS, targets: [ShareTarget.account(TARGET_ACCOUNT)] });
    new SnapshotShareSource(s, 'Gone', { snapshotType: SnapshotType.RDS_DB, targets: [ShareTarget.account(TARGET_ACCOUNT)], removalPolicy: RemovalPolicy.DESTROY });
    const warnings = Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('snapshotWorkflowRemovalPolicy'));
    expect(warnings.map((w) => w.id)).toEqual(['/S/Gone']);
    Template.fromStack(s).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });
});
