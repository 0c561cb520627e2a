import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RegionFake, RegionFakeBehaviour } from './region-copy-fake';
import { DIAGRAM_DIR, mermaid } from '../../scripts/render-diagrams';
import {
  EncryptionKey, SnapshotRegionCopy, SnapshotRegionCopyForwarder, SnapshotRegionCopyProps, SnapshotType,
} from '../../src';
import { CompletionWaits } from '../../src/snapshots/private/event-wait';
import { expectNoNagFindings } from '../harness/compliance';
import { sdkModelErrors } from '../harness/sdk-models';
import {
  defineServiceChecks, deployer, keyDeploymentRows, ServiceAccessRow, ServiceAccessStats, serviceAccessRows,
} from '../harness/service-access';
import { PolicyWorld } from '../harness/simulate';
import { aslValidationErrors, extractDefinition, JsonValue, runStateMachine } from '../harness/state-machine';

const ACCOUNT = '111111111111';
const SOURCE = 'eu-west-1';
const DEST = 'us-east-1';
const SOURCE_KEY = `arn:aws:kms:${SOURCE}:${ACCOUNT}:key/source`;

function build(props: Partial<SnapshotRegionCopyProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Dr', { env: { account: ACCOUNT, region: DEST } });
  const copy = new SnapshotRegionCopy(stack, 'Copy', { sourceRegion: SOURCE, copyNamePrefix: 'dr', ...props });
  app.synth();
  return { app, stack, copy };
}

