/**
 * Cross-account AND cross-Region shares (issue #14): the source account shares an RDS DB snapshot in
 * eu-west-1, the target account's workflow runs in us-east-1 (Step Functions calls services only in
 * its own Region) and copies the shared snapshot into us-east-1 in one `CopyDBSnapshot` call:
 * "You can also specify an ARN of a snapshot that is in a different account and a different AWS
 * Region" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBSnapshot.html).
 * EventBridge delivers between accounts in different Regions
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html). EBS and Aurora
 * have no documented single step and are refused, pointing at the two-step path.
 *
 * Proof: the templates (buses, rules, roles, IAM), asl-validator and botocore's models for both
 * definitions, cdk-nag, an offline run of both sides against two in-memory Regions, and the source
 * key's policy simulated for the target account's copy in us-east-1.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { FakeAws } from './fake-aws';
import { CONTEXT } from './share-run';
import { SnapshotShareTargetDrStack } from '../../examples/snapshot-share-dr';
import { SnapshotShareSourceStack } from '../../examples/snapshots';
import { EncryptionKey } from '../../src/keys/encryption-key';
import { SnapshotRegionCopy, SnapshotRegionCopyForwarder } from '../../src/snapshots/snapshot-region-copy';
import { SnapshotShareSource } from '../../src/snapshots/snapshot-share-source';
import { SnapshotShareTarget } from '../../src/snapshots/snapshot-share-target';
import { ShareTarget, SnapshotType } from '../../src/snapshots/snapshot-type';
import { expectNoNagFindings } from '../harness/compliance';
import { matchEvents } from '../harness/event-patterns';
import { sdkModelErrors } from '../harness/sdk-models';
import { defineServiceChecks, KMS_ALL, keyDeploymentRows, ServiceAccessStats, serviceAccessRows } from '../harness/service-access';
import { expectAccess, PolicyWorld } from '../harness/simulate';
import { AslDefinition, extractDefinition, JsonValue, runStateMachine, StateMachineRun, taskError, TaskHandler, validateAsl } from '../harness/state-machine';

const SOURCE_ACCOUNT = '111111111111';
const TARGET_ACCOUNT = '222222222222';
const SOURCE_REGION = 'eu-west-1';
const TARGET_REGION = 'us-east-1';
const BUS = 'cdk-kms-patterns-snapshot-share-rds-db';

interface CrossRegionWorld {
  readonly sourceStack: Stack;
  readonly targetStack: Stack;
  readonly source: SnapshotShareSource;
  readonly target: SnapshotShareTarget;
  readonly sourceDefinition: AslDefinition;
  readonly targetDefinition: AslDefinition;
  readonly sourceKeyArn: string;
  readonly targetKeyArn: string;
}

function keyArn(stack: Stack, key: EncryptionKey): string {
  return `arn:aws:kms:${stack.region}:${stack.account}:key/${stack.getLogicalId(key.node.defaultChild as kms.CfnKey)}`;
}

function crossRegionWorld(): CrossRegionWorld {
  const app = new App();
  const sourceStack = new Stack(app, 'Source', { env: { account: SOURCE_ACCOUNT, region: SOURCE_REGION } });
  const targetStack = new Stack(app, 'Target', { env: { account: TARGET_ACCOUNT, region: TARGET_REGION } });
  const sourceKey = new EncryptionKey(sourceStack, 'ShareKey');
  const targetKey = new EncryptionKey(targetStack, 'CopyKey');
  const source = new SnapshotShareSource(sourceStack, 'Share', {
    snapshotType: SnapshotType.RDS_DB,
    targets: [ShareTarget.accountInRegion(TARGET_ACCOUNT, TARGET_REGION)],
    encryptionKey: sourceKey,
  });
  const target = new SnapshotShareTarget(targetStack, 'Receive', {
    snapshotType: SnapshotType.RDS_DB,
    sourceAccounts: [SOURCE_ACCOUNT],
    sourceRegion: SOURCE_REGION,
    encryptionKey: targetKey,
    restore: { dbInstanceClass: 'db.t4g.micro' },
  });
  return {
    sourceStack,
    targetStack,
    source,
    target,
    sourceDefinition: extractDefinition(sourceStack, source.stateMachine),
    targetDefinition: extractDefinition(targetStack, target.stateMachine),
    sourceKeyArn: keyArn(sourceStack, sourceKey),
    targetKeyArn: keyArn(targetStack, targetKey),
  };
}

const world = crossRegionWorld();

describe('cross-account cross-Region share (RDS DB snapshots): templates', () => {
  test('the source tells the target\'s bus in the target\'s Region, through a role that may put events there only', () => {
    const template = Template.fromStack(world.sourceStack);
    const targetBus = `arn:\${AWS::Partition}:events:${TARGET_REGION}:${TARGET_ACCOUNT}:event-bus/${BUS}`;
    const rules = Object.values(template.findResources('AWS::Events::Rule'))
      .filter((r) => JSON.stringify(r.Properties.EventPattern['detail-type']) === '["Snapshot Shared"]');
    expect(rules).toHaveLength(1);
    const ruleTarget = rules[0].Properties.Targets[0];
    expect(JSON.stringify(ruleTarget.Arn)).toBe(JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${TARGET_REGION}:${TARGET_ACCOUNT}:event-bus/${BUS}`]] }));
    expect(ruleTarget.RoleArn).toBeDefined();
    expect(targetBus).toContain(TARGET_REGION);
    const roleId = ruleTarget.RoleArn['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([[expect.objectContaining({
      Action: 'events:PutEvents',
      Effect: 'Allow',
      Resource: ruleTarget.Arn,
    })]]);
    // the source's bus still admits only the target account (its confirmations)
    const busPolicies = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    expect(busPolicies.map((p) => p.Properties.Statement.Principal)).toEqual([
      { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TARGET_ACCOUNT}:root`]] } },
    ]);
  });

  test('the target (in its own Region) accepts shares from the source\'s Region only and confirms to the source\'s bus there', () => {
    const template = Template.fromStack(world.targetStack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['cdk-kms-patterns.snapshot-share'],
        'detail-type': ['Snapshot Shared'],
        'account': [SOURCE_ACCOUNT],
        'detail': { targetAccount: [TARGET_ACCOUNT], snapshotType: ['RDS_DB'], sourceRegion: [SOURCE_REGION] },
      },
    });
    const confirm = Object.values(template.findResources('AWS::Events::Rule'))
      .filter((r) => JSON.stringify(r.Properties.EventPattern['detail-type']) === '["Snapshot Share Confirmed"]');
    expect(confirm).toHaveLength(1);
    expect(JSON.stringify(confirm[0].Properties.Targets[0].Arn)).toContain(`:events:${SOURCE_REGION}:${SOURCE_ACCOUNT}:event-bus/${BUS}`);
    expect(confirm[0].Properties.Targets[0].RoleArn).toBeDefined();
  });

  test('the target reads the source account\'s keys in the source Region, through RDS there, as itself', () => {
    const policy = JSON.stringify(Template.fromStack(world.targetStack).findResources('AWS::IAM::Policy'));
    expect(policy).toContain(`:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:key/*`);
    expect(policy).toContain(`"Condition":{"StringEquals":{"kms:ViaService":"rds.${SOURCE_REGION}.amazonaws.com","kms:CallerAccount":"${TARGET_ACCOUNT}"}}`);
    expect(policy).not.toContain(`:kms:${TARGET_REGION}:${SOURCE_ACCOUNT}`);
    // the copy names the shared snapshot in the source Region; the copies are made in the target's
    expect(policy).toContain(`:rds:${SOURCE_REGION}:${SOURCE_ACCOUNT}:snapshot:*`);
    expect(policy).toContain(`:rds:${TARGET_REGION}:${TARGET_ACCOUNT}:snapshot:share-*`);
    expect(policy).not.toMatch(/rds:Delete/);
  });

  test('one CopyDBSnapshot: the shared snapshot\'s ARN, this Region\'s key, no PreSignedUrl; no describe of the other Region\'s snapshot', () => {
    const states = world.targetDefinition.States;
    expect(states.CopySnapshot).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:rds:copyDBSnapshot',
      Parameters: { 'SourceDBSnapshotIdentifier.$': '$.share.snapshotArn', 'KmsKeyId': world.targetKeyArn },
    });
    expect(world.targetKeyArn).toContain(`:kms:${TARGET_REGION}:`);
    expect(JSON.stringify(states.CopySnapshot.Parameters)).not.toMatch(/PreSignedUrl|SourceRegion/);
    expect(Object.keys(states).filter((s) => s.startsWith('Shared'))).toEqual([]);
    expect(states.ReadShare.Next).toBe('NameCopy');
  });

  test('both definitions are valid ASL and every aws-sdk task names real operations and parameters (botocore models)', () => {
    validateAsl(world.sourceDefinition);
    validateAsl(world.targetDefinition);
    expect(sdkModelErrors(world.sourceDefinition)).toEqual([]);
    expect(sdkModelErrors(world.targetDefinition)).toEqual([]);
  });

  test('zero unacknowledged findings in the four cdk-nag packs, both sides', () => {
    expectNoNagFindings(world.sourceStack);
    expectNoNagFindings(world.targetStack);
  });
});

describe('cross-account cross-Region share: refused where AWS documents no single step', () => {
  const stacks = (sourceRegion = SOURCE_REGION, targetRegion = TARGET_REGION) => {
    const app = new App();
    return {
      source: new Stack(app, 'S', { env: { account: SOURCE_ACCOUNT, region: sourceRegion } }),
      target: new Stack(app, 'T', { env: { account: TARGET_ACCOUNT, region: targetRegion } }),
    };
  };

  test.each([
    ['EBS', SnapshotType.EBS, 'EBS snapshots'],
    ['AURORA_CLUSTER', SnapshotType.AURORA_CLUSTER, 'Aurora DB cluster snapshots'],
  ])('%s: both sides point at the two-step path (a share in the source Region, then SnapshotRegionCopy)', (_name, type, noun) => {
    const { source, target } = stacks();
    const message = new RegExp(`${noun} cannot be copied across accounts and Regions in one step .* share in ${SOURCE_REGION} instead `
      + `\\(ShareTarget.account and a SnapshotShareTarget in ${SOURCE_REGION}\\), then copy with a SnapshotRegionCopy in ${TARGET_REGION} of the target account`);
    expect(() => new SnapshotShareSource(source, 'X', { snapshotType: type, targets: [ShareTarget.accountInRegion(TARGET_ACCOUNT, TARGET_REGION)] }))
      .toThrow(message);
    expect(() => new SnapshotShareTarget(target, 'X', { snapshotType: type, sourceAccounts: [SOURCE_ACCOUNT], sourceRegion: SOURCE_REGION }))
      .toThrow(message);
    // nothing was created before the check
    expect(source.node.tryFindChild('X')).toBeUndefined();
    expect(target.node.tryFindChild('X')).toBeUndefined();
  });

  test('GovCloud: a cross-Region copy would need a PreSignedUrl signed in the source Region; China: RDS cannot copy there', () => {
    const gov = stacks('us-gov-west-1', 'us-gov-east-1');
    expect(() => new SnapshotShareTarget(gov.target, 'X', { snapshotType: SnapshotType.RDS_DB, sourceAccounts: [SOURCE_ACCOUNT], sourceRegion: 'us-gov-west-1' }))
      .toThrow(/cross-Region shares in AWS GovCloud \(US\) are not supported \(us-gov-west-1\): CopyDBSnapshot there needs a PreSignedUrl signed in the source Region/);
    expect(() => new SnapshotShareSource(gov.source, 'X', { snapshotType: SnapshotType.RDS_DB, targets: [ShareTarget.accountInRegion(TARGET_ACCOUNT, 'us-gov-east-1')] }))
      .toThrow(/PreSignedUrl/);
    // within one GovCloud Region nothing needs a pre-signed URL
    expect(() => new SnapshotShareTarget(stacks('us-gov-west-1', 'us-gov-west-1').target, 'X', { snapshotType: SnapshotType.RDS_DB, sourceAccounts: [SOURCE_ACCOUNT] }))
      .not.toThrow();
    const china = stacks('cn-north-1', 'cn-northwest-1');
    expect(() => new SnapshotShareTarget(china.target, 'X', { snapshotType: SnapshotType.RDS_DB, sourceAccounts: [SOURCE_ACCOUNT], sourceRegion: 'cn-north-1' }))
      .toThrow(/RDS cannot copy snapshots to or from the China Regions \(cn-north-1\)/);
  });

  test('Region names are checked', () => {
    expect(() => ShareTarget.accountInRegion(TARGET_ACCOUNT, 'Virginia')).toThrow("ShareTarget.accountInRegion region must be a Region name such as us-east-1 (a literal, not a token), got 'Virginia'");
    expect(() => ShareTarget.accountInRegion('12', TARGET_REGION)).toThrow("ShareTarget.accountInRegion accountId must be a 12-digit AWS account id, got '12'");
    expect(() => new SnapshotShareTarget(stacks().target, 'X', { snapshotType: SnapshotType.RDS_DB, sourceAccounts: [SOURCE_ACCOUNT], sourceRegion: 'eu_west_1' }))
      .toThrow("sourceRegion must be a Region name such as eu-west-1 (a literal, not a token), got 'eu_west_1'");
    expect(ShareTarget.account(TARGET_ACCOUNT).region).toBeUndefined();
    expect(ShareTarget.accountInRegion(TARGET_ACCOUNT, TARGET_REGION).region).toBe(TARGET_REGION);
  });
});

/**
 * Two Regions: `source` is eu-west-1 (the source account's snapshots and key), `dest` is us-east-1
 * (the target account's key and copies). The target workflow's tasks run in us-east-1; its
 * CopyDBSnapshot reads the shared snapshot from eu-west-1 as AWS documents it: the source named by
 * its ARN in the source Region, shared with the caller, its key usable by the caller, the copy's
 * key a key of the destination Region.
 */
