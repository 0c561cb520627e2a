import { AURORA_CLUSTER_API, EBS_API, RDS_DB_API, SnapshotApi } from './private/snapshot-api';
import { validateAccountId } from '../private/validation';

/**
 * The kind of snapshot a workflow handles.
 *
 * Redshift snapshots are not supported yet (see the README).
 */
export class SnapshotType {
  /** EBS snapshots (shared with `createVolumePermission`, up to 500 accounts a call). */
  public static readonly EBS = new SnapshotType(EBS_API);
  /** RDS DB instance snapshots (manual snapshots, shared with at most 20 accounts). */
  public static readonly RDS_DB = new SnapshotType(RDS_DB_API);
  /** Aurora DB cluster snapshots (manual snapshots, shared with at most 20 accounts). */
  public static readonly AURORA_CLUSTER = new SnapshotType(AURORA_CLUSTER_API);

  /** The name of the type: `EBS`, `RDS_DB` or `AURORA_CLUSTER`. */
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

  /** The account id. */
  public readonly accountId: string;

  private constructor(accountId: string) {
    this.accountId = accountId;
  }
}
