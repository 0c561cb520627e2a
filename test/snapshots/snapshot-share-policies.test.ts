/**
 * The key policies of both sides of a share, simulated with the service request model
 * (test/harness/service-requests.ts): the source workflow copies under the shareable key through
 * the service; the target accounts read the shared snapshot through the service only and create
 * grants for AWS resources only; the target workflow copies (and restores) under its own key;
 * undeclared principals of the account and principals of another account are denied.
 */
import { App, Stack } from 'aws-cdk-lib';
import { shareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from './share-world';
import { KeyService } from '../../src/policy/key-service';
import { snapshotShareAccess } from '../../src/policy/service-access';
import { SnapshotType } from '../../src/snapshots/snapshot-type';
import {
  defineServiceChecks, KMS_ALL, keyDeploymentRows, ServiceAccessStats, serviceAccessRows,
} from '../harness/service-access';
import { ServiceName } from '../harness/service-requests';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const stats = new ServiceAccessStats();
afterAll(() => console.log(stats.summary('test/snapshots/snapshot-share-policies.test.ts')));

const RECIPIENT = `arn:aws:iam::${TARGET_ACCOUNT}:role/SnapshotCopier`;

for (const [type, services, via] of [[SnapshotType.EBS, ['ebs'], 'ec2'], [SnapshotType.RDS_DB, ['rds'], 'rds'], [SnapshotType.AURORA_CLUSTER, ['rds'], 'rds']] as Array<[SnapshotType, ServiceName[], string]>) {
  describe(`${type.name} share keys`, () => {
    const world = shareWorld(type, type === SnapshotType.EBS ? { target: { restore: { availabilityZone: 'eu-west-1a' } } } : {});
    const policies = PolicyWorld.fromStacks([world.sourceStack, world.targetStack]);
    const sourceKey = world.source.encryptionKey;
    const targetKey = world.target.encryptionKey;

    const rows = [
      ...serviceAccessRows(policies, {
        label: `SnapshotShareSource ${type.name}`,
        key: sourceKey,
        account: SOURCE_ACCOUNT,
        region: 'eu-west-1',
        services,
        flags: ['copyDestination'],
        facts: { snapshotId: 'snap-0123456789abcdef0' },
        actors: [
          { label: 'share workflow', principal: world.source.stateMachine.role, steps: ['copy'] },
          { label: `principal of target account ${TARGET_ACCOUNT}`, principal: RECIPIENT, steps: ['share'], extraIdentityPolicies: [KMS_ALL] },
        ],
      }),
      ...serviceAccessRows(policies, {
        label: `SnapshotShareTarget ${type.name}`,
        key: targetKey,
        account: TARGET_ACCOUNT,
        region: 'eu-west-1',
        services,
        flags: ['copyDestination'],
        facts: { snapshotId: 'snap-0123456789abcdef0', volumeId: 'vol-0123456789abcdef0' },
        actors: [{ label: 'receiving workflow', principal: world.target.stateMachine.role, steps: type === SnapshotType.EBS ? ['copy', 'create'] : ['copy'] }],
      }),
      ...keyDeploymentRows(policies),
    ];
    defineServiceChecks(policies, rows, stats);

    test('the recipient may use the shareable key only through the service, grants only for AWS resources; nobody else', async () => {
      const through = { 'kms:ViaService': `${via}.eu-west-1.amazonaws.com`, 'kms:CallerAccount': TARGET_ACCOUNT };
      const count = await expectAccess(policies, [
        { label: 'recipient through the service', principal: RECIPIENT, key: sourceKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:DescribeKey'], context: through, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
        { label: 'recipient grant for an AWS resource', principal: RECIPIENT, key: sourceKey, action: 'kms:CreateGrant', context: { ...through, 'kms:GrantIsForAWSResource': 'true' }, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
        { label: 'recipient grant for itself', principal: RECIPIENT, key: sourceKey, action: 'kms:CreateGrant', context: { ...through, 'kms:GrantIsForAWSResource': 'false' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'recipient directly', principal: RECIPIENT, key: sourceKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom'], context: { 'kms:CallerAccount': TARGET_ACCOUNT }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'recipient through S3', principal: RECIPIENT, key: sourceKey, action: 'kms:Decrypt', context: { ...through, 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'recipient administers', principal: RECIPIENT, key: sourceKey, action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'], extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'another account through the service', principal: 'arn:aws:iam::333333333333:role/Other', key: sourceKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom'], context: { ...through, 'kms:CallerAccount': '333333333333' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
        { label: 'the target workflow reads the shared snapshot through the service', principal: world.target.stateMachine.role, key: sourceKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:DescribeKey'], context: through, expect: 'allow' },
        { label: 'the source account cannot use the target key', principal: world.source.stateMachine.role, key: targetKey, action: ['kms:Decrypt', 'kms:ReEncryptFrom'], context: { 'kms:ViaService': `${via}.eu-west-1.amazonaws.com`, 'kms:CallerAccount': SOURCE_ACCOUNT }, expect: 'deny' },
      ]);
      stats.simulated += count;
    });
  });
}

describe('snapshotShareAccess recipe', () => {
  test('through the service of the key\'s Region, as the target accounts; refuses bad input', () => {
    const stack = new Stack(new App(), 'R', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } });
    const recipe = snapshotShareAccess(stack, KeyService.EC2, [TARGET_ACCOUNT]);
    expect(recipe.entries).toEqual([expect.objectContaining({
      principalType: 'AWS',
      conditions: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com', 'kms:CallerAccount': TARGET_ACCOUNT } },
    })]);
    expect(() => snapshotShareAccess(stack, KeyService.EC2, [])).toThrow('accounts must name at least one account, got []');
    expect(() => snapshotShareAccess(stack, KeyService.EC2, ['x'])).toThrow("accounts must be a 12-digit AWS account id, got 'x'");
  });
});
