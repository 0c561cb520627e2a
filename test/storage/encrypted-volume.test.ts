import { App, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptedBlockDevice, EncryptedVolume, EncryptedVolumeProps, EncryptionKey } from '../../src';
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
    ['a size too big', (s: Stack) => new EncryptedVolume(s, 'V', { availabilityZone: 'eu-west-1a', size: Size.tebibytes(100) }), /size must be from 1 to 65536 GiB for gp3 volumes, got '102400 GiB'/],
    ['a fractional size', (s: Stack) => new EncryptedVolume(s, 'V', { availabilityZone: 'eu-west-1a', size: Size.mebibytes(1500) }), /size must be a whole number of GiB/],
    ['an HMAC key', (s: Stack) => new EncryptedVolume(s, 'V', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(1), encryptionKey: new EncryptionKey(s, 'K', { keySpec: kms.KeySpec.HMAC_256 }) }),
      /encryptionKey must be a SYMMETRIC_DEFAULT key \(EBS supports only symmetric keys\), got 'HMAC_256'/],
  ])('refuses %s', (_name, create, message) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => create(stack)).toThrow(message);
    expect(stack.node.tryFindChild('V')).toBeUndefined();
  });

  describe('input is checked before ec2.Volume sees it: every error names the prop, the value and what is allowed', () => {
    const IO1 = ec2.EbsDeviceVolumeType.IO1;
    const IO2 = ec2.EbsDeviceVolumeType.IO2;
    const GP2 = ec2.EbsDeviceVolumeType.GP2;
    const ST1 = ec2.EbsDeviceVolumeType.ST1;
    const base = { availabilityZone: 'eu-west-1a', size: Size.gibibytes(100) };
    const refused: Array<[string, Partial<EncryptedVolumeProps>, string]> = [
      // Availability Zones
      ['a zone id', { availabilityZone: 'euw1-az1' },
        "availabilityZone must be an Availability Zone name such as eu-west-1a (zone ids such as use1-az1 are not accepted, use the zone's name), got 'euw1-az1'"],
      ['a Region instead of a zone', { availabilityZone: 'eu-west-1' },
        "availabilityZone must be an Availability Zone name such as eu-west-1a (a Local Zone or Wavelength Zone name also works), got 'eu-west-1'"],
      ['an upper-case zone', { availabilityZone: 'EU-WEST-1A' }, "availabilityZone must be an Availability Zone name such as eu-west-1a (a Local Zone or Wavelength Zone name also works), got 'EU-WEST-1A'"],
      ['a zone of another Region', { availabilityZone: 'us-east-1a' }, "availabilityZone must be a zone of the stack's Region eu-west-1, got 'us-east-1a'"],
      ['a Local Zone of another Region', { availabilityZone: 'us-west-2-lax-1a' }, "availabilityZone must be a zone of the stack's Region eu-west-1, got 'us-west-2-lax-1a'"],
      // volume types and sizes
      ['an unknown volume type', { volumeType: 'gp4' as ec2.EbsDeviceVolumeType }, "volumeType must be one of gp2, gp3, io1, io2, st1, sc1, standard, got 'gp4'"],
      ['an io1 volume of 2 GiB', { volumeType: IO1, size: Size.gibibytes(2), iops: 100 }, "size must be from 4 to 16384 GiB for io1 volumes, got '2 GiB'"],
      ['an st1 volume of 100 GiB', { volumeType: ST1 }, "size must be from 125 to 16384 GiB for st1 volumes, got '100 GiB'"],
      ['a gp2 volume of 20000 GiB', { volumeType: GP2, size: Size.gibibytes(20000) }, "size must be from 1 to 16384 GiB for gp2 volumes, got '20000 GiB'"],
      // IOPS
      ['io1 without iops', { volumeType: IO1 }, 'iops must be set for io1 volumes (from 100 to 64000), got undefined'],
      ['io2 without iops', { volumeType: IO2 }, 'iops must be set for io2 volumes (from 100 to 256000), got undefined'],
      ['iops on gp2', { volumeType: GP2, iops: 3000 }, 'iops can be set only for gp3, io1, io2 volumes (this one is gp2), got 3000'],
      ['gp3 iops below 3000', { iops: 2000 }, 'iops must be a whole number from 3000 to 80000 for gp3 volumes, got 2000'],
      ['gp3 iops above 80000', { size: Size.gibibytes(1000), iops: 90000 }, 'iops must be a whole number from 3000 to 80000 for gp3 volumes, got 90000'],
      ['io1 iops above 64000', { volumeType: IO1, size: Size.gibibytes(2000), iops: 70000 }, 'iops must be a whole number from 100 to 64000 for io1 volumes, got 70000'],
      ['io2 iops above 256000', { volumeType: IO2, size: Size.gibibytes(1000), iops: 300000 }, 'iops must be a whole number from 100 to 256000 for io2 volumes, got 300000'],
      ['fractional iops', { iops: 3000.5 }, 'iops must be a whole number from 3000 to 80000 for gp3 volumes, got 3000.5'],
      ['gp3 iops above 500 per GiB', { size: Size.gibibytes(8), iops: 5000 }, 'iops must be at most 500 per GiB for gp3 volumes (4000 for 8 GiB), got 5000'],
      ['io1 iops above 50 per GiB', { volumeType: IO1, size: Size.gibibytes(20), iops: 2000 }, 'iops must be at most 50 per GiB for io1 volumes (1000 for 20 GiB), got 2000'],
      ['io2 iops above 500 per GiB', { volumeType: IO2, size: Size.gibibytes(20), iops: 20000 }, 'iops must be at most 500 per GiB for io2 volumes (10000 for 20 GiB), got 20000'],
      // throughput
      ['throughput on io1', { volumeType: IO1, iops: 1000, throughput: 200 }, 'throughput can be set only for gp3 volumes (this one is io1), got 200'],
      ['throughput on gp2', { volumeType: GP2, throughput: 200 }, 'throughput can be set only for gp3 volumes (this one is gp2), got 200'],
      ['throughput below 125', { throughput: 100 }, 'throughput must be a whole number from 125 to 2000 MiB/s, got 100'],
      ['throughput above 2000', { size: Size.gibibytes(1000), iops: 16000, throughput: 2100 }, 'throughput must be a whole number from 125 to 2000 MiB/s, got 2100'],
      ['throughput above 0.25 MiB/s per provisioned IOPS', { iops: 4000, throughput: 1001 },
        'throughput must be at most 0.25 MiB/s per provisioned IOPS (1000 MiB/s for 4000 IOPS), got 1001'],
      ['throughput above 0.25 MiB/s per baseline IOPS', { throughput: 751 },
        'throughput must be at most 0.25 MiB/s per provisioned IOPS (750 MiB/s for the 3000 IOPS a gp3 volume has when iops is not set), got 751'],
      // values ec2.Volume cannot check
      ['a size from a token', { size: Size.gibibytes(Token.asNumber({ Ref: 'Size' })) }, "size must be known at synth (ec2.Volume checks it against the volume type's range), got 'a token'"],
    ];
    test.each(refused)('refuses %s', (_name, overrides, message) => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      expect(() => new EncryptedVolume(stack, 'V', { ...base, ...overrides })).toThrow(message);
      expect(stack.node.tryFindChild('V')).toBeUndefined();
    });

    test('iops from a token is refused with the prop named', () => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      expect(() => new EncryptedVolume(stack, 'V', { ...base, iops: Token.asNumber({ Ref: 'Iops' }) }))
        .toThrow(/^iops must be a number known at synth \(ec2.Volume checks it against the volume type's range\), got '\$\{Token\[/);
    });

    const accepted: Array<[string, Partial<EncryptedVolumeProps>]> = [
      ['a Local Zone of the Region', { availabilityZone: 'eu-west-1-lis-1a' }],
      ['a Wavelength Zone of the Region', { availabilityZone: 'eu-west-1-wl1-dub-wlz-1' }],
      ['the zone from a token', { availabilityZone: Token.asString({ Ref: 'Zone' }) }],
      ['gp3 at 500 IOPS per GiB and 0.25 MiB/s per IOPS', { size: Size.gibibytes(8), iops: 4000, throughput: 1000 }],
      ['gp3 at the baseline ratio', { throughput: 750 }],
      ['gp3 at its largest', { size: Size.gibibytes(65536), iops: 80000, throughput: 2000 }],
      ['io1 at 50 IOPS per GiB', { volumeType: IO1, size: Size.gibibytes(20), iops: 1000 }],
      ['io2 at its smallest', { volumeType: IO2, size: Size.gibibytes(4), iops: 100 }],
      ['st1 at its smallest', { volumeType: ST1, size: Size.gibibytes(125) }],
      ['io2 from a snapshot without a size', { volumeType: IO2, size: undefined, snapshotId: 'snap-0123456789abcdef0', iops: 64000 }],
    ];
    test.each(accepted)('accepts %s', (_name, overrides) => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      expect(() => new EncryptedVolume(stack, 'V', { ...base, ...overrides })).not.toThrow();
    });

    test('an environment-agnostic stack accepts a zone of any Region', () => {
      const stack = new Stack(new App(), 'S');
      expect(() => new EncryptedVolume(stack, 'V', { ...base, availabilityZone: 'ap-southeast-2c' })).not.toThrow();
    });
  });

  test('a volume from a snapshot: EC2 may re-encrypt the snapshot\'s data under the key for the account', async () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });

    // WHEN
    const volume = new EncryptedVolume(stack, 'Vol', { availabilityZone: 'eu-west-1a', snapshotId: 'snap-0123456789abcdef0' });
    const empty = new EncryptedVolume(stack, 'Empty', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(8) });
    app.synth();

    // THEN (ec2.Volume asks for kms:ReEncrypt* on the grant it makes for a snapshot source) ...
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      {
        label: 'an empty volume\'s key: no re-encryption',
        principal: 'arn:aws:iam::111111111111:role/Builder',
        key: empty.encryptionKey,
        action: ['kms:ReEncryptFrom', 'kms:ReEncryptTo'],
        context: VIA_EC2,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
      {
        label: 'account principal re-encrypts through EC2',
        principal: 'arn:aws:iam::111111111111:role/Builder',
        key: volume.encryptionKey,
        action: ['kms:ReEncryptFrom', 'kms:ReEncryptTo'],
        context: VIA_EC2,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'allow',
      },
      {
        label: 'not directly',
        principal: 'arn:aws:iam::111111111111:role/Builder',
        key: volume.encryptionKey,
        action: ['kms:ReEncryptFrom', 'kms:ReEncryptTo'],
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
    ]);
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
    expect(() => EncryptedBlockDevice.forAutoScaling(key, { deviceName: '/dev/sdg', size: Size.mebibytes(100) })).toThrow(/size must be a whole number of GiB, got '0.09765625 GiB'/);
    expect(() => EncryptedBlockDevice.forAutoScaling(key, { deviceName: '/dev/sdh', size: Size.gibibytes(8), volumeType: ec2.EbsDeviceVolumeType.IO2 }))
      .toThrow(/iops must be set for io2 volumes \(from 100 to 256000\), got undefined/);
  });
});
