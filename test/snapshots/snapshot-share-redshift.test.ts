/**
 * SnapshotShareSource and SnapshotShareTarget for Redshift cluster snapshots: valid definitions
 * whose aws-sdk tasks match botocore's Redshift model, scoped IAM, zero cdk-nag findings, synth-time
 * validation, and both key policies simulated with the service request model (the target account
 * restores through Redshift, grants for AWS resources only; everyone else denied).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { shareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from './share-world';
import { REDSHIFT_CLUSTER_API } from '../../src/snapshots/private/snapshot-api';
import { SnapshotRegionCopy } from '../../src/snapshots/snapshot-region-copy';
import { SnapshotShareSource } from '../../src/snapshots/snapshot-share-source';
import { SnapshotRestoreOptions, SnapshotShareTarget } from '../../src/snapshots/snapshot-share-target';
import { ShareTarget, SnapshotType } from '../../src/snapshots/snapshot-type';
import { expectNoNagFindings } from '../harness/compliance';
import { sdkTasks, serviceModel, validateSdkTasks } from '../harness/sdk-models';
import { defineServiceChecks, KMS_ALL, keyDeploymentRows, redshiftShareRows, ServiceAccessStats, serviceAccessRows } from '../harness/service-access';
import { expectAccess, PolicyWorld } from '../harness/simulate';
import { AslState, validateAsl } from '../harness/state-machine';

const RESTORE: SnapshotRestoreOptions = { clusterSubnetGroupName: 'private-dw', vpcSecurityGroupIds: ['sg-0123456789abcdef0'] };
const world = shareWorld(SnapshotType.REDSHIFT_CLUSTER, { source: { createFrom: ['orders-dw'] }, target: { restore: RESTORE } });
const targets = (n: number) => Array.from({ length: n }, (_, i) => ShareTarget.account(String(300000000000 + i)));
const stack = (account: string = SOURCE_ACCOUNT) => new Stack(new App(), 'S', { env: { account, region: 'eu-west-1' } });
const policyOf = (s: Stack) => JSON.stringify(Template.fromStack(s).findResources('AWS::IAM::Policy'));

describe('Redshift snapshot share', () => {
  test('SnapshotType.REDSHIFT_CLUSTER: 20 accounts a snapshot', () => {
    expect(SnapshotType.REDSHIFT_CLUSTER).toMatchObject({ name: 'REDSHIFT_CLUSTER', maxShareAccounts: 20 });
  });

  test('every definition is valid ASL, every aws-sdk task matches botocore\'s models, zero cdk-nag findings on both sides', () => {
    for (const definition of [world.sourceDefinition, world.confirmationDefinition, world.targetDefinition]) {
      expect(() => validateAsl(definition)).not.toThrow();
      expect(() => validateSdkTasks(definition)).not.toThrow();
    }
    const calls = (d: typeof world.sourceDefinition) => sdkTasks(d).map((t) => `${t.service}:${t.action}`).sort();
    expect(calls(world.sourceDefinition)).toEqual([
      'redshift:authorizeSnapshotAccess', 'redshift:createClusterSnapshot', 'redshift:describeClusterSnapshots',
      'redshift:revokeSnapshotAccess', 'redshift:revokeSnapshotAccess',
    ]);
    expect(calls(world.targetDefinition)).toEqual([
      'redshift:createTags', 'redshift:describeClusterSnapshots', 'redshift:describeClusters', 'redshift:restoreFromClusterSnapshot',
    ]);
    expectNoNagFindings(world.sourceStack);
    expectNoNagFindings(world.targetStack);
  });

  test('the restore: under the target key, encrypted, not public, into the given subnet group and security groups, from the source accounts\' snapshots only', () => {
    const restore = sdkTasks(world.targetDefinition).find((t) => t.action === 'restoreFromClusterSnapshot')!;
    expect(restore.parameters).toEqual({
      'ClusterIdentifier.$': '$.clusterName.name',
      'SnapshotIdentifier.$': '$.share.snapshotId',
      'OwnerAccount.$': '$.share.sourceAccount',
      'ClusterSubnetGroupName': 'private-dw',
      'VpcSecurityGroupIds': ['sg-0123456789abcdef0'],
      'PubliclyAccessible': false,
      'Encrypted': true,
      'KmsKeyId': world.targetKeyArn,
    });
    const policy = policyOf(world.targetStack);
    const own = (suffix: string) => `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":redshift:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},"${suffix}"]]}`;
    expect(policy).toContain(`"Action":"redshift:RestoreFromClusterSnapshot","Effect":"Allow","Resource":[${own(':cluster:share-*')},{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":redshift:",{"Ref":"AWS::Region"},":${SOURCE_ACCOUNT}:snapshot:*/*"]]}]`);
    expect(policy).toContain(`"Action":"redshift:CreateTags","Effect":"Allow","Resource":${own(':cluster:share-*')}`);
    expect(policy).toContain(`"Action":"redshift:DescribeClusters","Effect":"Allow","Resource":${own(':cluster:share-*')}`);
    expect(policy).toContain(`"Action":"redshift:DescribeClusterSnapshots","Effect":"Allow","Resource":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":redshift:",{"Ref":"AWS::Region"},":${SOURCE_ACCOUNT}:snapshot:*/*"]]}`);
    // GenerateDataKey on its own key through Redshift (the restore's data key)
    expect(policy).toContain(`{"Action":"kms:GenerateDataKey","Condition":{"StringEquals":{"kms:CallerAccount":"${TARGET_ACCOUNT}","kms:ViaService":"redshift.eu-west-1.amazonaws.com"}}`);
    // the source's keys: through Redshift only, by this account; its own key with GenerateDataKey (restore)
    expect(policy).toContain(`"Condition":{"StringEquals":{"kms:ViaService":"redshift.eu-west-1.amazonaws.com","kms:CallerAccount":"${TARGET_ACCOUNT}"},"Bool":{"kms:GrantIsForAWSResource":"true"}}`);
    // the target deletes nothing and never shares
    expect(policy).not.toMatch(/redshift:Delete|redshift:Authorize|redshift:ModifyCluster/);
    Template.fromStack(world.targetStack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { targetAccount: [TARGET_ACCOUNT], snapshotType: ['REDSHIFT_CLUSTER'], sourceRegion: ['eu-west-1'] } },
    });
  });

  test('the source: shares and revokes snapshots of its own account, snapshots only the named clusters, deletes nothing, needs no key access', () => {
    const policy = policyOf(world.sourceStack);
    const own = (suffix: string) => `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":redshift:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},"${suffix}"]]}`;
    for (const action of ['AuthorizeSnapshotAccess', 'RevokeSnapshotAccess', 'DescribeClusterSnapshots']) {
      expect(policy).toContain(`"Action":"redshift:${action}","Effect":"Allow","Resource":${own(':snapshot:*/*')}`);
    }
    expect(policy).toContain(`"Action":"redshift:CreateClusterSnapshot","Effect":"Allow","Resource":[${own(':cluster:orders-dw')},${own(':snapshot:*/snapshot-*')}]`);
    expect(policy).not.toMatch(/redshift:Delete|redshift:Copy|redshift:Restore/);
    expect(policy).not.toContain('redshift.eu-west-1.amazonaws.com');
    // the key policy admits the target account through Redshift only
    const key = Object.values(Template.fromStack(world.sourceStack).findResources('AWS::KMS::Key'))[0];
    const share = (key.Properties.KeyPolicy.Statement as Array<{ Sid?: string; Condition: unknown }>).filter((s) => s.Sid?.startsWith('SnapshotShare'));
    expect(share.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'kms:ViaService': 'redshift.eu-west-1.amazonaws.com', 'kms:CallerAccount': TARGET_ACCOUNT } },
      { StringEquals: { 'kms:ViaService': 'redshift.eu-west-1.amazonaws.com', 'kms:CallerAccount': TARGET_ACCOUNT }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    ]);
  });

  test('synth-time validation: share limit, restore options, clusters, Regions', () => {
    const type = SnapshotType.REDSHIFT_CLUSTER;
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: type, targets: targets(21) }))
      .toThrow('targets may name at most 20 accounts for Redshift cluster snapshots (AWS\'s share limit), got 21');
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: type, targets: targets(20) })).not.toThrow();
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: type, targets: targets(1), createFrom: ['Orders'] }))
      .toThrow(/createFrom must name Redshift cluster identifiers .*, got 'Orders'/);
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: type, targets: targets(1), createFrom: ['orders--dw'] })).toThrow(/createFrom must name Redshift cluster identifiers/);
    expect(() => new SnapshotShareSource(stack(), 'X', { snapshotType: type, targets: [ShareTarget.accountInRegion(TARGET_ACCOUNT, 'us-east-1')] }))
      .toThrow(/Redshift cluster snapshots are shared and restored within one Region/);

    const target = (restore?: SnapshotRestoreOptions) => new SnapshotShareTarget(stack(TARGET_ACCOUNT), 'X', { snapshotType: type, sourceAccounts: [SOURCE_ACCOUNT], restore });
    expect(() => target()).toThrow(/^restore must be set for Redshift cluster snapshots: an account a Redshift snapshot is shared with cannot copy it, only restore a cluster from it/);
    expect(() => target({ vpcSecurityGroupIds: ['sg-0123456789abcdef0'] })).toThrow('restore.clusterSubnetGroupName must be set to restore Redshift clusters (a subnet group of private subnets in your VPC)');
    expect(() => target({ ...RESTORE, clusterSubnetGroupName: 'default' })).toThrow(/restore.clusterSubnetGroupName must be a cluster subnet group name .*, got 'default'/);
    expect(() => target({ clusterSubnetGroupName: 'dw' })).toThrow('restore.vpcSecurityGroupIds must name at least one VPC security group for the restored Redshift cluster');
    expect(() => target({ ...RESTORE, vpcSecurityGroupIds: [] })).toThrow(/restore.vpcSecurityGroupIds must name at least one VPC security group/);
    expect(() => target({ ...RESTORE, vpcSecurityGroupIds: ['default'] })).toThrow("restore.vpcSecurityGroupIds must name security groups (sg-...), got 'default'");
    expect(() => target({ ...RESTORE, nodeType: 'db.t4g.micro' })).toThrow("restore.nodeType must be a Redshift node type such as ra3.xlplus, ra3.4xlarge or dc2.large, got 'db.t4g.micro'");
    expect(() => target({ ...RESTORE, numberOfNodes: 0 })).toThrow('restore.numberOfNodes must be a whole number between 1 and 128, got 0');
    expect(() => target({ ...RESTORE, availabilityZone: 'eu-west-1a' })).toThrow(/restore.availabilityZone applies to EBS snapshots only/);
    expect(() => target({ ...RESTORE, nodeType: 'ra3.4xlarge', numberOfNodes: 2 })).not.toThrow();
    // the Region copy refuses Redshift (Redshift copies its snapshots across Regions itself)
    expect(() => new SnapshotRegionCopy(new Stack(new App(), 'D', { env: { account: SOURCE_ACCOUNT, region: 'us-east-1' } }), 'Copy', {
      sourceRegion: 'eu-west-1', snapshotTypes: [type],
    })).toThrow(/snapshotTypes can only name kinds the Region copy can copy/);
    // the Redshift fields are refused for other types
    expect(() => new SnapshotShareTarget(stack(TARGET_ACCOUNT), 'X', { snapshotType: SnapshotType.EBS, sourceAccounts: [SOURCE_ACCOUNT], restore: { availabilityZone: 'eu-west-1a', nodeType: 'ra3.xlplus' } }))
      .toThrow("restore.nodeType applies to Redshift cluster snapshots only, got 'ra3.xlplus'");
  });

  describe('key policies, simulated', () => {
    const stats = new ServiceAccessStats();
    afterAll(() => console.log(stats.summary('test/snapshots/snapshot-share-redshift.test.ts')));
    const policies = PolicyWorld.fromStacks([world.sourceStack, world.targetStack]);
    const sourceKey = world.source.encryptionKey;
    const targetKey = world.target.encryptionKey;
    const RECIPIENT = `arn:aws:iam::${TARGET_ACCOUNT}:role/ClusterRestorer`;
    const rows = [
      ...redshiftShareRows(policies, {
        label: 'SnapshotShareSource REDSHIFT_CLUSTER',
        key: sourceKey,
        account: SOURCE_ACCOUNT,
        region: 'eu-west-1',
        targetAccount: TARGET_ACCOUNT,
        targetWorkflow: world.target.stateMachine.role,
        recipient: RECIPIENT,
      }),
      ...serviceAccessRows(policies, {
        label: 'SnapshotShareTarget REDSHIFT_CLUSTER',
        key: targetKey,
        account: TARGET_ACCOUNT,
        region: 'eu-west-1',
        services: ['redshift'],
        facts: {},
        actors: [{ label: 'receiving workflow (restore under its own key)', principal: world.target.stateMachine.role, steps: ['create'] }],
      }).filter((r) => r.model.step === 'create'),
      ...keyDeploymentRows(policies),
    ];
    defineServiceChecks(policies, rows, stats);

    test('the recipient may use the shareable key only through Redshift, grants only for AWS resources; nobody else', async () => {
      const through = { 'kms:ViaService': 'redshift.eu-west-1.amazonaws.com', 'kms:CallerAccount': TARGET_ACCOUNT };
      const count = await expectAccess(policies, [
        { label: 'recipient restores through Redshift', principal: RECIPIENT, key: sourceKey, action: ['kms:Decrypt', 'kms:DescribeKey'], context: through, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
        { label: 'recipient grant for the restored cluster', principal: RECIPIENT, key: sourceKey, action: 'kms:CreateGrant', context: { ...through, 'kms:GrantIsForAWSResource': 'true' }, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
        { label: 'recipient grant for itself', principal: RECIPIENT, key: sourceKey, action: 'kms:CreateGrant', context: { ...through, 'kms:GrantIsForAWSResource': 'false' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'recipient directly', principal: RECIPIENT, key: sourceKey, action: ['kms:Decrypt', 'kms:DescribeKey'], context: { 'kms:CallerAccount': TARGET_ACCOUNT }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'recipient through RDS', principal: RECIPIENT, key: sourceKey, action: 'kms:Decrypt', context: { ...through, 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'recipient through Redshift of another Region', principal: RECIPIENT, key: sourceKey, action: 'kms:Decrypt', context: { ...through, 'kms:ViaService': 'redshift.us-east-1.amazonaws.com' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'recipient administers', principal: RECIPIENT, key: sourceKey, action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'], extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'another account through Redshift', principal: 'arn:aws:iam::333333333333:role/Other', key: sourceKey, action: ['kms:Decrypt', 'kms:CreateGrant'], context: { ...through, 'kms:CallerAccount': '333333333333', 'kms:GrantIsForAWSResource': 'true' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'the source workflow has no use of the target key', principal: world.source.stateMachine.role, key: targetKey, action: ['kms:Decrypt', 'kms:CreateGrant'], context: { 'kms:ViaService': 'redshift.eu-west-1.amazonaws.com', 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:GrantIsForAWSResource': 'true' }, expect: 'deny' },
        { label: 'the source workflow has no use of the shareable key through Redshift', principal: world.source.stateMachine.role, key: sourceKey, action: ['kms:Decrypt', 'kms:CreateGrant'], context: { 'kms:ViaService': 'redshift.eu-west-1.amazonaws.com', 'kms:CallerAccount': SOURCE_ACCOUNT, 'kms:GrantIsForAWSResource': 'true' }, expect: 'deny' },
      ]);
      stats.simulated += count;
    });
  });
});

describe('Redshift error names', () => {
  /** Step Functions' name of a modelled error: `Redshift.<shape without Fault>Exception` (AWS SDK for Java 2.x class names). */
  const sfnErrorName = (shape: string) => `Redshift.${shape.replace(/(Fault|Exception)$/, '')}Exception`;
  const GENERIC = ['Redshift.RedshiftException', 'Redshift.SdkClientException'];

  test('every Redshift error a Retry or Catch names is one the task\'s operation declares in botocore\'s model', () => {
    const model = serviceModel('redshift') as unknown as { operations: Record<string, { errors?: Array<{ shape: string }> }> };
    const everyError = Object.values(model.operations).flatMap((o) => (o.errors ?? []).map((e) => sfnErrorName(e.shape)));
    let checked = 0;
    const visit = (states: Record<string, AslState>) => {
      for (const [name, state] of Object.entries(states)) {
        const nested = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, AslState> } | undefined;
        if (nested) visit(nested.States);
        const m = /aws-sdk:redshift:([A-Za-z]+)$/.exec(String(state.Resource ?? ''));
        if (!m) continue;
        const operation = m[1].charAt(0).toUpperCase() + m[1].slice(1);
        const declared = (model.operations[operation].errors ?? []).map((e) => sfnErrorName(e.shape));
        const named = [...((state.Retry ?? []) as Array<{ ErrorEquals: string[] }>), ...((state.Catch ?? []) as Array<{ ErrorEquals: string[] }>)]
          .flatMap((r) => r.ErrorEquals).filter((e) => e.startsWith('Redshift.') && !GENERIC.includes(e));
        for (const error of named) {
          // The shared throttling list is retried on every task: it must be an error of the service;
          // everything else must be one this operation declares.
          const known = REDSHIFT_CLUSTER_API.throttlingErrors.includes(error) ? everyError : declared;
          expect({ state: name, error, declared: known.includes(error) }).toEqual({ state: name, error, declared: true });
          checked++;
        }
      }
    };
    visit(world.sourceDefinition.States as Record<string, AslState>);
    visit(world.targetDefinition.States as Record<string, AslState>);
    // AuthorizationAlreadyExists, AuthorizationNotFound (twice), ClusterSnapshotNotFound (twice), ClusterAlreadyExists,
    // ClusterNotFound, ClusterSnapshotQuotaExceeded, DependentServiceRequestThrottling...
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});
