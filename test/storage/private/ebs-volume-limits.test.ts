import { App, Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GP3_BASELINE_IOPS, validateAvailabilityZone, validateEbsVolume } from '../../../src/storage/private/ebs-volume-limits';

const T = ec2.EbsDeviceVolumeType;

/** Whether aws-cdk-lib's own ec2.Volume accepts the request (its checks run in the constructor). */
function cdkAccepts(request: { volumeType: ec2.EbsDeviceVolumeType; size?: Size; iops?: number; throughput?: number }): boolean {
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  try {
    new ec2.Volume(stack, 'V', { availabilityZone: 'eu-west-1a', size: request.size ?? Size.gibibytes(500), ...request });
    return true;
  } catch {
    return false;
  }
}

function accepts(request: { volumeType: ec2.EbsDeviceVolumeType; size?: Size; iops?: number; throughput?: number }): boolean {
  try {
    validateEbsVolume({ size: Size.gibibytes(500), ...request });
    return true;
  } catch {
    return false;
  }
}

describe('validateEbsVolume: sizes', () => {
  test.each([
    [T.GP2, 1, 16384],
    [T.GP3, 1, 65536],
    [T.IO1, 4, 16384],
    [T.IO2, 4, 65536],
    [T.ST1, 125, 16384],
    [T.SC1, 125, 16384],
    [T.STANDARD, 1, 1024],
  ])('%s: %d to %d GiB', (volumeType, min, max) => {
    const iops = volumeType === T.IO1 || volumeType === T.IO2 ? 100 : undefined;
    expect(validateEbsVolume({ volumeType, size: Size.gibibytes(min), iops })).toBe(min);
    expect(validateEbsVolume({ volumeType, size: Size.gibibytes(max), iops })).toBe(max);
    expect(() => validateEbsVolume({ volumeType, size: Size.gibibytes(min - 1), iops }))
      .toThrow(`size must be from ${min} to ${max} GiB for ${volumeType} volumes, got '${min - 1} GiB'`);
    expect(() => validateEbsVolume({ volumeType, size: Size.gibibytes(max + 1), iops })).toThrow(/size must be from/);
  });

  test('a size given in TiB counts in GiB; no size is fine (a snapshot gives it)', () => {
    expect(validateEbsVolume({ volumeType: T.GP3, size: Size.tebibytes(2) })).toBe(2048);
    expect(validateEbsVolume({ volumeType: T.GP3 })).toBeUndefined();
  });

  test('fractions of a GiB and tokens are refused', () => {
    expect(() => validateEbsVolume({ volumeType: T.GP3, size: Size.mebibytes(1536) })).toThrow("size must be a whole number of GiB, got '1.5 GiB'");
    expect(() => validateEbsVolume({ volumeType: T.GP3, size: Size.gibibytes(Token.asNumber(Lazy.number({ produce: () => 10 }))) }))
      .toThrow(/size must be known at synth .*got 'a token'/);
  });

  test('an unknown volume type names the known ones', () => {
    expect(() => validateEbsVolume({ volumeType: 'gp9' as ec2.EbsDeviceVolumeType }))
      .toThrow("volumeType must be one of gp2, gp3, io1, io2, st1, sc1, standard, got 'gp9'");
  });
});

describe('validateEbsVolume: IOPS', () => {
  test.each([
    [T.GP3, 3000, 80000],
    [T.IO1, 100, 64000],
    [T.IO2, 100, 256000],
  ])('%s: %d to %d IOPS', (volumeType, min, max) => {
    const size = Size.gibibytes(volumeType === T.IO1 ? 16384 : 65536);
    expect(() => validateEbsVolume({ volumeType, size, iops: min })).not.toThrow();
    expect(() => validateEbsVolume({ volumeType, size, iops: max })).not.toThrow();
    expect(() => validateEbsVolume({ volumeType, size, iops: min - 1 }))
      .toThrow(`iops must be a whole number from ${min} to ${max} for ${volumeType} volumes, got ${min - 1}`);
    expect(() => validateEbsVolume({ volumeType, size, iops: max + 1 })).toThrow(/iops must be a whole number from/);
    expect(() => validateEbsVolume({ volumeType, size, iops: min + 0.5 })).toThrow(/iops must be a whole number from/);
  });

  test.each([
    [T.GP3, 500, 10],
    [T.IO1, 50, 100],
    [T.IO2, 500, 10],
  ])('%s: at most %d IOPS per GiB', (volumeType, perGib, gib) => {
    const limit = perGib * gib;
    expect(() => validateEbsVolume({ volumeType, size: Size.gibibytes(gib), iops: limit })).not.toThrow();
    expect(() => validateEbsVolume({ volumeType, size: Size.gibibytes(gib), iops: limit + 1 }))
      .toThrow(`iops must be at most ${perGib} per GiB for ${volumeType} volumes (${limit} for ${gib} GiB), got ${limit + 1}`);
  });

  test('io1 and io2 need IOPS; other types refuse them', () => {
    expect(() => validateEbsVolume({ volumeType: T.IO2, size: Size.gibibytes(100) })).toThrow('iops must be set for io2 volumes (from 100 to 256000), got undefined');
    expect(() => validateEbsVolume({ volumeType: T.GP2, size: Size.gibibytes(100), iops: 3000 }))
      .toThrow('iops can be set only for gp3, io1, io2 volumes (this one is gp2), got 3000');
  });

  test('a token is refused: ec2.Volume compares the numbers at synth', () => {
    expect(() => validateEbsVolume({ volumeType: T.GP3, iops: Token.asNumber(Lazy.number({ produce: () => 4000 })) }))
      .toThrow(/iops must be a number known at synth/);
  });
});

