import { RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { KeyCapability } from '../policy/key-capability';
import { KeyService } from '../policy/key-service';
import { acknowledge } from '../private/acknowledge';
import { checkEncryptionKey, encryptionKeyOrDefault, removalPolicyOf } from '../private/encrypted-resource';
import { WarningIds } from '../private/ids';
import { fail, invalid } from '../private/validation';
import { validateAvailabilityZone, validateEbsVolume } from './private/ebs-volume-limits';

/**
 * Properties of an `EncryptedVolume`.
 */
export interface EncryptedVolumeProps {
  /**
   * The Availability Zone of the volume, by name (`eu-west-1a`; Local Zone and Wavelength Zone
   * names work too), in the stack's Region. Zone ids (`euw1-az1`) are not accepted.
   */
  readonly availabilityZone: string;

  /**
   * The size of the volume, in whole GiB: gp2 1 to 16384, gp3 1 to 65536, io1 4 to 16384, io2 4 to
   * 65536, st1 and sc1 125 to 16384, standard 1 to 1024. Set it, or `snapshotId`, or both.
   *
   * @default - the snapshot's size
   */
  readonly size?: Size;

  /**
   * A snapshot to create the volume from (`snap-...`). Its data is re-encrypted under the key.
   *
   * @default - an empty volume
   */
  readonly snapshotId?: string;

  /**
   * The volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * Provisioned IOPS: gp3 3000 to 80000 (at most 500 per GiB), io1 100 to 64000 (50 per GiB), io2
   * 100 to 256000 (500 per GiB). Required for io1 and io2; not allowed for other types.
   *
   * @default - none: 3000 baseline IOPS for gp3
   */
  readonly iops?: number;

  /**
   * Throughput in MiB/s, gp3 only: 125 to 2000, at most 0.25 per provisioned IOPS (750 with the
   * baseline 3000 IOPS).
   *
   * @default - 125 for gp3
   */
  readonly throughput?: number;

  /**
   * The key the volume is encrypted with.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * A Name tag for the volume.
   *
   * @default - none
   */
  readonly volumeName?: string;

  /**
   * What happens to the volume when it leaves the stack: RETAIN, or SNAPSHOT (deleted after a
   * final snapshot). DESTROY loses the data and is warned about.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An EBS volume encrypted with a customer managed key. The key policy lets EC2 create the volume
 * for principals of the account through EC2 only (`kms:ViaService`), and `grantAttachVolume` lets
 * a principal attach it, with key grants for AWS resources only.
 */
export class EncryptedVolume extends Construct {
  /** The volume. */
  public readonly volume: ec2.Volume;
  /** The key the volume is encrypted with. */
  public readonly encryptionKey: IEncryptionKey;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: EncryptedVolumeProps) {
    if (props.size === undefined && props.snapshotId === undefined) {
      fail('set size, snapshotId or both: an EBS volume needs a size or a snapshot to copy');
    }
    if (props.snapshotId !== undefined && !Token.isUnresolved(props.snapshotId) && !/^snap-[0-9a-f]{8,17}$/.test(props.snapshotId)) {
      invalid('snapshotId', 'must be a snapshot id (snap- and 8 to 17 hexadecimal digits)', props.snapshotId);
    }
    validateAvailabilityZone(props.availabilityZone, Stack.of(scope).region);
    const volumeType = props.volumeType ?? ec2.EbsDeviceVolumeType.GP3;
    // Everything ec2.Volume checks, checked first with messages that name the value and the limits.
    validateEbsVolume({ volumeType, size: props.size, iops: props.iops, throughput: props.throughput });
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'EBS');
    super(scope, id);
    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts ${this.node.path}`);
    this.encryptionKey = key;
    const removalPolicy = removalPolicyOf(this, props.removalPolicy, {
      warningId: WarningIds.VOLUME_REMOVAL_POLICY,
      consequence: 'the volume and its data are deleted when it leaves the stack; RETAIN or SNAPSHOT keep the data',
      warnOnlyOnDestroy: true,
    });

    const viaEc2 = key.forService(KeyService.EC2);
    // Acknowledged before the volume grants the account: the warning is then never written (nor its stack trace taken).
    acknowledge(viaEc2, [WarningIds.ACCOUNT_WIDE_GRANT],
      'EBS: principals of the account may create volumes under the key through EC2 (DescribeKey, GenerateDataKeyWithoutPlaintext), '
        + 'never read them: reading needs grantAttachVolume, a grant for an AWS resource');
    this.volume = new ec2.Volume(this, 'Resource', {
      availabilityZone: props.availabilityZone,
      size: props.size,
      snapshotId: props.snapshotId,
      volumeType,
      iops: props.iops,
      throughput: props.throughput,
      encrypted: true,
      encryptionKey: viaEc2,
      volumeName: props.volumeName,
      removalPolicy,
    });
  }

  /**
   * Lets a principal attach the volume to instances: `ec2:AttachVolume`, and key grants for AWS
   * resources through EC2 only.
   *
   * @param grantee the principal
   * @param instances the instances it may attach to (default: any instance of the account and Region)
   */
  public grantAttachVolume(grantee: iam.IGrantable, instances?: ec2.IInstance[]): iam.Grant {
    const attach = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ec2:AttachVolume'],
      resourceArns: [
        this.volume.stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: this.volume.volumeId }),
        ...(instances ?? []).map(i => this.volume.stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: i.instanceId })),
        ...(instances ? [] : [this.volume.stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })]),
      ],
    });
    return attach.combine(this.encryptionKey.grantThroughService(grantee, KeyService.EC2, KeyCapability.GRANT_FOR_AWS_RESOURCE));
  }
}

/**
 * Options of an encrypted block device.
 */
export interface EncryptedBlockDeviceOptions {
  /**
   * The device name, e.g. `/dev/xvda`.
   */
  readonly deviceName: string;

  /**
   * The size of the volume, in whole GiB within the volume type's range.
   */
  readonly size: Size;

  /**
   * The volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * Provisioned IOPS (io1, io2, gp3).
   *
   * @default - the volume type's default
   */
  readonly iops?: number;

  /**
   * Delete the volume when the instance terminates.
   *
   * @default true
   */
  readonly deleteOnTermination?: boolean;
}

/**
 * Block devices encrypted with a customer managed key, for launch templates, instances and Auto
 * Scaling groups, with the key access that launching them needs.
 */
export class EncryptedBlockDevice {
  /**
   * A block device for instances launched by EC2 Auto Scaling: the Auto Scaling service-linked role
   * gets key access (named by `aws:PrincipalArn`, so the key policy deploys even before that role
   * exists).
   *
   * @param key the key
   * @param options the device
   */
  public static forAutoScaling(key: IEncryptionKey, options: EncryptedBlockDeviceOptions): ec2.BlockDevice {
    const device = EncryptedBlockDevice.device(key, options);
    key.allowAutoScaling();
    return device;
  }

  /**
   * A block device for instances launched by a principal (a pipeline role, a Lambda function): it
   * gets envelope encryption and grants for AWS resources on the key, through EC2 only.
   *
   * @param key the key
   * @param launcher who launches the instances
   * @param options the device
   */
  public static forLauncher(key: IEncryptionKey, launcher: iam.IGrantable, options: EncryptedBlockDeviceOptions): ec2.BlockDevice {
    const device = EncryptedBlockDevice.device(key, options);
    key.grantThroughService(launcher, KeyService.EC2,
      KeyCapability.ENVELOPE, KeyCapability.DESCRIBE, KeyCapability.REENCRYPT, KeyCapability.GRANT_FOR_AWS_RESOURCE);
    return device;
  }

  private static device(key: IEncryptionKey, options: EncryptedBlockDeviceOptions): ec2.BlockDevice {
    checkEncryptionKey(key, 'key', key, 'EBS');
    const volumeType = options.volumeType ?? ec2.EbsDeviceVolumeType.GP3;
    const gib = validateEbsVolume({ volumeType, size: options.size, iops: options.iops })!;
    return {
      deviceName: options.deviceName,
      volume: ec2.BlockDeviceVolume.ebs(gib, {
        encrypted: true,
        kmsKey: key,
        volumeType,
        iops: options.iops,
        deleteOnTermination: options.deleteOnTermination ?? true,
      }),
    };
  }

  private constructor() {}
}
