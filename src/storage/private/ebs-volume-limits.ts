import { Size, SizeRoundingBehavior, Token, Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { invalid } from '../../private/validation';

// What EBS accepts per volume type, checked here so that every refusal names the prop, the value
// received and what is allowed, before aws-cdk-lib's `ec2.Volume` (whose own messages name neither
// the value nor always the prop) sees the props. The numbers are aws-cdk-lib 2.271's, which follow
// the Amazon EBS User Guide, "Amazon EBS volume types":
// - size (GiB): gp2 1..16384, gp3 1..65536, io1 4..16384, io2 4..65536, st1 and sc1 125..16384,
//   standard 1..1024;
// - provisioned IOPS only on gp3 (3000..80000, at most 500 per GiB), io1 (100..64000, 50 per GiB)
//   and io2 (100..256000, 500 per GiB); io1 and io2 need them;
// - throughput only on gp3: 125..2000 MiB/s, at most 0.25 MiB/s per provisioned IOPS (a gp3 volume
//   without provisioned IOPS has its baseline 3000).

interface Range {
  readonly min: number;
  readonly max: number;
}

const SIZE_GIB: Record<string, Range> = {
  [ec2.EbsDeviceVolumeType.GP2]: { min: 1, max: 16384 },
  [ec2.EbsDeviceVolumeType.GP3]: { min: 1, max: 65536 },
  [ec2.EbsDeviceVolumeType.IO1]: { min: 4, max: 16384 },
  [ec2.EbsDeviceVolumeType.IO2]: { min: 4, max: 65536 },
  [ec2.EbsDeviceVolumeType.ST1]: { min: 125, max: 16384 },
  [ec2.EbsDeviceVolumeType.SC1]: { min: 125, max: 16384 },
  [ec2.EbsDeviceVolumeType.STANDARD]: { min: 1, max: 1024 },
};

interface IopsLimits extends Range {
  /** Maximum IOPS per GiB of size. */
  readonly perGib: number;
}

const IOPS: Record<string, IopsLimits> = {
  [ec2.EbsDeviceVolumeType.GP3]: { min: 3000, max: 80000, perGib: 500 },
  [ec2.EbsDeviceVolumeType.IO1]: { min: 100, max: 64000, perGib: 50 },
  [ec2.EbsDeviceVolumeType.IO2]: { min: 100, max: 256000, perGib: 500 },
};

/** IOPS a gp3 volume has when none are provisioned. */
export const GP3_BASELINE_IOPS = 3000;
const GP3_THROUGHPUT_MIBPS: Range = { min: 125, max: 2000 };
const GP3_THROUGHPUT_PER_IOPS = 0.25;

/** What a volume or block device asks for. */
export interface EbsVolumeRequest {
  readonly volumeType: ec2.EbsDeviceVolumeType;
  readonly size?: Size;
  readonly iops?: number;
  readonly throughput?: number;
}

/**
 * Checks a volume type, size, IOPS and throughput together; returns the size in whole GiB (if
 * any). Values must be known at synth: `ec2.Volume` compares them as numbers and would refuse a
 * token with a message about the volume type's range.
 */
export function validateEbsVolume(request: EbsVolumeRequest): number | undefined {
  const type = request.volumeType;
  const sizes = SIZE_GIB[type];
  if (sizes === undefined) {
    invalid('volumeType', `must be one of ${Object.keys(SIZE_GIB).join(', ')}`, type);
  }
  const gib = sizeInGib(request.size);
  if (gib !== undefined && (gib < sizes.min || gib > sizes.max)) {
    invalid('size', `must be from ${sizes.min} to ${sizes.max} GiB for ${type} volumes`, `${gib} GiB`);
  }

  const iopsLimits = IOPS[type];
  const iops = request.iops;
  if (iops !== undefined) {
    known('iops', iops);
    if (iopsLimits === undefined) {
      invalid('iops', `can be set only for ${Object.keys(IOPS).join(', ')} volumes (this one is ${type})`, iops);
    }
    if (!Number.isInteger(iops) || iops < iopsLimits.min || iops > iopsLimits.max) {
      invalid('iops', `must be a whole number from ${iopsLimits.min} to ${iopsLimits.max} for ${type} volumes`, iops);
    }
    if (gib !== undefined && iops > iopsLimits.perGib * gib) {
      invalid('iops', `must be at most ${iopsLimits.perGib} per GiB for ${type} volumes (${iopsLimits.perGib * gib} for ${gib} GiB)`, iops);
    }
  } else if (type === ec2.EbsDeviceVolumeType.IO1 || type === ec2.EbsDeviceVolumeType.IO2) {
    invalid('iops', `must be set for ${type} volumes (from ${iopsLimits.min} to ${iopsLimits.max})`, iops);
  }

  const throughput = request.throughput;
  if (throughput !== undefined) {
    known('throughput', throughput);
    if (type !== ec2.EbsDeviceVolumeType.GP3) {
      invalid('throughput', `can be set only for gp3 volumes (this one is ${type})`, throughput);
    }
    const { min, max } = GP3_THROUGHPUT_MIBPS;
    if (!Number.isInteger(throughput) || throughput < min || throughput > max) {
      invalid('throughput', `must be a whole number from ${min} to ${max} MiB/s`, throughput);
    }
    const provisioned = iops ?? GP3_BASELINE_IOPS;
    const allowed = provisioned * GP3_THROUGHPUT_PER_IOPS;
    if (throughput > allowed) {
      const basis = iops === undefined
        ? `${allowed} MiB/s for the ${GP3_BASELINE_IOPS} IOPS a gp3 volume has when iops is not set`
        : `${allowed} MiB/s for ${iops} IOPS`;
      invalid('throughput', `must be at most ${GP3_THROUGHPUT_PER_IOPS} MiB/s per provisioned IOPS (${basis})`, throughput);
    }
  }
  return gib;
}

/** The size in whole GiB; refuses fractions and sizes not known at synth. */
function sizeInGib(size: Size | undefined): number | undefined {
  if (size === undefined) return undefined;
  if (size.isUnresolved()) {
    invalid('size', 'must be known at synth (ec2.Volume checks it against the volume type\'s range)', 'a token');
  }
  const gib = size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(gib)) {
    invalid('size', 'must be a whole number of GiB', `${gib} GiB`);
  }
  return gib;
}