describe('validateEbsVolume: throughput', () => {
  test('gp3 only, 125 to 2000 MiB/s', () => {
    expect(() => validateEbsVolume({ volumeType: T.GP3, throughput: 125 })).not.toThrow();
    expect(() => validateEbsVolume({ volumeType: T.GP3, iops: 8000, throughput: 2000 })).not.toThrow();
    expect(() => validateEbsVolume({ volumeType: T.GP3, throughput: 124 })).toThrow('throughput must be a whole number from 125 to 2000 MiB/s, got 124');
    expect(() => validateEbsVolume({ volumeType: T.GP3, iops: 16000, throughput: 2001 })).toThrow(/from 125 to 2000 MiB\/s, got 2001/);
    expect(() => validateEbsVolume({ volumeType: T.IO2, iops: 1000, throughput: 200 }))
      .toThrow('throughput can be set only for gp3 volumes (this one is io2), got 200');
  });

  test(`at most 0.25 MiB/s per IOPS; without iops a gp3 volume has its baseline ${GP3_BASELINE_IOPS}`, () => {
    expect(() => validateEbsVolume({ volumeType: T.GP3, throughput: 750 })).not.toThrow();
    expect(() => validateEbsVolume({ volumeType: T.GP3, throughput: 751 }))
      .toThrow('throughput must be at most 0.25 MiB/s per provisioned IOPS (750 MiB/s for the 3000 IOPS a gp3 volume has when iops is not set), got 751');
    expect(() => validateEbsVolume({ volumeType: T.GP3, iops: 4000, throughput: 1001 }))
      .toThrow('throughput must be at most 0.25 MiB/s per provisioned IOPS (1000 MiB/s for 4000 IOPS), got 1001');
  });
});

describe('validateEbsVolume agrees with aws-cdk-lib\'s ec2.Volume', () => {
  // Whatever this check accepts, ec2.Volume must accept too: whatever ec2.Volume refuses, this check
  // refuses first, with a message naming the value.
  const requests = [
    ...[T.GP2, T.GP3, T.IO1, T.IO2, T.ST1, T.SC1, T.STANDARD].flatMap(volumeType => [0, 1, 3, 4, 124, 125, 1024, 1025, 16384, 16385, 65536, 65537]
      .map(gib => ({ volumeType, size: Size.gibibytes(gib), iops: volumeType === T.IO1 || volumeType === T.IO2 ? 100 : undefined }))),
    ...[2999, 3000, 80000, 80001].map(iops => ({ volumeType: T.GP3, size: Size.gibibytes(1000), iops })),
    ...[99, 100, 64000, 64001].map(iops => ({ volumeType: T.IO1, size: Size.gibibytes(2000), iops })),
    ...[99, 100, 256000, 256001].map(iops => ({ volumeType: T.IO2, size: Size.gibibytes(1000), iops })),
    ...[124, 125, 750, 751, 2000, 2001].map(throughput => ({ volumeType: T.GP3, size: Size.gibibytes(1000), iops: 16000, throughput })),
  ];

  test('on sizes, IOPS and throughput around every limit', () => {
    const disagreements: string[] = [];
    let accepted = 0;
    for (const request of requests) {
      const ours = accepts(request);
      const theirs = cdkAccepts(request);
      if (ours) accepted++;
      if (ours && !theirs) {
        disagreements.push(`${request.volumeType} ${request.size.toGibibytes()} GiB iops=${request.iops} throughput=${(request as any).throughput}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBeGreaterThan(10);
    expect(accepted).toBeLessThan(requests.length - 10);
  });
});

describe('validateAvailabilityZone', () => {
  test.each([
    ['eu-west-1a', 'eu-west-1'],
    ['us-gov-west-1b', 'us-gov-west-1'],
    ['us-west-2-lax-1a', 'us-west-2'],
    ['us-east-1-wl1-bos-wlz-1', 'us-east-1'],
    ['cn-north-1a', 'cn-north-1'],
  ])('%s is a zone of %s', (zone, region) => {
    expect(() => validateAvailabilityZone(zone, region)).not.toThrow();
  });

  test('a zone of another Region is refused', () => {
    expect(() => validateAvailabilityZone('us-east-1a', 'eu-west-1')).toThrow("availabilityZone must be a zone of the stack's Region eu-west-1, got 'us-east-1a'");
    expect(() => validateAvailabilityZone('us-west-2-lax-1a', 'us-west-1')).toThrow(/must be a zone of the stack's Region us-west-1/);
  });

  test('a zone id is refused, with a hint to use the name', () => {
    expect(() => validateAvailabilityZone('use1-az1', 'us-east-1')).toThrow(/zone ids such as use1-az1 are not accepted, use the zone's name\), got 'use1-az1'/);
    expect(() => validateAvailabilityZone('usw2-lax1-az1', 'us-west-2')).toThrow(/zone ids such as use1-az1 are not accepted/);
  });

  test.each(['eu-west-1', 'eu-west-1ab', 'EU-WEST-1A', 'eu-west-1-'])('%s is not a zone name', (zone) => {
    expect(() => validateAvailabilityZone(zone, 'eu-west-1')).toThrow(/availabilityZone must be an Availability Zone name such as eu-west-1a \(a Local Zone or Wavelength Zone name also works\)/);
  });

  test('tokens pass: a token zone, and any zone when the stack\'s Region is a token', () => {
    expect(() => validateAvailabilityZone(Lazy.string({ produce: () => 'x' }), 'eu-west-1')).not.toThrow();
    expect(() => validateAvailabilityZone('us-east-1a', Stack.of(new Stack(new App(), 'Agnostic')).region)).not.toThrow();
  });
});
