import { Token } from 'aws-cdk-lib';
import { AURORA_CLUSTER_API, EBS_API, RDS_DB_API, REDSHIFT_CLUSTER_API, SnapshotApi } from './private/snapshot-api';
import { invalid, validateAccountId } from '../private/validation';

/**
 * The kind of snapshot a workflow handles.
 */
export class SnapshotType {
  /** EBS snapshots (shared with `createVolumePermission`, up to 500 accounts a call). */
  public static readonly EBS = new SnapshotType(EBS_API);
  /** RDS DB instance snapshots (manual snapshots, shared with at most 20 accounts). */
  public static readonly RDS_DB = new SnapshotType(RDS_DB_API);
  /** Aurora DB cluster snapshots (manual snapshots, shared with at most 20 accounts). */
  public static readonly AURORA_CLUSTER = new SnapshotType(AURORA_CLUSTER_API);
  /**
   * Redshift cluster snapshots (manual snapshots, shared with at most 20 accounts, 100 a KMS key).
   * The accounts a Redshift snapshot is shared with can only restore it, not copy it: the source
   * shares the snapshot itself (it must be under the shareable key: Redshift cannot re-encrypt a
   * snapshot) and the target restores a cluster from it under its own key. Share workflows only
   * (`SnapshotRegionCopy` refuses it: Redshift copies snapshots to other Regions itself, with a
   * snapshot copy grant).
   */
  public static readonly REDSHIFT_CLUSTER = new SnapshotType(REDSHIFT_CLUSTER_API);

  /** The name of the type: `EBS`, `RDS_DB`, `AURORA_CLUSTER` or `REDSHIFT_CLUSTER`. */
  public readonly name: string;
  /** How many accounts one snapshot of this type can be shared with. */
  public readonly maxShareAccounts: number;

  /** @internal */
  public readonly _api: SnapshotApi;

  private constructor(api: SnapshotApi) {
    this._api = api;
    this.name = api.name;
    this.maxShareAccounts = api.maxShareAccounts;
  }
}

/**
 * An account a snapshot is shared with.
 */
export class ShareTarget {
  /**
   * An AWS account, by its 12-digit id.
   *
   * @param accountId the account id
   */
  public static account(accountId: string): ShareTarget {
    validateAccountId('ShareTarget.account accountId', accountId);
    return new ShareTarget(accountId);
  }

  /**
   * An AWS account whose `SnapshotShareTarget` runs in another Region than the source: the source
   * sends its "shared" event to the target's bus in that Region, and the target copies the shared
   * snapshot from the source's Region into its own in one `CopyDBSnapshot` call. RDS DB snapshots
   * only: for EBS and Aurora snapshots AWS documents no single-step cross-account cross-Region copy,
   * so use `ShareTarget.account` (a `SnapshotShareTarget` in the source's Region) and a
   * `SnapshotRegionCopy` in the target account's other Region.
   *
   * @param accountId the account id
   * @param region the Region of the account's `SnapshotShareTarget` (a literal Region name)
   */
  public static accountInRegion(accountId: string, region: string): ShareTarget {
    validateAccountId('ShareTarget.accountInRegion accountId', accountId);
    if (Token.isUnresolved(region) || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
      invalid('ShareTarget.accountInRegion region', 'must be a Region name such as us-east-1 (a literal, not a token)',
        Token.isUnresolved(region) ? '(a token)' : region);
    }
    return new ShareTarget(accountId, region);
  }

  /** The account id. */
  public readonly accountId: string;

  /**
   * The Region of the account's `SnapshotShareTarget`.
   *
   * @default - the source's Region
   */
  public readonly region?: string;

  private constructor(accountId: string, region?: string) {
    this.accountId = accountId;
    this.region = region;
  }
}
