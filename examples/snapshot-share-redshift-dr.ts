/**
 * Sharing the warehouse's snapshots with the partner account in the DR Region: the warehouse
 * (Redshift, primary Region, `databases.ts`) copies its snapshots into the DR Region, where
 * Redshift encrypts them with the key of the snapshot copy grant there. An account a Redshift
 * snapshot is shared with cannot copy it, only restore it where it is, so the share happens in the
 * DR Region: every hour this stack's sweep shares the newest manual copy not shared before with the
 * partner (one a run: each share makes the partner restore a cluster; automated copies only with
 * `automatedSnapshots`), whose workflow in its DR Region (`snapshot-share-dr.ts`) restores a cluster
 * from it under its own key.
 */
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RedshiftSnapshotCopyGrant, ShareTarget, SnapshotShareSource, SnapshotType } from '../src';

/** The security team's account in the DR Region: the share of the warehouse's copies. */
export class RedshiftCopyShareStack extends Stack {
  /** Shares the warehouse's snapshot copies with the partner. */
  public readonly share: SnapshotShareSource;

  constructor(scope: Construct, id: string, props: StackProps & {
    /** The copy grant the warehouse names (its key encrypts the copies in this Region). */
    readonly copyGrant: RedshiftSnapshotCopyGrant;
    /** The warehouse's cluster identifier. */
    readonly clusterIdentifier: string;
    readonly partnerAccount: string;
  }) {
    super(scope, id, props);
    // An hourly sweep shares the newest manual copy not shared before; { "snapshotId": "<copy>" } starts one by hand.
    this.share = new SnapshotShareSource(this, 'WarehouseCopiesToPartner', {
      snapshotType: SnapshotType.REDSHIFT_CLUSTER,
      targets: [ShareTarget.account(props.partnerAccount)],
      encryptionKey: props.copyGrant.encryptionKey,
      redshiftCopies: { clusterIdentifier: props.clusterIdentifier },
    });
  }
}