describe('SnapshotRegionCopy: resources', () => {
  const { stack, copy } = build();
  const template = Template.fromStack(stack);

  test('a standard workflow, logging every state to a log group under the key, traced', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CopyKey'), 'Arn'] }, RetentionInDays: 365 },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CopyKey'), 'Arn'] } });
    expect(copy.copyNamePrefix).toBe('dr');
  });

  test('the log group is named after the state machine; the key policy lets CloudWatch Logs use the key for that group only', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'dr-snapshot-region-copy' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/dr-snapshot-region-copy' });
    const key = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('CopyKey'))![1];
    const logs = (key.Properties.KeyPolicy.Statement as Array<{ Sid: string; Condition: unknown }>).filter((x) => x.Sid.startsWith('CloudWatchLogs'));
    expect(logs).toHaveLength(1);
    expect(logs[0].Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${DEST}:${ACCOUNT}:log-group:/aws/vendedlogs/states/dr-snapshot-region-copy`,
      },
    });
    expect(JSON.stringify(key)).not.toContain('log-group:*');
  });

  test('snapshotTypes: SnapshotType values, without repeats', () => {
    const { copy: both } = build({ snapshotTypes: [SnapshotType.RDS_DB, SnapshotType.EBS, SnapshotType.EBS], copyOnSourceEvents: false });
    expect(both.snapshotTypes).toEqual([SnapshotType.EBS, SnapshotType.RDS_DB]);
    expect(copy.snapshotTypes).toEqual([SnapshotType.EBS, SnapshotType.RDS_DB, SnapshotType.AURORA_CLUSTER]);
  });

  test('one sequence parameter per type, starting at 0', () => {
    for (const type of ['EBS_SNAPSHOT', 'RDS_DB_SNAPSHOT', 'AURORA_CLUSTER_SNAPSHOT']) {
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: `/cdk-kms-patterns/snapshot-region-copy/dr/${type}`, Value: '0', Type: 'String' });
    }
  });

  test('the role deletes only EBS snapshots it tagged, and RDS snapshots named with its prefix', () => {
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'ec2:DeleteSnapshot',
          Condition: { StringEquals: { 'aws:ResourceTag/cdk-kms-patterns:snapshot-region-copy': 'dr' } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'rds:DeleteDBSnapshot',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${DEST}:${ACCOUNT}:snapshot:dr-db-*`]] },
        })]),
      },
    });
    // EC2 may tag only the snapshots CopySnapshot creates.
    expect(policy).toContain('"ec2:CreateAction":"CopySnapshot"');
    // nothing deletes snapshots of the source Region
    expect(policy).not.toMatch(/Delete[^"]*"[^\]]*eu-west-1/);
  });

  test('forwarded completion events of the source Region start copies', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ec2'],
        'detail-type': ['EBS Snapshot Notification'],
        'region': [SOURCE],
        'account': [ACCOUNT],
        'detail': { event: ['createSnapshot'], result: ['succeeded'] },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { event: ['copySnapshot'], result: ['succeeded'], source: [{ prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2::${SOURCE}:`]] } }] },
      }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['RDS DB Snapshot Event'], 'detail': { EventID: ['RDS-EVENT-0042', 'RDS-EVENT-0091'] } }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['RDS DB Cluster Snapshot Event'], 'detail': { EventID: ['RDS-EVENT-0075', 'RDS-EVENT-0169'] } }),
    });
  });

  test('zero unacknowledged findings in the four cdk-nag packs', () => {
    expectNoNagFindings(stack);
  });

  test('only the chosen types, no event rules when asked', () => {
    const { stack: ebsOnly } = build({ snapshotTypes: [SnapshotType.EBS], copyOnSourceEvents: false });
    const t = Template.fromStack(ebsOnly);
    // no source-event rule; the one rule left resumes waits on the copies' own completion events
    t.resourceCountIs('AWS::Events::Rule', 1);
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ region: [DEST], detail: { event: ['createSnapshot', 'copySnapshot'], result: ['succeeded', 'failed'] } }) });
    t.resourceCountIs('AWS::SSM::Parameter', 1);
    expect(JSON.stringify(t.toJSON())).not.toContain('rds:');
    expectNoNagFindings(ebsOnly);
  });
});

describe('SnapshotRegionCopy: validation', () => {
  const make = (props: Partial<SnapshotRegionCopyProps>, region = DEST) => () => {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region } });
    new SnapshotRegionCopy(stack, 'C', { sourceRegion: SOURCE, ...props });
  };

  test('Regions', () => {
    expect(make({ sourceRegion: DEST })).toThrow(/sourceRegion must differ from the stack's Region us-east-1 .*, got 'us-east-1'/);
    expect(make({ sourceRegion: 'Ireland' })).toThrow(/sourceRegion must be a Region name such as eu-west-1 .*, got 'Ireland'/);
    expect(make({ sourceRegion: 'us-gov-west-1' })).toThrow(/AWS GovCloud \(US\) Regions are not supported \(us-gov-west-1\).*PreSignedUrl/);
    expect(make({ sourceRegion: 'us-gov-west-1' }, 'us-gov-east-1')).toThrow(/GovCloud/);
    expect(make({ sourceRegion: 'cn-north-1' }, 'cn-northwest-1')).toThrow(/RDS and Aurora cannot copy snapshots to or from the China Regions/);
    expect(make({ sourceRegion: 'cn-north-1', snapshotTypes: [SnapshotType.EBS] }, 'cn-northwest-1')).not.toThrow();
  });

  test('numbers, names and durations', () => {
    expect(make({ keepCopies: 0 })).toThrow(/keepCopies must be a whole number from 1 to 100, got 0/);
    expect(make({ keepCopies: 101 })).toThrow(/keepCopies must be a whole number from 1 to 100, got 101/);
    expect(make({ copyNamePrefix: 'DR' })).toThrow(/copyNamePrefix must be 1 to 40 lowercase letters.*got 'DR'/);
    expect(make({ copyNamePrefix: 'a--b' })).toThrow(/copyNamePrefix/);
    expect(make({ copyNamePrefix: 'dr-' })).toThrow(/copyNamePrefix/);
    expect(make({ firstPoll: Duration.seconds(10) })).toThrow(/firstPoll must be from 1 minute to 1 hour, got 10 seconds/);
    expect(make({ maxPollInterval: Duration.minutes(1) })).toThrow(/maxPollInterval must be from firstPoll \(300 seconds\) to 3 hours/);
    expect(make({ copyTimeout: Duration.days(8) })).toThrow(/copyTimeout must be from 1 hour to 7 days, got 8 days/);
    expect(make({ copyTimeout: Duration.hours(1), completionEventTimeout: Duration.hours(2) }))
      .toThrow(/completionEventTimeout must be at most copyTimeout \(1 hour\), got 2 hours/);
    expect(make({ completionEventTimeout: Duration.days(2), copyTimeout: Duration.days(3) })).toThrow(/completionEventTimeout/);
    expect(make({ snapshotTypes: [] })).toThrow(/snapshotTypes must name at least one of SnapshotType.EBS, SnapshotType.RDS_DB, SnapshotType.AURORA_CLUSTER/);
  });

  test('a kind of snapshot the Region copy cannot copy is refused, naming the prop and the kind', () => {
    // A kind SnapshotType may gain later (e.g. Redshift), which the copy workflow does not handle.
    const redshift = Object.assign(Object.create(SnapshotType.prototype), { name: 'REDSHIFT_CLUSTER', maxShareAccounts: 20 }) as SnapshotType;
    expect(make({ snapshotTypes: [SnapshotType.EBS, redshift] }))
      .toThrow(/snapshotTypes can only name kinds the Region copy can copy \(SnapshotType.EBS, SnapshotType.RDS_DB, SnapshotType.AURORA_CLUSTER\), got 'REDSHIFT_CLUSTER'/);
    expect(() => new SnapshotRegionCopyForwarder(new Stack(new App(), 'F', { env: { account: ACCOUNT, region: SOURCE } }), 'F', {
      destinationRegion: DEST, snapshotTypes: [redshift],
    })).toThrow(/snapshotTypes can only name kinds the Region copy can copy .*got 'REDSHIFT_CLUSTER'/);
  });

  test('the default prefix: stable, unique to the construct path, a valid RDS identifier start', () => {
    const prefixOf = (stackName: string) => {
      const stack = new Stack(new App(), stackName, { env: { account: ACCOUNT, region: DEST } });
      return new SnapshotRegionCopy(stack, 'Copy', { sourceRegion: SOURCE }).copyNamePrefix;
    };
    expect(prefixOf('A')).toMatch(/^region-copy-[0-9a-f]{8}$/);
    expect(prefixOf('A')).toBe(prefixOf('A'));
    expect(prefixOf('A')).not.toBe(prefixOf('B'));
  });

  test('the key: symmetric, of the destination Region', () => {
    expect(() => {
      const app = new App();
      const keys = new Stack(app, 'K', { env: { account: ACCOUNT, region: DEST } });
      const key = new EncryptionKey(keys, 'Sign', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });
      new SnapshotRegionCopy(keys, 'C', { sourceRegion: SOURCE, encryptionKey: key });
    }).toThrow(/encryptionKey must be a SYMMETRIC_DEFAULT key/);
    expect(() => {
      const app = new App();
      const keys = new Stack(app, 'K', { env: { account: ACCOUNT, region: SOURCE } });
      const key = new EncryptionKey(keys, 'Key');
      const dr = new Stack(app, 'D', { env: { account: ACCOUNT, region: DEST } });
      new SnapshotRegionCopy(dr, 'C', { sourceRegion: 'eu-central-1', encryptionKey: key });
    }).toThrow(/encryptionKey must be a key in the stack's Region us-east-1 .*, got 'eu-west-1'/);
  });
});

describe('SnapshotRegionCopy: the definition', () => {
  const { stack, copy } = build();
  const definition = extractDefinition(stack, copy.stateMachine);

  test('the committed diagram (docs/diagrams/snapshot-region-copy.mmd) is drawn from this definition', () => {
    // Rendered by `npx projen diagrams` (scripts/render-diagrams.ts) from the same configuration.
    const file = path.join(DIAGRAM_DIR, 'snapshot-region-copy.mmd');
    const content = mermaid('SnapshotRegionCopy (EBS, RDS DB and Aurora cluster snapshots)', definition);
    expect(fs.readFileSync(file, 'utf8')).toEqual(content);
    expect(content).toMatch(/CopyEbsSnapshot -\.->\|States\.ALL\| NotifyFailure/);
  });

  test('is valid ASL', () => {
    expect(aslValidationErrors(definition)).toEqual([]);
  });

  test('every aws-sdk task names a real operation and real parameters, as Step Functions names them (botocore models)', () => {
    expect(sdkModelErrors(definition)).toEqual([]);
  });

  test('the RDS tasks use Step Functions\' member names, not botocore\'s', () => {
    expect(definition.States.DescribeDbCopy).toMatchObject({ Parameters: { 'DbSnapshotIdentifier.$': '$.copy.id' }, ResultSelector: { 'snapshot.$': '$.DbSnapshots[0]' } });
    expect(definition.States.CopyClusterSnapshot).toMatchObject({ ResultSelector: { 'id.$': '$.DbClusterSnapshot.DbClusterSnapshotIdentifier' } });
    expect(JSON.stringify(definition)).not.toMatch(/"(DBSnapshotIdentifier|DBClusterSnapshotIdentifier)(\.\$)?"|\$\.DB(Cluster)?Snapshot/);
  });

  test('RDS copies name the source by ARN and the destination key; EBS copies pass SourceRegion; no PreSignedUrl', () => {
    const text = JSON.stringify(definition);
    expect(definition.States.CopyEbsSnapshot).toMatchObject({ Parameters: { SourceRegion: SOURCE, Encrypted: true, KmsKeyId: expect.stringContaining(`:kms:${DEST}:`) } });
    expect(definition.States.CopyDbSnapshot).toMatchObject({ Parameters: { 'SourceDBSnapshotIdentifier.$': '$.source.arn', 'KmsKeyId': expect.stringContaining(`:kms:${DEST}:`) } });
    expect(text).not.toMatch(/PreSignedUrl|PresignedUrl/i);
  });
});

/** The names the sequence parameters give each kind (the first release's input names). */
const COPY_INPUT_NAMES: Record<string, string> = { EBS: 'EBS_SNAPSHOT', RDS_DB: 'RDS_DB_SNAPSHOT', AURORA_CLUSTER: 'AURORA_CLUSTER_SNAPSHOT' };

/** Runs the workflow against a fake account; the sequence parameters start at 0. */
async function run(fake: RegionFake, input: JsonValue, props: Partial<SnapshotRegionCopyProps> = {}) {
  const { stack, copy } = build(props);
  const definition = extractDefinition(stack, copy.stateMachine);
  for (const type of copy.snapshotTypes) {
    const name = `/cdk-kms-patterns/snapshot-region-copy/${copy.copyNamePrefix}/${COPY_INPUT_NAMES[type.name]}`;
    if (!fake.parameters.has(name)) fake.parameters.set(name, '0');
  }
  const context = { Execution: { Id: `arn:aws:states:${DEST}:${ACCOUNT}:execution:copy:run-${fake.calls.length}`, Input: input }, Task: { Token: `token-${fake.calls.length}` } };
  // The completion events of the copies start the construct's callback machine (event-wait.ts).
  const callback = (copy.node.tryFindChild('CompletionEvents') as CompletionWaits | undefined)?.callback;
  fake.callback = callback ? extractDefinition(stack, callback) : undefined;
  return runStateMachine(definition, { input, taskHandlers: fake.handlers(definition), context });
}

function world(behaviour: RegionFakeBehaviour = {}): RegionFake {
  const fake = new RegionFake(ACCOUNT, DEST, behaviour);
  fake.add({ id: 'snap-0123456789abcdef0', kind: 'EBS', region: SOURCE, kmsKeyId: SOURCE_KEY });
  fake.add({ id: 'orders-2026-12-01', kind: 'RDS_DB', region: SOURCE, kmsKeyId: SOURCE_KEY });
  fake.add({ id: 'ledger-2026-12-01', kind: 'AURORA_CLUSTER', region: SOURCE, kmsKeyId: SOURCE_KEY });
  // Snapshots the workflow must never touch: the user's own in the destination Region, and another copier's.
  fake.add({ id: 'snap-00000000000000abc', kind: 'EBS', region: DEST, tags: { Name: 'mine' } });
  fake.add({ id: 'snap-00000000000000def', kind: 'EBS', region: DEST, tags: { 'cdk-kms-patterns:snapshot-region-copy': 'other', 'cdk-kms-patterns:copy-sequence': '1' } });
  fake.add({ id: 'dr-db-manual', kind: 'RDS_DB', region: DEST });
  return fake;
}

const NEVER_TOUCHED = ['snap-00000000000000abc', 'snap-00000000000000def', 'dr-db-manual', 'snap-0123456789abcdef0', 'orders-2026-12-01', 'ledger-2026-12-01'];

describe('SnapshotRegionCopy: offline executions', () => {
  test('EBS from a forwarded event (snapshot ARN): copied under the destination key, tagged, waited for', async () => {
    const fake = world();
    const r = await run(fake, { snapshotType: 'EBS', sourceSnapshotId: `arn:aws:ec2::${SOURCE}:snapshot/snap-0123456789abcdef0` });
    expect(r.status).toBe('SUCCEEDED');
    const copies = fake.in(DEST, 'EBS').filter(s => s.tags['cdk-kms-patterns:snapshot-region-copy'] === 'dr');
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ state: 'available', kmsKeyId: expect.stringContaining(`:kms:${DEST}:${ACCOUNT}:key/`), tags: { 'cdk-kms-patterns:copy-sequence': '1' } });
    // resumed by the copy's completion event (event-wait.ts), then described once
    expect(r.visitedStates.filter(s => s === 'DescribeEbsCopy')).toHaveLength(1);
    expect(fake.callbackRuns.map(c => c.visitedStates.includes('Resume'))).toEqual([true]);
    const call = fake.calls.find(c => c.operation === 'ec2:copySnapshot')!.input as Record<string, unknown>;
    expect(call).toMatchObject({ SourceRegion: SOURCE, SourceSnapshotId: 'snap-0123456789abcdef0', Encrypted: true });
    expect(fake.parameters.get('/cdk-kms-patterns/snapshot-region-copy/dr/EBS_SNAPSHOT')).toBe('1');
  });

  test('EBS: keeps the N most recent copies it made, never deletes others', async () => {
    const fake = world();
    for (let i = 0; i < 5; i++) {
      const r = await run(fake, { snapshotType: 'EBS', sourceSnapshotId: 'snap-0123456789abcdef0' }, { keepCopies: 3 });
      expect(r.status).toBe('SUCCEEDED');
    }
    const mine = fake.in(DEST, 'EBS').filter(s => s.tags['cdk-kms-patterns:snapshot-region-copy'] === 'dr');
    expect(mine.map(s => s.tags['cdk-kms-patterns:copy-sequence']).sort()).toEqual(['3', '4', '5']);
    expect(fake.deleted).toHaveLength(2);
    for (const id of NEVER_TOUCHED) expect(fake.deleted).not.toContain(id);
    expect([...fake.snapshots.values()].map(s => s.id)).toEqual(expect.arrayContaining(NEVER_TOUCHED));
  });

  test('RDS DB snapshot by ARN and by identifier; the 8th copy deletes the 1st; others survive', async () => {
    const fake = world();
    const first = await run(fake, { snapshotType: 'RDS_DB', sourceSnapshotId: `arn:aws:rds:${SOURCE}:${ACCOUNT}:snapshot:orders-2026-12-01` });
    expect(first.status).toBe('SUCCEEDED');
    expect(fake.in(DEST, 'RDS_DB').map(s => s.id)).toEqual(['dr-db-manual', 'dr-db-1']);
    const copyCall = fake.calls.find(c => c.operation === 'rds:copyDBSnapshot')!.input;
    expect(copyCall).toMatchObject({ SourceDBSnapshotIdentifier: `arn:aws:rds:${SOURCE}:${ACCOUNT}:snapshot:orders-2026-12-01`, TargetDBSnapshotIdentifier: 'dr-db-1' });
    for (let i = 0; i < 7; i++) {
      const r = await run(fake, { snapshotType: 'RDS_DB', sourceSnapshotId: 'orders-2026-12-01' });
      expect(r.status).toBe('SUCCEEDED');
    }
    expect(fake.in(DEST, 'RDS_DB').map(s => s.id).sort()).toEqual(['dr-db-2', 'dr-db-3', 'dr-db-4', 'dr-db-5', 'dr-db-6', 'dr-db-7', 'dr-db-8', 'dr-db-manual']);
    expect(fake.deleted).toEqual(['dr-db-1']);
  });

  test('Aurora cluster snapshot', async () => {
    const fake = world();
    const r = await run(fake, { snapshotType: 'AURORA_CLUSTER', sourceSnapshotId: 'ledger-2026-12-01' });
    expect(r.status).toBe('SUCCEEDED');
    expect(fake.in(DEST, 'AURORA_CLUSTER')).toEqual([expect.objectContaining({ id: 'dr-cluster-1', state: 'available' })]);
    expect(r.visitedStates).toContain('DeleteExpiredClusterCopy');
    expect(r.visitedStates[r.visitedStates.length - 1]).toBe('ClusterCopied');
  });

  test('a name another execution took: the next sequence number', async () => {
    const fake = world();
    fake.add({ id: 'dr-db-1', kind: 'RDS_DB', region: DEST, tags: { 'cdk-kms-patterns:snapshot-region-copy': 'dr' } });
    const r = await run(fake, { snapshotType: 'RDS_DB', sourceSnapshotId: 'orders-2026-12-01' });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.caught[0]).toEqual({ state: 'CopyDbSnapshot', error: 'Rds.DbSnapshotAlreadyExistsException', next: 'DbReadSequence' });
    expect(fake.in(DEST, 'RDS_DB').map(s => s.id)).toContain('dr-db-2');
  });

  test('throttling is retried', async () => {
    const fake = world({ throttle: { 'ec2:copySnapshot': 2, 'ssm:getParameter': 1 } });
    const r = await run(fake, { snapshotType: 'EBS', sourceSnapshotId: 'snap-0123456789abcdef0' });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.retries.map(x => x.state)).toEqual(['EbsReadSequence', 'CopyEbsSnapshot', 'CopyEbsSnapshot']);
  });

  test('a copy in the error state (its failure event lost): found by the describe after the event timeout; notified, failed, nothing deleted', async () => {
    const fake = world({ copyFails: true, completionEvents: 'lose' });
    const r = await run(fake, { snapshotType: 'EBS', sourceSnapshotId: 'snap-0123456789abcdef0' });
    expect(r).toMatchObject({ status: 'FAILED', error: 'SnapshotRegionCopyFailed' });
    expect(r.visitedStates).toEqual(expect.arrayContaining(['EbsCopyNoEvent', 'EbsCopyForgetToken', 'EbsCopyError', 'NotifyFailure', 'CopyFailed']));
    expect(fake.published).toEqual([expect.objectContaining({ error: expect.objectContaining({ Error: 'CopyFailed', Cause: expect.stringMatching(/is in state error/) }) })]);
    expect([...fake.tokens.keys()]).toEqual([]);
    expect(fake.deleted).toEqual([]);
  });

  test('a source that does not exist: notified, failed', async () => {
    const fake = world();
    const r = await run(fake, { snapshotType: 'RDS_DB', sourceSnapshotId: 'nope' });
    expect(r.status).toBe('FAILED');
    expect(fake.published).toEqual([expect.objectContaining({ error: expect.objectContaining({ Error: 'Rds.DbSnapshotNotFoundException' }) })]);
  });

  test('the polling budget spent: timed out, notified', async () => {
    const fake = world({ pollsToComplete: 1000 });
    const r = await run(fake, { snapshotType: 'AURORA_CLUSTER', sourceSnapshotId: 'ledger-2026-12-01' }, { copyTimeout: Duration.hours(2) });
    expect(r.status).toBe('FAILED');
    expect(r.visitedStates).toContain('ClusterCopyTimedOut');
    expect(fake.published).toEqual([expect.objectContaining({ error: expect.objectContaining({ Error: 'CopyTimedOut' }) })]);
  });

  test('one vocabulary: the input names kinds as SnapshotType.name does; the first release\'s names are still accepted', async () => {
    for (const [input, kind] of [['EBS', 'EBS'], ['EBS_SNAPSHOT', 'EBS'], ['RDS_DB', 'RDS_DB'], ['RDS_DB_SNAPSHOT', 'RDS_DB'],
      ['AURORA_CLUSTER', 'AURORA_CLUSTER'], ['AURORA_CLUSTER_SNAPSHOT', 'AURORA_CLUSTER']] as const) {
      const fake = world();
      const source = { EBS: 'snap-0123456789abcdef0', RDS_DB: 'orders-2026-12-01', AURORA_CLUSTER: 'ledger-2026-12-01' }[kind];
      const r = await run(fake, { snapshotType: input, sourceSnapshotId: source });
      expect(r.status).toBe('SUCCEEDED');
      expect(fake.in(DEST, kind).filter(s => s.tags['cdk-kms-patterns:snapshot-region-copy'] === 'dr')).toHaveLength(1);
    }
    // the rules started by forwarded events use the SnapshotType names
    const { stack } = build();
    const inputs = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))
      .filter(r => r.Properties.Targets[0].InputTransformer) // not the completion-event rule (the event itself is its input)
      .map(r => JSON.parse(r.Properties.Targets[0].InputTransformer.InputTemplate.replace(/<[^>]+>/g, '"x"')).snapshotType as string);
    expect(inputs.sort()).toEqual(['AURORA_CLUSTER', 'EBS', 'EBS', 'RDS_DB']);
  });

  test('invalid input and a type not configured: notified, failed', async () => {
    for (const input of [{ snapshotType: 'EBS' }, { snapshotType: 'REDSHIFT', sourceSnapshotId: 'x' }, { snapshotType: 'EBS', sourceSnapshotId: 7 }]) {
      const fake = world();
      const r = await run(fake, input as JsonValue, { snapshotTypes: [SnapshotType.EBS] });
      expect(r.status).toBe('FAILED');
      expect(r.visitedStates.slice(0, 2)).toEqual(['Route', 'InvalidInput']);
      expect(fake.calls.map(c => c.operation)).toEqual(['sns:publish']);
    }
  });
});

describe('SnapshotRegionCopy: the destination key, simulated', () => {
  const app = new App();
  const stack = new Stack(app, 'Dr', { env: { account: ACCOUNT, region: DEST } });
  const copy = new SnapshotRegionCopy(stack, 'Copy', { sourceRegion: SOURCE, copyNamePrefix: 'dr' });
  app.synth();
  const w = PolicyWorld.fromStacks([stack]);
  const stats = new ServiceAccessStats();
  const role = copy.stateMachine.role;
  const actors = [{ label: 'the copy workflow role', principal: role, steps: ['copy', 'write'] as const }];
  const topicArn = w.resolve(copy.failureTopic.topicArn, copy.failureTopic) as string;
  const logGroupArn = `arn:aws:logs:{region}:{account}:log-group:${w.resolve(copy.logGroup.logGroupName, copy.logGroup) as string}`;
  const rows: ServiceAccessRow[] = [
    ...serviceAccessRows(w, {
      label: 'EBS copy into the key',
      key: copy.encryptionKey,
      account: ACCOUNT,
      region: DEST,
      services: ['ebs'],
      flags: ['copyDestination'],
      facts: { snapshotId: 'snap-0fedcba9876543210' },
      actors: actors.map(a => ({ ...a, steps: ['copy'] })),
    }),
    ...serviceAccessRows(w, {
      label: 'RDS copy from another Region',
      key: copy.encryptionKey,
      account: ACCOUNT,
      region: DEST,
      services: ['rds'],
      flags: ['crossRegionCopy'],
      actors: actors.map(a => ({ ...a, steps: ['copy'] })),
    }),
    ...serviceAccessRows(w, {
      label: 'failure topic',
      key: copy.encryptionKey,
      account: ACCOUNT,
      region: DEST,
      services: ['sns'],
      facts: { topicArn, publisherPrincipal: 'events.amazonaws.com', publisherArn: 'x' },
      actors: actors.map(a => ({ ...a, steps: ['write'] })),
    }).filter(r => r.model.api === 'Publish'),
    ...serviceAccessRows(w, { label: 'workflow logs', key: copy.encryptionKey, account: ACCOUNT, region: DEST, services: ['logs'], facts: { logGroupArn }, actors: [deployer(stack, [])] }),
    // The state machine's definition and execution data under the key (CustomerManagedEncryptionConfiguration).
    ...serviceAccessRows(w, {
      label: 'workflow data',
      key: copy.encryptionKey,
      account: ACCOUNT,
      region: DEST,
      services: ['states'],
      facts: { stateMachineArn: w.resolve(copy.stateMachine.stateMachineArn, copy.stateMachine) as string },
      actors: [deployer(stack, ['create']), { label: 'the copy workflow role', principal: role, steps: ['write', 'read'] }],
    }),
    ...keyDeploymentRows(w),
  ];
  defineServiceChecks(w, rows, stats);
  afterAll(() => console.log(stats.summary('test/snapshots/snapshot-region-copy.test.ts')));
});

describe('SnapshotRegionCopyForwarder', () => {
  test('forwards EBS and RDS completion events to the destination Region\'s default bus, with a role that may only put events there', () => {
    const app = new App();
    const stack = new Stack(app, 'Src', { env: { account: ACCOUNT, region: SOURCE } });
    new SnapshotRegionCopyForwarder(stack, 'Forward', { destinationRegion: DEST });
    const t = Template.fromStack(stack);
    const bus = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${DEST}:${ACCOUNT}:event-bus/default`]] };
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.ec2'], 'detail-type': ['EBS Snapshot Notification'], 'detail': { event: ['createSnapshot', 'copySnapshot'], result: ['succeeded'] } },
      Targets: [Match.objectLike({ Arn: bus, RoleArn: Match.anyValue() })],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.rds'],
        'detail-type': ['RDS DB Snapshot Event', 'RDS DB Cluster Snapshot Event'],
        'detail': { EventID: ['RDS-EVENT-0042', 'RDS-EVENT-0091', 'RDS-EVENT-0075', 'RDS-EVENT-0169'] },
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: bus }] } });
    expectNoNagFindings(stack);
  });

  test('validation', () => {
    const stack = new Stack(new App(), 'Src', { env: { account: ACCOUNT, region: SOURCE } });
    expect(() => new SnapshotRegionCopyForwarder(stack, 'A', { destinationRegion: SOURCE })).toThrow(/destinationRegion must differ from the stack's Region eu-west-1/);
    expect(() => new SnapshotRegionCopyForwarder(stack, 'B', { destinationRegion: 'us-gov-east-1' })).toThrow(/GovCloud/);
  });
});