function crossRegionCopy(source: FakeAws, dest: FakeAws): TaskHandler {
  return (params) => {
    const input = params as Record<string, unknown>;
    dest.calls.push({ account: TARGET_ACCOUNT, operation: 'rds:copyDBSnapshot', input: structuredClone(input) as JsonValue });
    const arn = /^arn:aws:rds:([a-z0-9-]+):(\d{12}):snapshot:(.+)$/.exec(String(input.SourceDBSnapshotIdentifier));
    if (!arn || arn[1] !== SOURCE_REGION) {
      throw taskError('Rds.DbSnapshotNotFoundException', `a snapshot of another Region is named by its ARN in that Region, got ${input.SourceDBSnapshotIdentifier}`);
    }
    const shared = source.find(TARGET_ACCOUNT, 'RDS_DB', String(input.SourceDBSnapshotIdentifier));
    if (!shared || shared.state !== 'available') throw taskError('Rds.DbSnapshotNotFoundException', `${input.SourceDBSnapshotIdentifier} not found`);
    if (!source.canUse(TARGET_ACCOUNT, shared.kmsKeyId)) throw taskError('Rds.KmsKeyNotAccessibleException', `cannot use the key ${shared.kmsKeyId}`);
    const keyArnGiven = String(input.KmsKeyId);
    const key = dest.keys.get(keyArnGiven);
    if (!keyArnGiven.startsWith(`arn:aws:kms:${TARGET_REGION}:`) || !key || key.account !== TARGET_ACCOUNT || !key.enabled) {
      throw taskError('Rds.KmsKeyNotAccessibleException', `the copy's key must be a usable key of ${TARGET_REGION}, got ${keyArnGiven}`);
    }
    const id = String(input.TargetDBSnapshotIdentifier);
    if (dest.snapshots.has(dest.keyOf(TARGET_ACCOUNT, 'RDS_DB', id))) throw taskError('Rds.DbSnapshotAlreadyExistsException', `${id} already exists`);
    const copy = dest.addSnapshot({ id, kind: 'RDS_DB', account: TARGET_ACCOUNT, kmsKeyId: keyArnGiven, pollsLeft: 2 });
    Object.assign(copy, { origin: `copy of ${shared.id} from ${SOURCE_REGION}` });
    for (const t of (input.Tags as Array<{ Key: string; Value: string }>) ?? []) copy.tags[t.Key] = t.Value;
    return { DbSnapshot: { DbSnapshotIdentifier: id } };
  };
}

