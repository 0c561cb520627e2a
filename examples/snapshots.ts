/**
 * Sharing encrypted snapshots with the partner account: the security team's account (the source)
 * shares EBS and RDS DB snapshots with the partner account (the target), which copies each under
 * its own key and restores a volume from the EBS copies. Two stacks, one per account, in the
 * primary Region.
 */
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EncryptionKey, ShareTarget, SnapshotShareSource, SnapshotShareTarget, SnapshotType } from '../src';

/** The source account's side: the shareable key and the share workflows. */
export class SnapshotShareSourceStack extends Stack {
  /** Shares EBS snapshots. */
  public readonly ebs: SnapshotShareSource;
  /** Shares RDS DB snapshots. */
  public readonly rds: SnapshotShareSource;

  constructor(scope: Construct, id: string, props: StackProps & { readonly partnerAccount: string }) {
    super(scope, id, props);
    const shareKey = new EncryptionKey(this, 'ShareKey', {
      description: 'Intermediate copies of snapshots shared with the partner account',
      aliases: ['snapshots/share'],
    });
    // Start with { "snapshotId": "snap-..." } or { "createFrom": "vol-0123456789abcdef0" }
    this.ebs = new SnapshotShareSource(this, 'EbsToPartner', {
      snapshotType: SnapshotType.EBS,
      targets: [ShareTarget.account(props.partnerAccount)],
      encryptionKey: shareKey,
      createFrom: ['vol-0123456789abcdef0'],
    });
    // Start with { "snapshotId": "orders-2026-12-01" }
    this.rds = new SnapshotShareSource(this, 'RdsToPartner', {
      snapshotType: SnapshotType.RDS_DB,
      targets: [ShareTarget.account(props.partnerAccount)],
      encryptionKey: shareKey,
    });
  }
}

/** The target account's side: its own key, and the receiving workflows. */
export class SnapshotShareTargetStack extends Stack {
  /** Receives EBS snapshots and restores a volume from each. */
  public readonly ebs: SnapshotShareTarget;
  /** Receives RDS DB snapshots. */
  public readonly rds: SnapshotShareTarget;

  constructor(scope: Construct, id: string, props: StackProps & { readonly sourceAccount: string }) {
    super(scope, id, props);
    const copyKey = new EncryptionKey(this, 'CopyKey', {
      description: 'Copies of the snapshots the security team shares',
      aliases: ['snapshots/received'],
    });
    this.ebs = new SnapshotShareTarget(this, 'EbsFromSecurity', {
      snapshotType: SnapshotType.EBS,
      sourceAccounts: [props.sourceAccount],
      encryptionKey: copyKey,
      restore: { availabilityZone: `${this.region}a` },
    });
    this.rds = new SnapshotShareTarget(this, 'RdsFromSecurity', {
      snapshotType: SnapshotType.RDS_DB,
      sourceAccounts: [props.sourceAccount],
      encryptionKey: copyKey,
    });
  }
}
