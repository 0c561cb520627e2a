import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DEFAULT_POLL } from './workflow';
import { fail, invalid } from '../../private/validation';
import type { SnapshotPollingOptions } from '../snapshot-share-source';
import type { ShareTarget, SnapshotType } from '../snapshot-type';

/**
 * Option checks and IAM helpers shared by the share workflows. Never exported from the package.
 */

/** The poll options with their defaults, checked. */
export function pollOptions(polling: SnapshotPollingOptions | undefined): typeof DEFAULT_POLL {
  const initial = polling?.initialPollInterval ?? DEFAULT_POLL.initial;
  const cap = polling?.maxPollInterval ?? DEFAULT_POLL.cap;
  const timeout = polling?.snapshotTimeout ?? DEFAULT_POLL.timeout;
  checkDuration('polling.initialPollInterval', initial, 1, 3600);
  checkDuration('polling.maxPollInterval', cap, 1, 86400);
  checkDuration('polling.snapshotTimeout', timeout, 60, 365 * 24 * 3600);
  if (!initial.isUnresolved() && !cap.isUnresolved() && cap.toSeconds() < initial.toSeconds()) {
    invalid('polling.maxPollInterval', `must be at least polling.initialPollInterval (${initial.toHumanString()})`, cap);
  }
  return { initial, cap, timeout };
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
export function readAnyKeyOfAccount(role: iam.IRole, viaService: string, keyAccount: string, callerAccount: string = keyAccount): void {
  const keys = `arn:${Aws.PARTITION}:kms:${Stack.of(role).region}:${keyAccount}:key/*`;
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