interface CrossRegionRun {
  readonly source: StateMachineRun;
  readonly targets: StateMachineRun[];
  readonly sharedEvents: unknown[];
}

/** Both sides: the source in eu-west-1, its event delivered (if the target's rule matches it) to the target in us-east-1. */
async function runCrossRegion(source: FakeAws, dest: FakeAws, input: JsonValue): Promise<CrossRegionRun> {
  const targets: StateMachineRun[] = [];
  const sharedEvents: unknown[] = [];
  const pattern = Object.values(Template.fromStack(world.targetStack).findResources('AWS::Events::Rule'))
    .find((r) => JSON.stringify(r.Properties.EventPattern['detail-type']) === '["Snapshot Shared"]')!.Properties.EventPattern;
  const tellTarget: TaskHandler = async (params) => {
    const entry = (params as { Entries: Array<{ Detail: Record<string, JsonValue>; DetailType: string; Source: string }> }).Entries[0];
    // Forwarded across Regions and accounts, an event keeps its account and Region of origin.
    const event = { 'version': '0', 'id': 'e1', 'detail-type': entry.DetailType, 'source': entry.Source, 'account': SOURCE_ACCOUNT, 'region': SOURCE_REGION, 'detail': entry.Detail };
    sharedEvents.push(event);
    if (!matchEvents([{ pattern, event }])[0]) throw taskError('States.Timeout', 'the target\'s rule did not match the event: nobody confirmed');
    const before = dest.events.length;
    const run = await runStateMachine(world.targetDefinition, {
      input: event as unknown as JsonValue,
      taskHandlers: { ...dest.handlers(world.targetDefinition, TARGET_ACCOUNT), CopySnapshot: crossRegionCopy(source, dest) },
      context: { ...CONTEXT, Execution: { Id: `arn:aws:states:${TARGET_REGION}:${TARGET_ACCOUNT}:execution:receive:offline-1`, Name: 'offline-1' } },
    });
    targets.push(run);
    const confirmation = dest.events.slice(before)[0];
    if (!confirmation) throw taskError('States.Timeout', 'the target never confirmed');
    const detail = (confirmation.entries as Array<{ Detail: Record<string, JsonValue> }>)[0].Detail;
    if (detail.taskToken !== entry.Detail.taskToken) throw new Error(`the target confirmed another task token: ${detail.taskToken}`);
    if (detail.status === 'COPIED') return detail;
    throw taskError('TargetCopyFailed', `account ${TARGET_ACCOUNT}: ${detail.cause}`);
  };
  const run = await runStateMachine(world.sourceDefinition, {
    input,
    taskHandlers: source.handlers(world.sourceDefinition, SOURCE_ACCOUNT, { TellTarget: tellTarget }),
    context: CONTEXT,
  });
  return { source: run, targets, sharedEvents };
}

