/**
 * Sharing encrypted snapshots with the partner account: the security team's account (the source)
 * shares EBS and RDS DB snapshots with the partner account (the target), which copies each under
 * its own key and restores a volume from the EBS copies. Two stacks, one per account, in the
 * primary Region. Redshift: the warehouse's snapshots (under the databases' key, which the cluster
 * uses) are shared as they are, and the partner restores a cluster from each under its own key.
 */
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EncryptedRedshiftCluster, EncryptionKey, IEncryptionKey, ShareTarget, SnapshotShareSource, SnapshotShareTarget, SnapshotType } from '../src';

/** The source account's side: the shareable key and the share workflows. */
export class SnapshotShareSourceStack extends Stack {
  /** Shares EBS snapshots. */
  public readonly ebs: SnapshotShareSource;
  /** Shares RDS DB snapshots. */
  public readonly rds: SnapshotShareSource;
  /** Shares RDS DB snapshots with the partner's workflow in its DR Region (across account and Region in one copy). */
  public readonly rdsToDr?: SnapshotShareSource;
  /** Shares snapshots of the warehouse (Redshift) as they are: Redshift cannot re-encrypt them. */
  public readonly redshift?: SnapshotShareSource;

  constructor(scope: Construct, id: string, props: StackProps & {
    readonly partnerAccount: string;
    readonly partnerDrRegion?: string;
    /** The Redshift cluster whose snapshots are shared, and the key it is encrypted with. */
    readonly warehouse?: { readonly cluster: EncryptedRedshiftCluster; readonly key: IEncryptionKey };
  }) {
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
    if (props.partnerDrRegion) {
      // The partner copies straight into its DR Region: one CopyDBSnapshot across account and Region.
      // Its own bus name: the in-Region share above owns the default one in this account and Region.
      this.rdsToDr = new SnapshotShareSource(this, 'RdsToPartnerDr', {
        snapshotType: SnapshotType.RDS_DB,
        targets: [ShareTarget.accountInRegion(props.partnerAccount, props.partnerDrRegion)],
        encryptionKey: shareKey,
        eventBusName: 'cdk-kms-patterns-snapshot-share-rds-db-dr',
      });
    }
    if (props.warehouse) {
      // Start with { "createFrom": "<warehouse id>" } or { "snapshotId": "<manual snapshot>" }: the
      // snapshot must be under the warehouse's key, which becomes shareable with the partner
      // (through Redshift only); the workflow's logs and failure topic stay under this stack's key.
      this.redshift = new SnapshotShareSource(this, 'WarehouseToPartner', {
        snapshotType: SnapshotType.REDSHIFT_CLUSTER,
        targets: [ShareTarget.account(props.partnerAccount)],
        encryptionKey: props.warehouse.key,
        workflowKey: shareKey,
        createFrom: [props.warehouse.cluster.clusterIdentifier],
      });
    }
  }
}

/** The target account's side: its own key, and the receiving workflows. */
export class SnapshotShareTargetStack extends Stack {
  /** Receives EBS snapshots and restores a volume from each. */
  public readonly ebs: SnapshotShareTarget;
  /** Receives RDS DB snapshots. */
  public readonly rds: SnapshotShareTarget;
  /** Restores a Redshift cluster from each warehouse snapshot shared with it. */
  public readonly redshift: SnapshotShareTarget;

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
    // Redshift recipients cannot copy a shared snapshot: a cluster is restored under copyKey, not
    // publicly accessible, into the partner's analytics VPC (its subnet group and security group).
    this.redshift = new SnapshotShareTarget(this, 'WarehouseFromSecurity', {
      snapshotType: SnapshotType.REDSHIFT_CLUSTER,
      sourceAccounts: [props.sourceAccount],
      encryptionKey: copyKey,
      restore: { clusterSubnetGroupName: 'analytics-private', vpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], nodeType: 'ra3.xlplus', numberOfNodes: 2 },
    });
  }
}
