import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-EbsCmk', () => {
  test('unencrypted, aws/ebs and launch template devices without a CMK are reported (error)', () => {
    const stack = newStack();
    new ec2.CfnVolume(stack, 'Plain', { availabilityZone: 'eu-west-1a', size: 10 });
    new ec2.CfnVolume(stack, 'AwsManaged', { availabilityZone: 'eu-west-1a', size: 10, encrypted: true });
    new ec2.LaunchTemplate(stack, 'Template', { blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true }) }] });
    expect(findings(stack, 'EbsCmk')).toEqual(['KmsChecks-EbsCmk', 'KmsChecks-EbsCmk', 'KmsChecks-EbsCmk']);
    expect(severity(stack, 'EbsCmk')).toBe('error');
  });

  test('volumes and devices under a CMK pass; templates without EBS devices are not concerned', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new ec2.Volume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(10), encrypted: true, encryptionKey: key });
    new ec2.LaunchTemplate(stack, 'Template', { blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, kmsKey: key }) }] });
    new ec2.LaunchTemplate(stack, 'NoDevices', { requireImdsv2: true });
    expect(findings(stack, 'EbsCmk')).toEqual([]);
  });
});
