/**
 * EncryptedVolume and EncryptedBlockDevice: a gp3 volume under a customer managed key, a volume
 * with the default key, and launch templates whose block devices are encrypted for Auto Scaling and
 * for a launcher role.
 */
import { App, Size, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PRIMARY_ENV, PRIMARY_REGION, snapshotTest } from './support';
import { EncryptedBlockDevice, EncryptedVolume, EncryptionKey } from '../../src';

const app = new App();
const stack = new Stack(app, 'IntegEncryptedVolume', { env: PRIMARY_ENV });

const key = new EncryptionKey(stack, 'EbsKey', { description: 'Integ: EBS key', aliases: ['integ/ebs'] });

const data = new EncryptedVolume(stack, 'Data', {
  availabilityZone: `${PRIMARY_REGION}a`,
  size: Size.gibibytes(100),
  volumeType: ec2.EbsDeviceVolumeType.GP3,
  iops: 4000,
  throughput: 250,
  encryptionKey: key,
  volumeName: 'integ-data',
});
const scratch = new EncryptedVolume(stack, 'Scratch', {
  availabilityZone: `${PRIMARY_REGION}b`,
  size: Size.gibibytes(20),
});
for (const volume of [data, scratch]) {
  Validations.of(volume).acknowledge({
    id: 'CloudFormation-Validate::W3010',
    reason: 'An EBS volume lives in one Availability Zone: the zone of the instances that attach it',
  });
}

new ec2.LaunchTemplate(stack, 'FleetTemplate', {
  blockDevices: [EncryptedBlockDevice.forAutoScaling(key, { deviceName: '/dev/xvda', size: Size.gibibytes(30) })],
  requireImdsv2: true,
});
const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
new ec2.LaunchTemplate(stack, 'JobTemplate', {
  blockDevices: [EncryptedBlockDevice.forLauncher(key, launcher, {
    deviceName: '/dev/xvdb',
    size: Size.gibibytes(200),
    volumeType: ec2.EbsDeviceVolumeType.IO2,
    iops: 10000,
    deleteOnTermination: false,
  })],
  requireImdsv2: true,
});

snapshotTest(app, 'EncryptedVolumeTest', [stack]);
