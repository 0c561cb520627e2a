import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { readShare, SHARE_EVENT_SOURCE, SHARED_DETAIL_TYPE } from './share-events';
import {
  COPY_OF_TAG, MADE_BY_TAG, REDSHIFT_CLUSTER_API, REDSHIFT_RESTORED_CLUSTER, redshiftSnapshotAccess, SdkCall, SnapshotApi,
} from './snapshot-api';
import { addServiceRetries, FailurePath, PollOptions, pollUntilAvailable, RETRY, SdkTask, sourceEntry } from './workflow';
import { IEncryptionKey } from '../../keys/encryption-key-base';
import { invalid } from '../../private/validation';

/**
 * The Redshift share workflows (issue #13). Redshift cannot re-encrypt a snapshot under another key,
 * and "users in the authorized accounts can only describe or restore any snapshot that has been
 * shared with them; they cannot copy or delete snapshots that have been shared with them"
 * (https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-snapshot-share-snapshot.html).
 * So, unlike EBS and RDS, the source shares the manual snapshot itself, only when it is already under
 * the shareable key, one account at a time (`AuthorizeSnapshotAccess`), and revokes each account
 * it authorized once that account confirmed (or failed); an account that could restore the snapshot
 * before keeps that access. The target restores a cluster from the shared snapshot under its own key
 * (`RestoreFromClusterSnapshot` with `KmsKeyId`, "the KMS key ID of the encryption key that encrypts
 * data in the cluster restored from a shared snapshot"). In the destination Region of a cluster's
 * cross-Region snapshot copy (#14), the source also takes automated snapshots: it copies each to a
 * manual one first (`CopyClusterSnapshot`), and a sweep started on a schedule starts the share of
 * the newest eligible snapshot, at most one a run. Never exported from the package.
 */

/** The value of `SnapshotType.REDSHIFT_CLUSTER.name`. */
export const REDSHIFT = REDSHIFT_CLUSTER_API.name;

/** The tag of a restored cluster naming the snapshot it was restored from. */
const RESTORED_FROM_TAG = 'cdk-kms-patterns:restored-from';

/** What a Redshift target restores (the Redshift fields of `SnapshotRestoreOptions`). */
export interface RedshiftRestore {
  readonly nodeType?: string;
  readonly numberOfNodes?: number;
  readonly clusterSubnetGroupName?: string;
  readonly vpcSecurityGroupIds?: string[];
}

/**
 * Checks the restore options of a Redshift target: a restore is required (a recipient cannot copy
 * a shared Redshift snapshot), into a subnet group and security groups of the user's VPC; the
 * Redshift fields are refused for other types.
 */
export function validateRedshiftRestore(typeName: string, restore: RedshiftRestore | undefined): void {
  const isRedshift = typeName === REDSHIFT;
  if (!isRedshift) {
    const fields = {
      nodeType: restore?.nodeType,
      numberOfNodes: restore?.numberOfNodes,
      clusterSubnetGroupName: restore?.clusterSubnetGroupName,
      vpcSecurityGroupIds: restore?.vpcSecurityGroupIds,
    };
    for (const [prop, value] of Object.entries(fields)) {
      if (value !== undefined) invalid(`restore.${prop}`, 'applies to Redshift cluster snapshots only', value);
    }
    return;
  }
  if (!restore) {
    invalid('restore', 'must be set for Redshift cluster snapshots: an account a Redshift snapshot is shared with cannot copy it, only restore a cluster from it (with clusterSubnetGroupName and vpcSecurityGroupIds)', undefined);
  }
  if (restore.nodeType !== undefined && !Token.isUnresolved(restore.nodeType) && !/^(ra3|dc2)\.[a-z0-9]+$/.test(restore.nodeType)) {
    invalid('restore.nodeType', 'must be a Redshift node type such as ra3.xlplus, ra3.4xlarge or dc2.large', restore.nodeType);
  }
  if (restore.numberOfNodes !== undefined && !Token.isUnresolved(restore.numberOfNodes)
    && (!Number.isInteger(restore.numberOfNodes) || restore.numberOfNodes < 1 || restore.numberOfNodes > 128)) {
    invalid('restore.numberOfNodes', 'must be a whole number between 1 and 128', restore.numberOfNodes);
  }
  const group = restore.clusterSubnetGroupName;
  if (group === undefined) {
    invalid('restore.clusterSubnetGroupName', 'must be set to restore Redshift clusters (a subnet group of private subnets in your VPC)', undefined);
  }
  if (!Token.isUnresolved(group) && (!/^[a-zA-Z0-9-]{1,255}$/.test(group) || group.toLowerCase() === 'default')) {
    invalid('restore.clusterSubnetGroupName', 'must be a cluster subnet group name (letters, digits and hyphens, not "default")', group);
  }
  const groups = restore.vpcSecurityGroupIds;
  if (groups === undefined || (!Token.isUnresolved(groups) && groups.length === 0)) {
    invalid('restore.vpcSecurityGroupIds', 'must name at least one VPC security group for the restored Redshift cluster', groups);
  }
  if (!Token.isUnresolved(groups)) {
    for (const sg of groups) {
      if (!Token.isUnresolved(sg) && !/^sg-[0-9a-f]{8,17}$/.test(sg)) invalid('restore.vpcSecurityGroupIds', 'must name security groups (sg-...)', sg);
    }
    if (new Set(groups).size !== groups.length) invalid('restore.vpcSecurityGroupIds', 'must not repeat a security group', groups);
  }
}

