import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DEFAULT_EVENT_TIMEOUT, DEFAULT_POLL, WaitOptions } from './workflow';
import { fail, invalid } from '../../private/validation';
import type { SnapshotPollingOptions } from '../snapshot-share-source';
import type { ShareTarget, SnapshotType } from '../snapshot-type';

/**
 * Option checks and IAM helpers shared by the share workflows. Never exported from the package.
 */

/** The poll options with their defaults, checked. */
export function pollOptions(polling: SnapshotPollingOptions | undefined): WaitOptions {
  const initial = polling?.initialPollInterval ?? DEFAULT_POLL.initial;
  const cap = polling?.maxPollInterval ?? DEFAULT_POLL.cap;
  const timeout = polling?.snapshotTimeout ?? DEFAULT_POLL.timeout;
  checkDuration('polling.initialPollInterval', initial, 1, 3600);
  checkDuration('polling.maxPollInterval', cap, 1, 86400);
  checkDuration('polling.snapshotTimeout', timeout, 60, 365 * 24 * 3600);
  if (!initial.isUnresolved() && !cap.isUnresolved() && cap.toSeconds() < initial.toSeconds()) {
    invalid('polling.maxPollInterval', `must be at least polling.initialPollInterval (${initial.toHumanString()})`, cap);
  }
  const eventTimeout = polling?.completionEventTimeout ?? DEFAULT_EVENT_TIMEOUT;
  checkDuration('polling.completionEventTimeout', eventTimeout, 60, 24 * 3600);
  if (!eventTimeout.isUnresolved() && !timeout.isUnresolved() && eventTimeout.toSeconds() > timeout.toSeconds()) {
    invalid('polling.completionEventTimeout', `must be at most polling.snapshotTimeout (${timeout.toHumanString()})`, eventTimeout);
  }
  return { initial, cap, timeout, completionEvents: polling?.completionEvents ?? true, eventTimeout };
}

/** Checks a duration in whole seconds within bounds; tokens pass. */
export function checkDuration(prop: string, value: Duration, min: number, max: number): void {
  if (value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    invalid(prop, `must be whole seconds between ${min} and ${max} seconds`, value);
  }
}

/**
 * Lets a role read snapshots under any key of its account through one service (the original
 * snapshot's key is not known at synth: `aws/ebs`, `aws/rds` or a customer managed key whose
 * policy allows the account): describe, decrypt and re-encrypt from, and grants for AWS resources.
 */
export function readAnyKeyOfAccount(role: iam.IRole, viaService: string, keyAccount: string, callerAccount: string = keyAccount,
  keyRegion: string = Stack.of(role).region): void {
  const keys = `arn:${Aws.PARTITION}:kms:${keyRegion}:${keyAccount}:key/*`;
  const suffix = keyAccount === callerAccount ? '' : keyAccount;
  const through = { 'kms:ViaService': viaService, 'kms:CallerAccount': callerAccount };
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: `ReadSnapshotKeysThroughService${suffix}`,
    actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom'],
    resources: [keys],
    conditions: { StringEquals: through },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: `SnapshotKeyGrantsForAwsResources${suffix}`,
    actions: ['kms:CreateGrant'],
    resources: [keys],
    conditions: { StringEquals: through, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  }));
}

/** Checks a target list: not empty, no duplicates, within the type's share limit, not the own account. */
export function validateShareTargets(type: SnapshotType, targets: ShareTarget[], ownAccount: string): string[] {
  if (targets.length === 0) {
    fail('targets must name at least one account, got []');
  }
  const accounts = targets.map((t) => t.accountId);
  const duplicates = accounts.filter((a, i) => accounts.indexOf(a) !== i);
  if (duplicates.length > 0) {
    fail(`targets must not repeat an account, got ${JSON.stringify(accounts)} (${duplicates.join(', ')} more than once)`);
  }
  if (accounts.length > type.maxShareAccounts) {
    fail(`targets may name at most ${type.maxShareAccounts} accounts for ${type._api.noun}s (AWS's share limit), got ${accounts.length}`);
  }
  if (accounts.includes(ownAccount)) {
    fail(`targets must be other accounts than the source account ${ownAccount}, got ${JSON.stringify(accounts)}`);
  }
  return accounts;
}

/**
 * Checks a share whose target copies into another Region than the source's (cross-account and
 * cross-Region in one copy). Same Region: nothing to check. Otherwise only RDS DB snapshots:
 *
 * - RDS `CopyDBSnapshot`: "You can also specify an ARN of a snapshot that is in a different account
 *   and a different AWS Region" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBSnapshot.html);
 *   "You can copy snapshots to another AWS Region or account in a single step"
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html).
 * - Aurora: the pages disagree (December 2026): the overview says a single step works
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-copy-snapshot.html), the
 *   cross-account page says "You can only copy DB cluster snapshots across accounts in the same AWS
 *   Region" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_CopyDBClusterSnapshot.CrossAccount.html)
 *   and the `CopyDBClusterSnapshot` reference names no cross-account cross-Region source: refused.
 * - EBS: `CopySnapshot` documents a snapshot shared with you and a `SourceRegion`, never both at
 *   once (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html): refused.
 * - `PreSignedUrl` is ignored outside AWS GovCloud (US); in GovCloud a cross-Region copy needs one
 *   signed in the source Region, which a Step Functions workflow cannot make: refused. RDS cannot
 *   copy to or from the China Regions: refused.
 */
export function validateShareRegions(api: SnapshotType['_api'], prop: string, sourceRegion: string, targetRegion: string): void {
  if (Token.isUnresolved(sourceRegion) || Token.isUnresolved(targetRegion) || sourceRegion === targetRegion) return;
  if (api.service === 'redshift') {
    fail(`${prop}: ${api.noun}s are shared and restored within one Region; to another Region, use the cluster's own `
      + 'cross-Region snapshot copy (a snapshot copy grant in the destination Region) and share there');
  }
  if (api.name !== 'RDS_DB') {
    fail(`${prop}: ${api.noun}s cannot be copied across accounts and Regions in one step (AWS documents a single-step `
      + `cross-account cross-Region copy for RDS DB snapshots only); share in ${sourceRegion} instead (ShareTarget.account and a `
      + `SnapshotShareTarget in ${sourceRegion}), then copy with a SnapshotRegionCopy in ${targetRegion} of the target account`);
  }
  const govCloud = [sourceRegion, targetRegion].find((r) => r.startsWith('us-gov-'));
  if (govCloud) {
    fail(`${prop}: cross-Region shares in AWS GovCloud (US) are not supported (${govCloud}): CopyDBSnapshot there needs a `
      + 'PreSignedUrl signed in the source Region, which a Step Functions workflow cannot make; share within one Region instead');
  }
  const china = [sourceRegion, targetRegion].find((r) => r.startsWith('cn-'));
  if (china) {
    fail(`${prop}: RDS cannot copy snapshots to or from the China Regions (${china}); share within one Region instead`);
  }
}