function known(prop: string, value: number): void {
  if (Token.isUnresolved(value)) {
    invalid(prop, 'must be a number known at synth (ec2.Volume checks it against the volume type\'s range)', Tokenization.stringifyNumber(value));
  }
}

// ---------------------------------------------------------------------------------------------
// Availability Zones
// ---------------------------------------------------------------------------------------------

const REGION = '[a-z]{2,4}(?:-[a-z]+)+-\\d+';
/** `eu-west-1a`; Local Zones `us-west-2-lax-1a`; Wavelength Zones `us-east-1-wl1-bos-wlz-1`. */
const ZONE_NAME = new RegExp(`^(${REGION})(?:[a-z]|-[a-z]+-\\d+[a-z]|-wl\\d+-[a-z]+-wlz-\\d+)$`);
/** `use1-az1`, `usw2-lax1-az1`, `use1-wl1-bos-wlz1`. */
const ZONE_ID = /^[a-z]{2,5}\d+-(?:[a-z0-9-]+-)?(?:az|wlz)\d+$/;

/**
 * Checks an Availability Zone name (what `AWS::EC2::Volume` `AvailabilityZone` takes; zone ids go in
 * `AvailabilityZoneId`, which this construct does not offer) and, when the stack's Region is
 * known, that the zone is in it. Tokens pass.
 */
export function validateAvailabilityZone(zone: string, stackRegion: string): void {
  if (Token.isUnresolved(zone)) return;
  const match = ZONE_NAME.exec(zone);
  if (!match) {
    const hint = ZONE_ID.test(zone) ? 'zone ids such as use1-az1 are not accepted, use the zone\'s name' : 'a Local Zone or Wavelength Zone name also works';
    invalid('availabilityZone', `must be an Availability Zone name such as eu-west-1a (${hint})`, zone);
  }
  if (!Token.isUnresolved(stackRegion) && match[1] !== stackRegion) {
    invalid('availabilityZone', `must be a zone of the stack's Region ${stackRegion}`, zone);
  }
}