/** Checks the clusters a Redshift source may snapshot (`createFrom`). */
export function validateRedshiftClusters(clusters: string[], prop: string = 'createFrom'): void {
  for (const cluster of clusters) {
    if (!Token.isUnresolved(cluster) && !(/^[a-z](?!.*--)[a-z0-9-]{0,62}$/.test(cluster) && !cluster.endsWith('-'))) {
      invalid(prop, 'must name Redshift cluster identifiers (a lowercase letter, then lowercase letters, digits and single hyphens, at most 63, not ending with a hyphen)', cluster);
    }
  }
}

/** What the Redshift source workflow needs from its construct. */
export interface RedshiftSourceOptions {
  readonly accounts: string[];
  readonly key: IEncryptionKey;
  readonly poll: PollOptions;
  readonly confirmationTimeout: Duration;
  readonly madeBy: string;
  readonly failure: FailurePath;
  readonly createFrom: string[];
  readonly eventBus: events.IEventBus;
  /**
   * Automated snapshots (the copies Redshift makes of a cluster's automated snapshots in this
   * Region) are first copied to a manual snapshot kept this many days; unset: refused.
   */
  readonly manualCopyRetentionDays?: number;
}

/** The prefix of the manual snapshots the source workflow makes of automated snapshots. */
export const MANUAL_COPY_PREFIX = 'share-';

/**
 * `CopyClusterSnapshot`: an automated snapshot of this account to a manual one in the same Region,
 * which keeps the snapshot's key ("Copies the specified automated cluster snapshot to a new manual
 * cluster snapshot. The source must be an automated snapshot and it must be in the available
 * state": https://docs.aws.amazon.com/redshift/latest/APIReference/API_CopyClusterSnapshot.html),
 * named `share-...` and kept `retentionDays` (`ManualSnapshotRetentionPeriod`), so what the workflow
 * makes expires by itself. The operation takes no tags (they are added after).
 */
export function redshiftManualCopyCall(retentionDays: number): SdkCall {
  const snapshots = (id: string) => REDSHIFT_CLUSTER_API.snapshotArn(Aws.REGION, Aws.ACCOUNT_ID, id);
  return {
    service: 'redshift',
    action: 'copyClusterSnapshot',
    iamAction: 'redshift:CopyClusterSnapshot',
    // The automated snapshots of this account's clusters (ids rs:...) and the copies it names share-...
    iamResources: [snapshots('*/rs:*'), snapshots(`*/${MANUAL_COPY_PREFIX}*`)],
    parameters: {
      'SourceSnapshotIdentifier.$': '$.snapshotId',
      'SourceSnapshotClusterIdentifier.$': '$.original.Snapshots[0].ClusterIdentifier',
      'TargetSnapshotIdentifier.$': '$.manualCopy.id',
      'ManualSnapshotRetentionPeriod': retentionDays,
    },
  };
}

/** A Choice condition: the key field names the key, by ARN or by key id (Redshift may report either). */
function underKey(path: string, key: IEncryptionKey): sfn.Condition {
  return sfn.Condition.or(sfn.Condition.stringEquals(path, key.keyArn), sfn.Condition.stringEquals(path, key.keyId));
}

/**
 * The source workflow: (optionally) snapshot a cluster; wait until the snapshot is available; it
 * must be a manual snapshot, encrypted with the shareable key; then, for each target account at
 * once: authorize it, tell it (a task token), wait for its confirmation, revoke it (unless it
 * could restore the snapshot before). Any account that failed fails the execution, with its error.
 * The snapshot is kept: the workflow deletes nothing.
 */