describe('cross-account cross-Region share: both sides run offline (eu-west-1 to us-east-1)', () => {
  const ORIGINAL = 'rds:orders-2026-12-01-00-00';
  const regions = (targetKeyEnabled = true) => {
    const source = new FakeAws();
    const dest = new FakeAws();
    source.addKey(world.sourceKeyArn, { sharedWith: [TARGET_ACCOUNT] });
    dest.addKey(world.targetKeyArn, { enabled: targetKeyEnabled });
    const original = source.addSnapshot({ id: ORIGINAL, kind: 'RDS_DB', account: SOURCE_ACCOUNT, kmsKeyId: source.awsManagedKey(SOURCE_ACCOUNT, 'rds').arn });
    return { source, dest, original };
  };

  test('the shared snapshot is copied into us-east-1 under the target\'s key, restored there, confirmed; the source cleans up', async () => {
    const { source, dest, original } = regions();

    const run = await runCrossRegion(source, dest, { snapshotId: ORIGINAL });

    expect(run.source.status).toBe('SUCCEEDED');
    expect(run.targets.map((t) => t.status)).toEqual(['SUCCEEDED']);
    expect(run.sharedEvents).toEqual([expect.objectContaining({
      region: SOURCE_REGION,
      detail: expect.objectContaining({ sourceRegion: SOURCE_REGION, targetAccount: TARGET_ACCOUNT }),
    })]);
    // one copy in us-east-1, under the us-east-1 key, made in one call from the eu-west-1 ARN
    const copies = dest.snapshotsOf(TARGET_ACCOUNT, 'RDS_DB');
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ kmsKeyId: world.targetKeyArn, state: 'available', origin: expect.stringContaining(`from ${SOURCE_REGION}`) });
    const copyCalls = dest.calls.filter((c) => c.operation === 'rds:copyDBSnapshot');
    expect(copyCalls).toHaveLength(1);
    expect(String((copyCalls[0].input as Record<string, JsonValue>).SourceDBSnapshotIdentifier)).toMatch(new RegExp(`^arn:aws:rds:${SOURCE_REGION}:${SOURCE_ACCOUNT}:snapshot:share-`));
    expect(dest.restored).toEqual([expect.objectContaining({ account: TARGET_ACCOUNT, from: copies[0].id, kmsKeyId: world.targetKeyArn })]);
    // the target never called anything in the source account's Region but the copy itself
    expect(dest.calls.filter((c) => /describeDBSnapshots/.test(c.operation)).every((c) => JSON.stringify(c.input).includes(copies[0].id))).toBe(true);
    // the source holds only the original, untouched and shared with nobody
    expect(source.snapshotsOf(SOURCE_ACCOUNT).map((s) => s.id)).toEqual([ORIGINAL]);
    expect(original.changes).toEqual([]);
    expect([...original.sharedWith]).toEqual([]);
  });

  test('the target\'s key not usable: the target confirms the failure across Regions, the source unshares and deletes its copy', async () => {
    const { source, dest } = regions(false);

    const run = await runCrossRegion(source, dest, { snapshotId: ORIGINAL });

    expect(run.targets.map((t) => t.status)).toEqual(['FAILED']);
    expect(run.source.status).toBe('FAILED');
    expect(run.source.error).toBe('TargetCopyFailed');
    expect(dest.snapshotsOf(TARGET_ACCOUNT)).toEqual([]);
    expect(source.snapshotsOf(SOURCE_ACCOUNT).map((s) => s.id)).toEqual([ORIGINAL]);
    expect(source.snapshotsOf(SOURCE_ACCOUNT).filter((s) => s.sharedWith.size > 0)).toEqual([]);
  });

  test('a share from another Region than the target was told is not delivered (its rule names the source Region)', async () => {
    const { source, dest } = regions();
    const pattern = Object.values(Template.fromStack(world.targetStack).findResources('AWS::Events::Rule'))
      .find((r) => JSON.stringify(r.Properties.EventPattern['detail-type']) === '["Snapshot Shared"]')!.Properties.EventPattern;
    const event = (sourceRegion: string) => ({
      'version': '0',
      'id': 'e1',
      'detail-type': 'Snapshot Shared',
      'source': 'cdk-kms-patterns.snapshot-share',
      'account': SOURCE_ACCOUNT,
      'region': sourceRegion,
      'detail': { snapshotType: 'RDS_DB', snapshotId: 'share-x', snapshotArn: 'arn', sourceAccount: SOURCE_ACCOUNT, sourceRegion, targetAccount: TARGET_ACCOUNT, taskToken: 't' },
    });
    expect(matchEvents([{ pattern, event: event(SOURCE_REGION) }, { pattern, event: event('eu-central-1') }])).toEqual([true, false]);
    expect(source.calls).toEqual([]);
    expect(dest.calls).toEqual([]);
  });
});

