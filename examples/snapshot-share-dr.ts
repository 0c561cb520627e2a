/**
 * Receiving shared RDS DB snapshots straight into the partner account's DR Region: the security
 * team's account shares in the primary Region (`RdsToPartnerDr` in `snapshots.ts`), and this
 * stack's workflow, in the DR Region, copies each shared snapshot across account and Region in one
 * `CopyDBSnapshot` call under the partner's key of the DR Region. EBS and Aurora snapshots take two
 * steps instead (a `SnapshotShareTarget` in the primary Region, then a `SnapshotRegionCopy`).
 * Redshift: the warehouse's copies in this Region are shared here (`snapshot-share-redshift-dr.ts`)
 * and restored here.
 */
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EncryptionKey, SnapshotShareTarget, SnapshotType } from '../src';

/** The partner account's side in its DR Region. */
export class SnapshotShareTargetDrStack extends Stack {
  /** Receives RDS DB snapshots shared in the primary Region. */
  public readonly rds: SnapshotShareTarget;
  /** Restores a Redshift cluster from each warehouse copy shared in this Region (`snapshot-share-redshift-dr.ts`). */
  public readonly redshift: SnapshotShareTarget;

  constructor(scope: Construct, id: string, props: StackProps & { readonly sourceAccount: string; readonly sourceRegion: string }) {
    super(scope, id, props);
    const copyKey = new EncryptionKey(this, 'CopyKey', {
      description: 'Copies, in the DR Region, of the RDS DB snapshots the security team shares',
      aliases: ['snapshots/received-dr'],
    });
    this.rds = new SnapshotShareTarget(this, 'RdsFromSecurity', {
      snapshotType: SnapshotType.RDS_DB,
      sourceAccounts: [props.sourceAccount],
      sourceRegion: props.sourceRegion,
      encryptionKey: copyKey,
      eventBusName: 'cdk-kms-patterns-snapshot-share-rds-db-dr',
    });
    // Redshift recipients cannot copy a shared snapshot: the warehouse's copies are shared in this
    // Region, and a cluster is restored from each under copyKey, not publicly accessible.
    this.redshift = new SnapshotShareTarget(this, 'WarehouseCopiesFromSecurity', {
      snapshotType: SnapshotType.REDSHIFT_CLUSTER,
      sourceAccounts: [props.sourceAccount],
      encryptionKey: copyKey,
      restore: { clusterSubnetGroupName: 'analytics-dr-private', vpcSecurityGroupIds: ['sg-0f1e2d3c4b5a69788'], nodeType: 'ra3.xlplus', numberOfNodes: 2 },
    });
  }
}