export function redshiftSourceDefinition(scope: Construct, o: RedshiftSourceOptions): sfn.IChainable {
  const stack = Stack.of(scope);
  const api = REDSHIFT_CLUSTER_API;
  const f = api.fields;
  const snapshot = '$.original.Snapshots[0]';

  // One target account (a Map iteration): its outcome is the iteration's output, never an error,
  // so no other account's iteration is stopped half-way with its share left open.
  const outcome = (id: string, failure?: { error: string; cause: string }) => new sfn.Pass(scope, id, {
    parameters: failure
      ? { 'targetAccount.$': '$.targetAccount', 'status': 'FAILED', 'failure': { 'Error': failure.error, 'Cause.$': failure.cause } }
      : { 'targetAccount.$': '$.targetAccount', 'status': 'FAILED', 'failure.$': '$.failure' },
  });
  const notAuthorized = outcome('ShareNotMade');
  const targetFailed = outcome('TargetFailed');
  const revokeFailed = outcome('RevokeFailed', {
    error: 'RevokeFailed',
    cause: "States.Format('the share of {} with account {} could not be revoked (revoke it by hand): {}', $.snapshotId, $.targetAccount, $.revokeError.Cause)",
  });
  const unshared = new sfn.Pass(scope, 'Unshared', {
    parameters: { 'targetAccount.$': '$.targetAccount', 'status': 'SHARED', 'revoked': true, 'confirmation.$': '$.confirmation' },
  });
  const keptEarlierShare = new sfn.Pass(scope, 'KeptEarlierShare', {
    parameters: { 'targetAccount.$': '$.targetAccount', 'status': 'SHARED', 'revoked': false, 'confirmation.$': '$.confirmation' },
    comment: 'the account could restore the snapshot before this workflow: its access is not the workflow\'s to revoke',
  });

  const revoke = (id: string, next: sfn.IChainable) => {
    const task = new SdkTask(scope, id, redshiftSnapshotAccess('$.snapshotId', { path: '$.targetAccount' }, 'remove'), { resultPath: null });
    addServiceRetries(task, api);
    task.addCatch(next, { errors: ['Redshift.AuthorizationNotFoundException'], resultPath: '$.revokeError' });
    task.addCatch(revokeFailed, { errors: ['States.ALL'], resultPath: '$.revokeError' });
    task.next(next);
    return task;
  };
  const revokeAfterSuccess = revoke('Revoke', unshared);
  const revokeAfterFailure = revoke('RevokeAfterFailure', targetFailed);

  const tell = new tasks.EventBridgePutEvents(scope, 'TellTarget', {
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    entries: [{
      eventBus: o.eventBus,
      source: SHARE_EVENT_SOURCE,
      detailType: SHARED_DETAIL_TYPE,
      detail: sfn.TaskInput.fromObject({
        'snapshotType': api.name,
        'snapshotId.$': '$.snapshotId',
        'snapshotArn.$': '$.snapshotArn',
        'originalSnapshotId.$': '$.snapshotId',
        'sourceAccount': stack.account,
        'sourceRegion': stack.region,
        'targetAccount.$': '$.targetAccount',
        'taskToken': sfn.JsonPath.taskToken,
      }),
    }],
    taskTimeout: sfn.Timeout.duration(o.confirmationTimeout),
    resultPath: '$.confirmation',
  });
  tell.addRetry({ errors: ['EventBridge.EventBridgeException', 'EventBridge.InternalException'], ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
  const granted = sfn.Condition.booleanEquals('$.grant.granted', true);
  tell.addCatch(new sfn.Choice(scope, 'RevokeAfterFailure?').when(granted, revokeAfterFailure).otherwise(targetFailed),
    { errors: ['States.ALL'], resultPath: '$.failure' });
  tell.next(new sfn.Choice(scope, 'Revoke?').when(granted, revokeAfterSuccess).otherwise(keptEarlierShare));

  const authorize = new SdkTask(scope, 'Authorize', redshiftSnapshotAccess('$.snapshotId', { path: '$.targetAccount' }, 'add'), { resultPath: null });
  addServiceRetries(authorize, api);
  const alreadyAuthorized = new sfn.Pass(scope, 'AlreadyAuthorized', { result: sfn.Result.fromObject({ granted: false }), resultPath: '$.grant' });
  alreadyAuthorized.next(tell);
  authorize.addCatch(alreadyAuthorized, { errors: ['Redshift.AuthorizationAlreadyExistsException'], resultPath: '$.authorizeError' });
  // AuthorizationQuotaExceeded (20 accounts a snapshot, 100 a key) and the rest: this account failed.
  authorize.addCatch(notAuthorized, { errors: ['States.ALL'], resultPath: '$.failure' });
  authorize.next(new sfn.Pass(scope, 'Authorized', { result: sfn.Result.fromObject({ granted: true }), resultPath: '$.grant' })).next(tell);

  const shareAll = new sfn.Map(scope, 'ShareWithTargets', {
    itemsPath: '$.targets',
    itemSelector: { 'targetAccount.$': '$$.Map.Item.Value', 'snapshotId.$': '$.snapshotId', 'snapshotArn.$': '$.snapshotArn' },
    resultPath: '$.shares',
    maxConcurrency: 10,
  });
  shareAll.itemProcessor(authorize);
  o.failure.catchAll(shareAll);

  // Every account's outcome, in order: the first that failed fails the execution with its own error
  // and cause (a Fail state in an iteration fails the Map; no JSONPath filter, which errors when
  // nothing matches).
  const done = new sfn.Succeed(scope, 'Shared');
  const report = new sfn.Map(scope, 'ReportFailedShares', { itemsPath: '$.shares', resultPath: sfn.JsonPath.DISCARD, maxConcurrency: 1 });
  report.itemProcessor(new sfn.Choice(scope, 'ShareOfAccountFailed?')
    .when(sfn.Condition.stringEquals('$.status', 'FAILED'), new sfn.Fail(scope, 'ShareOfAccountFailed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' }))
    .otherwise(new sfn.Succeed(scope, 'ShareOfAccountDone')));
  o.failure.catchAll(report);
  shareAll.next(report).next(done);

  // The snapshot must be manual and under the shareable key: Redshift cannot re-encrypt it. It is
  // this account's own (the describe names OwnerAccount), so its ARN is this account's.
  const recordArn = new sfn.Pass(scope, 'RecordSnapshotArn', {
    parameters: {
      'snapshotArn.$': `States.Format('${api.snapshotArn(stack.region, stack.account, '{}/{}')}', ${snapshot}.ClusterIdentifier, $.snapshotId)`,
    },
    resultPath: '$.arn',
  });
  const withArn = new sfn.Pass(scope, 'UseSnapshotArn', {
    parameters: { 'snapshotId.$': '$.snapshotId', 'snapshotArn.$': '$.arn.snapshotArn', 'targets.$': '$.targets', 'original.$': '$.original' },
  });
  recordArn.next(withArn).next(shareAll);
  const wrongKey = o.failure.fail('SnapshotUnderOtherKey', 'SnapshotNotUnderShareableKey',
    `${api.noun} {} is encrypted with {}, not with the shareable key: Redshift cannot re-encrypt a snapshot, so share snapshots of a cluster encrypted with the shareable key (EncryptedRedshiftCluster with encryptionKey, or ModifyCluster KmsKeyId), or restore the snapshot into such a cluster and snapshot that`,
    '$.snapshotId', `${snapshot}.${f.kmsKeyId}`);
  const checkKey = new sfn.Choice(scope, 'UnderShareableKey?').when(underKey(`${snapshot}.${f.kmsKeyId}`, o.key), recordArn).otherwise(wrongKey);
  const checkManual = new sfn.Choice(scope, 'ManualSnapshot?')
    .when(sfn.Condition.stringEquals(`${snapshot}.SnapshotType`, 'manual'), checkKey);
  if (o.manualCopyRetentionDays === undefined) {
    checkManual.otherwise(o.failure.fail('NotManualSnapshot', 'SnapshotNotManual',
      `${api.noun} {} is an automated snapshot ({}): only manual snapshots can be shared; copy it to a manual snapshot first (CopyClusterSnapshot) or name createFrom`,
      '$.snapshotId', `${snapshot}.SnapshotType`));
  } else {
    checkManual.otherwise(manualCopyOfAutomated(scope, o, o.manualCopyRetentionDays, recordArn));
  }

  const waitOriginal = pollUntilAvailable(scope, 'Original', api, {
    idPath: '$.snapshotId', resultPath: '$.original', poll: o.poll, failure: o.failure, next: checkManual, requireEncrypted: true, what: api.noun,
  });

  return sourceEntry(scope, api, {
    accounts: o.accounts, createFrom: o.createFrom, madeBy: o.madeBy, failure: o.failure, waitOriginal, resourceNoun: 'clusters',
  });
}

/**
 * An automated snapshot (under the shareable key, checked first: the copy keeps the key) is copied
 * to a manual snapshot named from it and the workflow (`share-<SHA-1>`, so a second run finds the
 * first run's copy instead of making another), kept `retentionDays`, tagged, waited for, checked to
 * be under the shareable key, and shared instead of the automated one. The workflow never deletes
 * it: it expires by itself.
 */
function manualCopyOfAutomated(scope: Construct, o: RedshiftSourceOptions, retentionDays: number, share: sfn.IChainable): sfn.IChainable {
  const api = REDSHIFT_CLUSTER_API;
  const snapshot = '$.original.Snapshots[0]';
  const automatedWrongKey = o.failure.fail('AutomatedUnderOtherKey', 'SnapshotNotUnderShareableKey',
    `${api.noun} {} is encrypted with {}, not with the shareable key: a manual copy would keep that key, so it is not made (in a destination Region, encryptionKey must be the key of the RedshiftSnapshotCopyGrant the source cluster names)`,
    '$.snapshotId', `${snapshot}.${api.fields.kmsKeyId}`);

  const useCopy = new sfn.Pass(scope, 'UseManualCopy', {
    parameters: {
      'snapshotId.$': '$.manualCopy.id', 'automatedSnapshotId.$': '$.snapshotId', 'targets.$': '$.targets', 'original.$': '$.original',
    },
  });
  useCopy.next(share);
  const copyWrongKey = o.failure.fail('ManualCopyUnderOtherKey', 'CopyNotUnderShareableKey',
    'the manual copy {} is encrypted with {}, not with the shareable key', '$.manualCopy.id', `$.copyDescribed.Snapshots[0].${api.fields.kmsKeyId}`);
  const checkCopy = new sfn.Choice(scope, 'ManualCopyUnderShareableKey?')
    .when(underKey(`$.copyDescribed.Snapshots[0].${api.fields.kmsKeyId}`, o.key), useCopy)
    .otherwise(copyWrongKey);
  const waitCopy = pollUntilAvailable(scope, 'ManualCopy', api, {
    idPath: '$.manualCopy.id', resultPath: '$.copyDescribed', poll: o.poll, failure: o.failure, next: checkCopy, requireEncrypted: true, what: `the manual copy (${api.noun})`,
  });

  const tag = new SdkTask(scope, 'TagManualCopy', {
    service: 'redshift',
    action: 'createTags',
    iamAction: 'redshift:CreateTags',
    iamResources: [api.snapshotArn(Aws.REGION, Aws.ACCOUNT_ID, `*/${MANUAL_COPY_PREFIX}*`)],
    parameters: {
      'ResourceName.$': `States.Format('${api.snapshotArn(Aws.REGION, Aws.ACCOUNT_ID, '{}/{}')}', ${snapshot}.ClusterIdentifier, $.manualCopy.id)`,
      'Tags': [
        { Key: MADE_BY_TAG, Value: o.madeBy },
        { 'Key': COPY_OF_TAG, 'Value.$': '$.snapshotId' },
      ],
    },
  }, { resultPath: null });
  addServiceRetries(tag, api);
  o.failure.catchAll(tag);
  tag.next(waitCopy);

  const copy = new SdkTask(scope, 'CopyToManual', redshiftManualCopyCall(retentionDays), { resultPath: null });
  addServiceRetries(copy, api, { quota: true });
  const copiedBefore = new sfn.Pass(scope, 'ManualCopyExists', { comment: 'a run for this snapshot made the copy before', resultPath: sfn.JsonPath.DISCARD });
  copiedBefore.next(tag);
  copy.addCatch(copiedBefore, { errors: api.alreadyExistsErrors, resultPath: '$.copyExistsError' });
  o.failure.catchAll(copy);
  copy.next(tag);

  const seed = o.madeBy.replace(/['{}\\]/g, '');
  const name = new sfn.Pass(scope, 'NameManualCopy', {
    parameters: { 'id.$': `States.Format('${MANUAL_COPY_PREFIX}{}', States.Hash(States.Format('{}|${seed}', $.snapshotId), 'SHA-1'))` },
    resultPath: '$.manualCopy',
  });
  name.next(copy);
  return new sfn.Choice(scope, 'AutomatedUnderShareableKey?')
    .when(underKey(`${snapshot}.${api.fields.kmsKeyId}`, o.key), name)
    .otherwise(automatedWrongKey);
}

/** What the Redshift target workflow needs from its construct. */
export interface RedshiftTargetOptions {
  readonly key: IEncryptionKey;
  readonly poll: PollOptions;
  readonly madeBy: string;
  readonly sourceAccounts: string[];
  readonly restore: RedshiftRestore;
  /** The failure path that confirms the failure to the source first. */
  readonly failure: FailurePath;
  /** The failure path without confirmation (an event this workflow cannot answer). */
  readonly withoutConfirmation: FailurePath;
  /** The confirmation of success (reads `$.copy.id` and `$.restored`). */
  readonly confirm: sfn.TaskStateBase;
}

/** `RestoreFromClusterSnapshot` of the shared snapshot, under the target key, in the user's VPC, not public. */
export function redshiftRestoreCall(o: { keyArn: string; sourceAccounts: string[]; restore: RedshiftRestore }): SdkCall {
  const cluster = (account: string, id: string) => `arn:${Aws.PARTITION}:redshift:${Aws.REGION}:${account}:cluster:${id}`;
  return {
    service: 'redshift',
    action: 'restoreFromClusterSnapshot',
    iamAction: 'redshift:RestoreFromClusterSnapshot',
    // The cluster it creates and the snapshots the source accounts share (the documented pair).
    iamResources: [
      cluster(Aws.ACCOUNT_ID, 'share-*'),
      ...o.sourceAccounts.map((a) => REDSHIFT_CLUSTER_API.snapshotArn(Aws.REGION, a, '*/*')),
    ],
    parameters: {
      'ClusterIdentifier.$': '$.clusterName.name',
      'SnapshotIdentifier.$': '$.share.snapshotId',
      'OwnerAccount.$': '$.share.sourceAccount',
      ...(o.restore.nodeType !== undefined ? { NodeType: o.restore.nodeType } : {}),
      ...(o.restore.numberOfNodes !== undefined ? { NumberOfNodes: o.restore.numberOfNodes } : {}),
      'ClusterSubnetGroupName': o.restore.clusterSubnetGroupName,
      'VpcSecurityGroupIds': o.restore.vpcSecurityGroupIds,
      'PubliclyAccessible': false,
      'Encrypted': true,
      'KmsKeyId': o.keyArn,
    },
  };
}

/**
 * The target workflow: wait until the shared snapshot is visible and available (encrypted), restore
 * a cluster from it under this account's key (named from the share, so a second run finds the
 * first run's cluster instead of making another), tag it, wait until it is available, check it is
 * encrypted with this account's key and not publicly accessible, confirm.
 */
export function redshiftTargetDefinition(scope: Construct, o: RedshiftTargetOptions): sfn.IChainable {
  const api = REDSHIFT_CLUSTER_API;
  const cluster = '$.cluster.Snapshots[0]';

  const recordNoCopy = new sfn.Pass(scope, 'NoCopy', {
    comment: 'Redshift recipients cannot copy a shared snapshot: the restored cluster is what this account keeps',
    result: sfn.Result.fromObject({ id: 'none' }),
    resultPath: '$.copy',
  });
  recordNoCopy.next(o.confirm);
  const wrong = o.failure.fail('RestoredClusterWrong', 'RestoreNotUnderTargetKey',
    'the restored cluster {} is not encrypted with this account\'s key, or is publicly accessible', '$.restored.id');
  const checkKey = new sfn.Choice(scope, 'RestoredUnderOwnKey?')
    .when(sfn.Condition.and(underKey(`${cluster}.KmsKeyId`, o.key), sfn.Condition.booleanEquals(`${cluster}.PubliclyAccessible`, false)), recordNoCopy)
    .otherwise(wrong);
  const checkEncrypted = new sfn.Choice(scope, 'RestoredEncrypted?')
    .when(sfn.Condition.and(
      sfn.Condition.isPresent(`${cluster}.KmsKeyId`),
      sfn.Condition.isPresent(`${cluster}.PubliclyAccessible`),
      sfn.Condition.booleanEquals(`${cluster}.Encrypted`, true)), checkKey)
    .otherwise(wrong);
  const waitCluster = pollUntilAvailable(scope, 'Cluster', REDSHIFT_RESTORED_CLUSTER, {
    idPath: '$.restored.id', resultPath: '$.cluster', poll: o.poll, failure: o.failure, next: checkEncrypted, what: 'the restored Redshift cluster',
  });

  const tag = new SdkTask(scope, 'TagCluster', {
    service: 'redshift',
    action: 'createTags',
    iamAction: 'redshift:CreateTags',
    iamResources: [`arn:${Aws.PARTITION}:redshift:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster:share-*`],
    parameters: {
      'ResourceName.$': `States.Format('arn:${Aws.PARTITION}:redshift:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster:{}', $.restored.id)`,
      'Tags': [
        { Key: MADE_BY_TAG, Value: o.madeBy },
        { 'Key': RESTORED_FROM_TAG, 'Value.$': "States.Format('{}:{}', $.share.sourceAccount, $.share.snapshotId)" },
      ],
    },
  }, { resultPath: null });
  addServiceRetries(tag, api);
  o.failure.catchAll(tag);
  tag.next(waitCluster);

  const restore = new SdkTask(scope, 'Restore', redshiftRestoreCall({ keyArn: o.key.keyArn, sourceAccounts: o.sourceAccounts, restore: o.restore }), {
    resultSelector: { 'id.$': '$.Cluster.ClusterIdentifier' },
    resultPath: '$.restored',
  });
  addServiceRetries(restore, api);
  const restoredBefore = new sfn.Pass(scope, 'RestoredBefore', { parameters: { 'id.$': '$.clusterName.name' }, resultPath: '$.restored' });
  restoredBefore.next(tag);
  restore.addCatch(restoredBefore, { errors: ['Redshift.ClusterAlreadyExistsException'], resultPath: '$.restoreExistsError' });
  o.failure.catchAll(restore);
  restore.next(tag);

  const seed = o.madeBy.replace(/['{}\\]/g, '');
  const name = new sfn.Pass(scope, 'NameCluster', {
    parameters: { 'name.$': `States.Format('share-{}', States.Hash(States.Format('{}|{}|${seed}', $.share.sourceAccount, $.share.snapshotId), 'SHA-1'))` },
    resultPath: '$.clusterName',
  });
  name.next(restore);
  // The shared snapshot is described in its owner's account: only the source accounts' snapshots.
  const sharedApi: SnapshotApi = {
    ...api,
    describe: (idPath, shared) => ({
      ...api.describe(idPath, shared),
      iamResources: o.sourceAccounts.map((a) => api.snapshotArn(Aws.REGION, a, '*/*')),
    }),
  };
  const waitShared = pollUntilAvailable(scope, 'Shared', sharedApi, {
    idPath: '$.share.snapshotId', shared: true, resultPath: '$.sharedSnapshot', poll: o.poll, failure: o.failure, next: name, requireEncrypted: true, what: `the shared ${api.noun}`,
  });
  const start = readShare(scope);
  start.next(waitShared);
  const wrongType = o.withoutConfirmation.fail('NotThisType', 'InvalidShareEvent', `expected a shared ${api.noun}`);
  return new sfn.Choice(scope, 'ShareOfThisType?')
    .when(sfn.Condition.and(
      sfn.Condition.isPresent('$.detail.snapshotId'),
      sfn.Condition.isPresent('$.detail.taskToken'),
      sfn.Condition.isPresent('$.detail.sourceAccount'),
      sfn.Condition.stringEquals('$.detail.snapshotType', api.name)), start)
    .otherwise(wrongType);
}

/** What the sweep of copied Redshift snapshots needs. */
export interface RedshiftSweepOptions {
  /** The source cluster whose snapshots Redshift copies into this Region. */
  readonly clusterIdentifier: string;
  /** The share workflow started for the newest eligible snapshot. */
  readonly shareMachine: sfn.IStateMachine;
  /** Automated copies are eligible as well as manual ones (the share workflow makes them manual first). */
  readonly automatedSnapshots: boolean;
  readonly failure: FailurePath;
}

/**
 * The sweep of the snapshots a cluster of another Region copies into this one (Redshift sends no
 * documented EventBridge event when a copy arrives: its EventBridge events are integration events
 * only, https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-redshift.html). Each share
 * makes every target restore a NEW cluster, so a run starts at most one share:
 *
 * 1. list the 100 newest snapshots of that cluster owned by this account (`DescribeClusterSnapshots`
 *    by `ClusterIdentifier`, `SortingEntities` CREATE_TIME DESC), only the manual ones
 *    (`SnapshotType: manual`, "the type of snapshots for which you are requesting information",
 *    https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html)
 *    unless `automatedSnapshots`;
 * 2. walk the list, newest first (an intrinsics loop: a Map cannot stop at the first match), to the
 *    first available snapshot that is not a manual copy the share workflow made (`share-...`);
 * 3. start the share workflow for that one only, under an execution name derived from the snapshot
 *    (`rs-<SHA-1>`), so a snapshot is shared once: Step Functions refuses a second execution of that
 *    name for 90 days (`ExecutionAlreadyExists`, taken as "started before": nothing is started, and
 *    older snapshots are never looked at).
 *
 * Snapshots that arrive between two runs, other than the newest, are not shared by the sweep.
 */
export function redshiftSweepDefinition(scope: Construct, o: RedshiftSweepOptions): sfn.IChainable {
  const api = REDSHIFT_CLUSTER_API;
  const list = new SdkTask(scope, 'ListCopies', {
    service: 'redshift',
    action: 'describeClusterSnapshots',
    iamAction: 'redshift:DescribeClusterSnapshots',
    // A listing by cluster (no snapshot named): this account's snapshots, as the share workflow's
    // own describe (AWS documents no narrower resource for a listing).
    iamResources: [api.snapshotArn(Aws.REGION, Aws.ACCOUNT_ID, '*/*')],
    parameters: {
      ClusterIdentifier: o.clusterIdentifier,
      OwnerAccount: Aws.ACCOUNT_ID,
      ...(o.automatedSnapshots ? {} : { SnapshotType: 'manual' }),
      MaxRecords: 100,
      SortingEntities: [{ Attribute: 'CREATE_TIME', SortOrder: 'DESC' }],
    },
  }, { resultSelector: { 'Snapshots.$': '$.Snapshots', 'Count.$': 'States.ArrayLength($.Snapshots)' }, resultPath: '$.copies' });
  addServiceRetries(list, api);
  o.failure.catchAll(list);

  const swept = new sfn.Succeed(scope, 'Swept');
  const result = (id: string, parameters: Record<string, unknown>, comment?: string) =>
    new sfn.Pass(scope, id, { parameters, resultPath: '$.share', comment }).next(swept);

  const current = '$.current.snapshot';
  const start = new tasks.CallAwsService(scope, 'StartShare', {
    service: 'sfn',
    action: 'startExecution',
    iamAction: 'states:StartExecution',
    iamResources: [o.shareMachine.stateMachineArn],
    parameters: {
      'StateMachineArn': o.shareMachine.stateMachineArn,
      'Name.$': `States.Format('rs-{}', States.Hash(${current}.${api.fields.id}, 'SHA-1'))`,
      'Input.$': 'States.JsonToString($.input)',
    },
    resultSelector: { 'executionArn.$': '$.ExecutionArn' },
    resultPath: '$.started',
  });
  start.addRetry({ errors: ['Sfn.SfnException', 'Sfn.SdkClientException'], ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
  start.addCatch(result('StartedBefore', { 'snapshotId.$': `${current}.${api.fields.id}`, 'started': false },
    'the newest eligible snapshot was shared before: nothing to start (older ones are not the sweep\'s)'),
  { errors: ['Sfn.ExecutionAlreadyExistsException'], resultPath: '$.startError' });
  o.failure.catchAll(start);
  const input = new sfn.Pass(scope, 'ShareInput', { parameters: { 'snapshotId.$': `${current}.${api.fields.id}` }, resultPath: '$.input' });
  input.next(start);
  start.next(result('Started', { 'snapshotId.$': `${current}.${api.fields.id}`, 'started': true, 'executionArn.$': '$.started.executionArn' }));

  const cursor = new sfn.Pass(scope, 'NewestFirst', { parameters: { i: 0 }, resultPath: '$.cursor' });
  const more = new sfn.Choice(scope, 'MoreCopies?');
  const read = new sfn.Pass(scope, 'ReadCopy', {
    parameters: { 'snapshot.$': 'States.ArrayGetItem($.copies.Snapshots, $.cursor.i)' },
    resultPath: '$.current',
  });
  const nextCopy = new sfn.Pass(scope, 'NextCopy', { parameters: { 'i.$': 'States.MathAdd($.cursor.i, 1)' }, resultPath: '$.cursor' });
  nextCopy.next(more);
  const eligible = [
    sfn.Condition.stringEquals(`${current}.${api.fields.status}`, 'available'),
    sfn.Condition.not(sfn.Condition.stringMatches(`${current}.${api.fields.id}`, `${MANUAL_COPY_PREFIX}*`)),
  ];
  read.next(new sfn.Choice(scope, 'ShareThisCopy?', { comment: 'the newest available snapshot that is not a copy the share workflow made' })
    .when(sfn.Condition.and(...eligible), input)
    .otherwise(nextCopy));
  more.when(sfn.Condition.numberLessThanJsonPath('$.cursor.i', '$.copies.Count'), read)
    .otherwise(result('NothingToShare', { started: false }, 'no available snapshot to share among those listed'));
  return sfn.Chain.start(list).next(cursor).next(more);
}
