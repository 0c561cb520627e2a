import { Aws } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * The events the share workflows exchange across accounts. Never exported from the package.
 *
 * - `Snapshot Shared` (source account to target account): `{ snapshotType, snapshotId, snapshotArn,
 *   sourceAccount, sourceRegion, targetAccount, taskToken }`. The target's rule matches
 *   `sourceRegion` too: a target in another Region (`ShareTarget.accountInRegion`) takes shares of
 *   the Region it was told only. Both events cross accounts and, for such a target, Regions: each
 *   rule sends to the other side's bus in that side's Region.
 * - `Snapshot Share Confirmed` (target account back to the source account): `{ snapshotType,
 *   snapshotId, sourceAccount, targetAccount, status: 'COPIED' | 'FAILED', copyId?, error?, cause?,
 *   taskToken }`.
 */
export const SHARE_EVENT_SOURCE = 'cdk-kms-patterns.snapshot-share';
/** The detail type of the source's event. */
export const SHARED_DETAIL_TYPE = 'Snapshot Shared';
/** The detail type of the target's answer. */
export const CONFIRMED_DETAIL_TYPE = 'Snapshot Share Confirmed';
/** The status of a confirmation that the copy was made. */
export const STATUS_COPIED = 'COPIED';
/** The status of a confirmation that the copy failed. */
export const STATUS_FAILED = 'FAILED';

/** The default name of the share buses (one per snapshot type, the same name on both sides). */
export function defaultBusName(typeName: string): string {
  return `cdk-kms-patterns-snapshot-share-${typeName.toLowerCase().replace(/_/g, '-')}`;
}

/** The ARN of a bus of another account. */
export function busArn(account: string, region: string, name: string): string {
  return `arn:${Aws.PARTITION}:events:${region}:${account}:event-bus/${name}`;
}

/**
 * The target workflows' first state (id `ReadShare`): the share event's detail, kept in `$.share`
 * as `{ snapshotId, snapshotArn, sourceAccount, taskToken }`.
 */
export function readShare(scope: Construct): sfn.Pass {
  return new sfn.Pass(scope, 'ReadShare', {
    parameters: {
      share: {
        'snapshotId.$': '$.detail.snapshotId',
        'snapshotArn.$': '$.detail.snapshotArn',
        'sourceAccount.$': '$.detail.sourceAccount',
        'taskToken.$': '$.detail.taskToken',
      },
    },
  });
}