const stats = new ServiceAccessStats();
afterAll(() => console.log(stats.summary('test/snapshots/snapshot-share-cross-region.test.ts')));

describe('cross-account cross-Region share: the keys, simulated', () => {
  const policies = PolicyWorld.fromStacks([world.sourceStack, world.targetStack]);
  // The service request model (test/harness/service-requests.ts): the requests RDS makes for a copy
  // of a shared snapshot ('share' rows, through RDS of the key's Region: eu-west-1 for the source
  // key, whoever calls CopyDBSnapshot in us-east-1) and for a copy into the target's key of
  // us-east-1 ('copy' rows, from another Region); other principals of each account, and other
  // accounts, denied.
  defineServiceChecks(policies, [
    ...serviceAccessRows(policies, {
      label: 'SnapshotShareSource RDS_DB (eu-west-1) read by the us-east-1 target',
      key: world.source.encryptionKey,
      account: SOURCE_ACCOUNT,
      region: SOURCE_REGION,
      services: ['rds'],
      flags: ['copyDestination'],
      facts: { snapshotId: 'share-0123' },
      actors: [
        { label: 'share workflow', principal: world.source.stateMachine.role, steps: ['copy'] },
        { label: `target workflow of ${TARGET_ACCOUNT} in ${TARGET_REGION}`, principal: world.target.stateMachine.role, steps: ['share'] },
      ],
    }),
    ...serviceAccessRows(policies, {
      label: 'SnapshotShareTarget RDS_DB (us-east-1) copying from eu-west-1',
      key: world.target.encryptionKey,
      account: TARGET_ACCOUNT,
      region: TARGET_REGION,
      services: ['rds'],
      flags: ['copyDestination', 'crossRegionCopy'],
      facts: { snapshotId: 'share-0123' },
      actors: [{ label: 'receiving workflow', principal: world.target.stateMachine.role, steps: ['copy', 'create'] }],
    }),
    ...keyDeploymentRows(policies),
  ], stats);

  const copier = world.target.stateMachine.role;
  const sourceKey = world.source.encryptionKey;
  const targetKey = world.target.encryptionKey;
  // KMS keys are Regional: a copy into us-east-1 reads the eu-west-1 snapshot through RDS in eu-west-1.
  const viaSource = { 'kms:ViaService': `rds.${SOURCE_REGION}.amazonaws.com`, 'kms:CallerAccount': TARGET_ACCOUNT };

  test('the target account\'s copy in us-east-1 may use the source key through RDS in its Region only; anything else is denied', async () => {
    const count = await expectAccess(policies, [
      { label: 'target workflow reads the shared snapshot through RDS (eu-west-1)', principal: copier, key: sourceKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:DescribeKey'], context: viaSource, expect: 'allow' },
      { label: 'target workflow: grant for the copy (an AWS resource)', principal: copier, key: sourceKey, action: 'kms:CreateGrant', context: { ...viaSource, 'kms:GrantIsForAWSResource': 'true' }, expect: 'allow' },
      { label: 'target workflow: grant for itself', principal: copier, key: sourceKey, action: 'kms:CreateGrant', context: { ...viaSource, 'kms:GrantIsForAWSResource': 'false' }, expect: 'deny' },
      { label: 'target workflow through RDS of another Region', principal: copier, key: sourceKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom'], context: { ...viaSource, 'kms:ViaService': `rds.${TARGET_REGION}.amazonaws.com` }, expect: 'deny' },
      { label: 'target workflow through EC2', principal: copier, key: sourceKey, action: 'kms:Decrypt', context: { ...viaSource, 'kms:ViaService': `ec2.${SOURCE_REGION}.amazonaws.com` }, expect: 'deny' },
      { label: 'target workflow directly', principal: copier, key: sourceKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom'], context: { 'kms:CallerAccount': TARGET_ACCOUNT }, expect: 'deny' },
      { label: 'target workflow administers', principal: copier, key: sourceKey, action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'], expect: 'deny' },
      { label: 'another principal of the target account, through RDS', principal: `arn:aws:iam::${TARGET_ACCOUNT}:role/Other`, key: sourceKey, action: 'kms:Decrypt', context: viaSource, expect: 'deny' },
      { label: 'another account through RDS', principal: 'arn:aws:iam::333333333333:role/Other', key: sourceKey, action: 'kms:Decrypt', context: { ...viaSource, 'kms:CallerAccount': '333333333333' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'target workflow: the copy under its own key (us-east-1)', principal: copier, key: targetKey, action: ['kms:DescribeKey'], context: { 'kms:ViaService': `rds.${TARGET_REGION}.amazonaws.com`, 'kms:CallerAccount': TARGET_ACCOUNT }, expect: 'allow' },
      { label: 'target workflow: grant on its own key for the copy', principal: copier, key: targetKey, action: 'kms:CreateGrant', context: { 'kms:ViaService': `rds.${TARGET_REGION}.amazonaws.com`, 'kms:CallerAccount': TARGET_ACCOUNT, 'kms:GrantIsForAWSResource': 'true' }, expect: 'allow' },
      { label: 'the source account cannot use the target key', principal: world.source.stateMachine.role, key: targetKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom'], context: { 'kms:ViaService': `rds.${TARGET_REGION}.amazonaws.com`, 'kms:CallerAccount': SOURCE_ACCOUNT }, expect: 'deny' },
    ]);
    expect(count).toBe(18);
  });
});

describe('the example app\'s cross-account cross-Region share', () => {
  test('the source in 111111111111 eu-west-1 tells the target\'s bus in 222222222222 us-east-1, which answers to the source\'s bus', () => {
    const app = new App();
    const share = new SnapshotShareSourceStack(app, 'Share', { env: { account: SOURCE_ACCOUNT, region: SOURCE_REGION }, partnerAccount: TARGET_ACCOUNT, partnerDrRegion: TARGET_REGION });
    const receive = new SnapshotShareTargetDrStack(app, 'ReceiveDr', { env: { account: TARGET_ACCOUNT, region: TARGET_REGION }, sourceAccount: SOURCE_ACCOUNT, sourceRegion: SOURCE_REGION });
    const sourceBus = Template.fromStack(share).findResources('AWS::Events::EventBus');
    const targetBus = Template.fromStack(receive).findResources('AWS::Events::EventBus');
    const names = (buses: Record<string, any>) => Object.values(buses).map((b) => b.Properties.Name).sort();
    // The RDS share from eu-west-1, and the Redshift copies shared within us-east-1 (ExampleWarehouseCopyShare).
    expect(names(targetBus)).toEqual(['cdk-kms-patterns-snapshot-share-rds-db-dr', 'cdk-kms-patterns-snapshot-share-redshift-cluster']);
    expect(names(sourceBus)).toContain('cdk-kms-patterns-snapshot-share-rds-db-dr');
    expect(share.rdsToDr).toBeDefined();
    const arns = JSON.stringify(Template.fromStack(share).findResources('AWS::Events::Rule'));
    expect(arns).toContain(`:events:${TARGET_REGION}:${TARGET_ACCOUNT}:event-bus/cdk-kms-patterns-snapshot-share-rds-db-dr`);
    const back = JSON.stringify(Template.fromStack(receive).findResources('AWS::Events::Rule'));
    expect(back).toContain(`:events:${SOURCE_REGION}:${SOURCE_ACCOUNT}:event-bus/cdk-kms-patterns-snapshot-share-rds-db-dr`);
  });
});

describe('the two-step path for EBS: a share in the source Region, then a SnapshotRegionCopy in the target account', () => {
  test('the target\'s copy of the shared snapshot (an EBS copySnapshot notification, forwarded) starts the Region copy', () => {
    // GIVEN the target account: SnapshotShareTarget (EBS) in eu-west-1, a forwarder there, the Region copy in us-east-1
    const app = new App();
    const share = new Stack(app, 'TargetShareRegion', { env: { account: TARGET_ACCOUNT, region: SOURCE_REGION } });
    new SnapshotShareTarget(share, 'Receive', { snapshotType: SnapshotType.EBS, sourceAccounts: [SOURCE_ACCOUNT] });
    const forwarder = new Stack(app, 'TargetForwarder', { env: { account: TARGET_ACCOUNT, region: SOURCE_REGION } });
    new SnapshotRegionCopyForwarder(forwarder, 'ToDr', { destinationRegion: TARGET_REGION, snapshotTypes: [SnapshotType.EBS] });
    const dr = new Stack(app, 'TargetDr', { env: { account: TARGET_ACCOUNT, region: TARGET_REGION } });
    new SnapshotRegionCopy(dr, 'FromShareRegion', { sourceRegion: SOURCE_REGION, snapshotTypes: [SnapshotType.EBS], copyNamePrefix: 'dr' });

    // WHEN the target workflow's copy completes (the "EBS Snapshot Notification" copySnapshot event,
    // https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html), as forwarded
    const event = {
      'version': '0',
      'id': 'e2',
      'detail-type': 'EBS Snapshot Notification',
      'source': 'aws.ec2',
      'account': TARGET_ACCOUNT,
      'region': SOURCE_REGION,
      'detail': {
        'event': 'copySnapshot',
        'result': 'succeeded',
        'cause': '',
        'request-id': '',
        'snapshot_id': `arn:aws:ec2::${SOURCE_REGION}:snapshot/snap-0aaaaaaaaaaaaaaaa`,
        'source': `arn:aws:ec2::${SOURCE_REGION}:snapshot/snap-0bbbbbbbbbbbbbbbb`,
      },
    };
    const patterns = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))
      .map((r) => JSON.parse(JSON.stringify(r.Properties.EventPattern).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":ec2::([a-z0-9-]+):"\]\]\}/g, '"arn:aws:ec2::$1:"')));

    // THEN the forwarder sends it on, and the Region copy's rule starts a copy of it
    const forwarded = matchEvents(patterns(forwarder).map((pattern) => ({ pattern, event })));
    expect(forwarded).toEqual([true]);
    const copies = matchEvents(patterns(dr).map((pattern) => ({ pattern, event })));
    expect(copies.filter(Boolean)).toHaveLength(1);
  });
});
