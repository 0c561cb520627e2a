import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionKey, KeyCapability, ReplicaKey } from '../../src';

const ACCOUNT = '111111111111';

function twoRegions(crossRegionReferences = true) {
  const app = new App();
  const primaryStack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences });
  return { app, primaryStack, replicaStack };
}

describe('ReplicaKey', () => {
  test('replicates a multi-Region primary into another Region with its own policy and aliases', () => {
    // GIVEN
    const { app, primaryStack, replicaStack } = twoRegions();
    const primary = new EncryptionKey(primaryStack, 'Key', { multiRegion: true, keySpec: kms.KeySpec.HMAC_384 });
    const reader = new iam.Role(replicaStack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    const replica = new ReplicaKey(replicaStack, 'Replica', {
      primaryKey: primary,
      aliases: ['orders/mac'],
      access: [{ capabilities: [KeyCapability.VERIFY_MAC], principals: [reader] }],
    });
    replica.grantGenerateMac(reader);
    app.synth();
    // THEN
    expect(replica.keySpec).toBe(kms.KeySpec.HMAC_384);
    expect(replica.keyUsage).toBe(kms.KeyUsage.GENERATE_VERIFY_MAC);
    const template = Template.fromStack(replicaStack);
    template.hasResource('AWS::KMS::ReplicaKey', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PendingWindowInDays: 30,
        PrimaryKeyArn: Match.anyValue(),
        Tags: [{ Key: 'cdk-kms-patterns:key', Value: Match.stringLikeRegexp('^Replica/[0-9A-F]{8}$') }],
      }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders/mac' });
    const policy = replicaStack.resolve(template.findResources('AWS::KMS::ReplicaKey')[Object.keys(template.findResources('AWS::KMS::ReplicaKey'))[0]].Properties.KeyPolicy);
    const admin = policy.Statement.find((s: any) => s.Sid === 'Administer');
    expect(admin.Principal.AWS).toEqual(`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`);
    const use = policy.Statement.find((s: any) => JSON.stringify(s.Action).includes('kms:VerifyMac'));
    expect(use.Action).toEqual(['kms:GenerateMac', 'kms:VerifyMac']);

    // the primary lets the replica stack's deployment role replicate it
    const primaryPolicy = primaryStack.resolve(Object.values<any>(Template.fromStack(primaryStack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy);
    const replicate = primaryPolicy.Statement.find((s: any) => s.Sid === 'Replicate');
    expect(replicate.Action).toEqual(['kms:DescribeKey', 'kms:ReplicateKey']);
    expect(replicate.Principal.AWS).toEqual(`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`);
  });

  test.each([
    ['a primary that is not multi-Region', (p: Stack, r: Stack) => new ReplicaKey(r, 'R', { primaryKey: new EncryptionKey(p, 'K') }), /is not a multi-Region key/],
    ['a primary in the same Region', (p: Stack) => new ReplicaKey(p, 'R', { primaryKey: new EncryptionKey(p, 'K', { multiRegion: true }) }),
      /primaryKey must live in another Region than the replica, got 'Primary\/K in eu-west-1'/],
    ['a bad pending window', (p: Stack, r: Stack) => new ReplicaKey(r, 'R', { primaryKey: new EncryptionKey(p, 'K', { multiRegion: true }), pendingWindow: Duration.days(40) }),
      /pendingWindow must be between 7 and 30 days, got 40/],
  ])('refuses %s', (_name, create, message) => {
    const { primaryStack, replicaStack } = twoRegions();
    expect(() => create(primaryStack, replicaStack)).toThrow(message);
  });

  test('refuses a primary of another account', () => {
    const app = new App();
    const p = new Stack(app, 'P', { env: { account: '222222222222', region: 'eu-west-1' } });
    const r = new Stack(app, 'R', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    expect(() => new ReplicaKey(r, 'Replica', { primaryKey: new EncryptionKey(p, 'K', { multiRegion: true }) }))
      .toThrow(/primaryKey must be in the replica's account 111111111111/);
  });

  test('needs crossRegionReferences on the replica stack', () => {
    const { primaryStack, replicaStack } = twoRegions(false);
    expect(() => new ReplicaKey(replicaStack, 'Replica', { primaryKey: new EncryptionKey(primaryStack, 'K', { multiRegion: true }) }))
      .toThrow(/set crossRegionReferences: true on stack Replica/);
  });

  test('needs concrete Regions', () => {
    const app = new App();
    const p = new Stack(app, 'P');
    const r = new Stack(app, 'R');
    expect(() => new ReplicaKey(r, 'Replica', { primaryKey: new EncryptionKey(p, 'K', { multiRegion: true }) }))
      .toThrow(/ReplicaKey needs concrete Regions on both stacks/);
  });

  test('DESTROY warns', () => {
    const { primaryStack, replicaStack } = twoRegions();
    new ReplicaKey(replicaStack, 'Replica', {
      primaryKey: new EncryptionKey(primaryStack, 'K', { multiRegion: true }),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Annotations.fromStack(replicaStack).hasWarning('/Replica/Replica', Match.stringLikeRegexp('removalPolicy is destroy'));
  });
});
