import { App, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptedBlockDevice, EncryptedVolume, EncryptionKey } from '../../src';
import { nagFindings } from '../harness/compliance';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const VIA_EC2 = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

describe('EncryptedVolume', () => {
  test('an encrypted gp3 volume, retained; the account may create it through EC2, only attachers get grants', async () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const volume = new EncryptedVolume(stack, 'Vol', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(20) });
    const ops = new iam.Role(stack, 'Ops', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    volume.grantAttachVolume(ops);
    app.synth();
    Template.fromStack(stack).hasResource('AWS::EC2::Volume', {
      DeletionPolicy: 'Retain',
      Properties: { AvailabilityZone: 'eu-west-1a', Size: 20, VolumeType: 'gp3', Encrypted: true, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VolKey'), 'Arn'] } },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    const world = PolicyWorld.fromStacks([stack]);
    const key = volume.encryptionKey;
    await expectAccess(world, [
      { label: 'ops attaches through EC2', principal: ops, key, action: 'kms:CreateGrant', context: { ...VIA_EC2, 'kms:GrantIsForAWSResource': 'true' }, expect: 'allow' },
      { label: 'ops grant for itself', principal: ops, key, action: 'kms:CreateGrant', context: { ...VIA_EC2, 'kms:GrantIsForAWSResource': 'false' }, expect: 'deny' },
      { label: 'ops reads directly', principal: ops, key, action: ['kms:Decrypt', 'kms:CreateGrant'], expect: 'deny' },
      {
        label: 'account principal creates a volume through EC2',
        principal: 'arn:aws:iam::111111111111:role/Builder',
        key,
        action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
        context: VIA_EC2,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'allow',
      },
      {
        label: 'account principal cannot read or grant',
        principal: 'arn:aws:iam::111111111111:role/Builder',
        key,
        action: ['kms:Decrypt', 'kms:CreateGrant', 'kms:Encrypt'],
        context: VIA_EC2,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
      {
        label: 'account principal directly',
        principal: 'arn:aws:iam::111111111111:role/Builder',
        key,
        action: ['kms:GenerateDataKeyWithoutPlaintext'],
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
    ]);
    // only the user's choices remain: the grantee's inline policy, the instance wildcard, and a backup plan
    expect([...new Set(nagFindings(stack).map(f => f.ruleId.replace(/\[.*/, '')))].sort()).toEqual([
      'AwsSolutions-IAM5', 'HIPAA.Security-EC2EBSInBackupPlan', 'HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-EC2EBSInBackupPlan',
      'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy',
    ]);
  });

  test('SNAPSHOT removal and a snapshot source', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new EncryptedVolume(stack, 'Vol', { availabilityZone: 'eu-west-1b', snapshotId: 'snap-0123456789abcdef0', removalPolicy: RemovalPolicy.SNAPSHOT });
    Template.fromStack(stack).hasResource('AWS::EC2::Volume', { DeletionPolicy: 'Snapshot', Properties: Match.objectLike({ SnapshotId: 'snap-0123456789abcdef0' }) });
  });

  test.each([
    ['no size nor snapshot', (s: Stack) => new EncryptedVolume(s, 'V', { availabilityZone: 'eu-west-1a' }), /set size, snapshotId or both/],
    ['a malformed snapshot', (s: Stack) => new EncryptedVolume(s, 'V', { availabilityZone: 'eu-west-1a', snapshotId: 'snapshot-1' }), /snapshotId must be a snapshot id/],
    ['a size too big', (s: Stack) => new EncryptedVolume(s, 'V', { availabilityZone: 'eu-west-1a', size: Size.tebibytes(100) }), /size must be a whole number of GiB from 1 to 65536, got '102400 GiB'/],
    ['a fractional size', (s: Stack) => new EncryptedVolume(s, 'V', { availabilityZone: 'eu-west-1a', size: Size.mebibytes(1500) }), /size must be a whole number of GiB/],
    ['an HMAC key', (s: Stack) => new EncryptedVolume(s, 'V', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(1), encryptionKey: new EncryptionKey(s, 'K', { keySpec: kms.KeySpec.HMAC_256 }) }),
      /encryptionKey must be a SYMMETRIC_DEFAULT key \(EBS supports only symmetric keys\), got 'HMAC_256'/],
  ])('refuses %s', (_name, create, message) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => create(stack)).toThrow(message);
    expect(stack.node.tryFindChild('V')).toBeUndefined();
  });

  test('DESTROY warns', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new EncryptedVolume(stack, 'Vol', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(1), removalPolicy: RemovalPolicy.DESTROY });
    Annotations.fromStack(stack).hasWarning('/S/Vol', Match.stringLikeRegexp('removalPolicy is destroy'));
  });
});

describe('EncryptedBlockDevice', () => {
  test('for Auto Scaling: encrypted devices under the key, and the service-linked role may use it before it exists', async () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Fleet');
    new ec2.LaunchTemplate(stack, 'Template', {
      blockDevices: [EncryptedBlockDevice.forAutoScaling(key, { deviceName: '/dev/xvda', size: Size.gibibytes(30) })],
    });
    app.synth();
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: {
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeSize: 30, VolumeType: 'gp3', KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fleet'), 'Arn'] } } }],
      },
    });
    const slr = 'arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'SLR uses the key', principal: slr, key, action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:DescribeKey'], expect: 'allow' },
      { label: 'SLR grants for resources', principal: slr, key, action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': 'true' }, expect: 'allow' },
      { label: 'SLR grants for principals', principal: slr, key, action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': 'false' }, expect: 'deny' },
      { label: 'SLR administers', principal: slr, key, action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'], expect: 'deny' },
      { label: 'another SLR', principal: 'arn:aws:iam::111111111111:role/aws-service-role/other.amazonaws.com/Other', key, action: 'kms:Decrypt', expect: 'deny' },
    ]);
  });

  test('for a launcher: envelope and grants through EC2 only', async () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Fleet');
    const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const device = EncryptedBlockDevice.forLauncher(key, launcher, { deviceName: '/dev/sdf', size: Size.gibibytes(8), deleteOnTermination: false });
    expect(device.deviceName).toBe('/dev/sdf');
    app.synth();
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'through EC2', principal: launcher, key, action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:DescribeKey'], context: VIA_EC2, expect: 'allow' },
      { label: 'directly', principal: launcher, key, action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt'], expect: 'deny' },
    ]);
    expect(() => EncryptedBlockDevice.forAutoScaling(key, { deviceName: '/dev/sdg', size: Size.mebibytes(100) })).toThrow(/size must be a whole number of GiB from 1 to 65536/);
  });
});
