import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { copyStates } from './private/copy-states';
import { CompletionWaits } from './private/event-wait';
import { REDSHIFT, redshiftTargetDefinition, validateRedshiftRestore } from './private/redshift-share';
import {
  busArn, CONFIRMED_DETAIL_TYPE, defaultBusName, readShare, SHARE_EVENT_SOURCE, SHARED_DETAIL_TYPE, STATUS_COPIED, STATUS_FAILED,
} from './private/share-events';
import { acknowledgeWorkflow, acknowledgeWorkflowRole } from './private/share-nag';
import { checkDuration, pollOptions, readAnyKeyOfAccount, validateShareRegions } from './private/share-options';
import { MADE_BY_TAG, SdkCall, SnapshotApi } from './private/snapshot-api';
import { addServiceRetries, FailurePath, pollUntilAvailable, RETRY, SdkTask, workflowLogGroup, workflowStateMachine, failureTopic } from './private/workflow';
import { SnapshotShareWorkflowOptions } from './snapshot-share-source';
import { SnapshotType } from './snapshot-type';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { KeyCapability } from '../policy/key-capability';
import { checkEncryptionKey, encryptionKeyOrDefault, removalPolicyOf } from '../private/encrypted-resource';
import { WarningIds } from '../private/ids';
import { fail, invalid, validateAccountId } from '../private/validation';

/**
 * What the target restores from its copy.
 */
export interface SnapshotRestoreOptions {
  /**
   * EBS: create a gp3 volume from the copy in this Availability Zone (by name, e.g. `eu-west-1a`).
   *
   * @default - required for EBS snapshots
   */
  readonly availabilityZone?: string;
  /**
   * RDS DB snapshots: restore a DB instance of this class (e.g. `db.t4g.micro`), not publicly
   * accessible, with deletion protection.
   *
   * @default - required for RDS DB snapshots
   */
  readonly dbInstanceClass?: string;
  /**
   * Redshift: the node type of the restored cluster (e.g. `ra3.xlplus`).
   *
   * @default - the node type of the snapshot's cluster
   */
  readonly nodeType?: string;
  /**
   * Redshift: the number of nodes of the restored cluster (1 to 128).
   *
   * @default - the number of nodes of the snapshot's cluster
   */
  readonly numberOfNodes?: number;
  /**
   * Redshift: the cluster subnet group of the restored cluster (private subnets of your VPC; not
   * `default`). The cluster is never publicly accessible.
   *
   * @default - required for Redshift cluster snapshots
   */
  readonly clusterSubnetGroupName?: string;
  /**
   * Redshift: the VPC security groups of the restored cluster (`sg-...`, at least one).
   *
   * @default - required for Redshift cluster snapshots
   */
  readonly vpcSecurityGroupIds?: string[];
}

/**
 * Properties of a `SnapshotShareTarget`.
 */
export interface SnapshotShareTargetProps extends SnapshotShareWorkflowOptions {
  /** The kind of snapshot received (must match the source's). */
  readonly snapshotType: SnapshotType;

  /** The accounts that share snapshots with this one (each deploys a `SnapshotShareSource`). */
  readonly sourceAccounts: string[];

  /**
   * The Region of the source accounts' `SnapshotShareSource` (the shared snapshots are there).
   * Another Region than this stack's copies each shared snapshot into this Region in one
   * `CopyDBSnapshot` call (across account and Region at once): RDS DB snapshots only, outside AWS
   * GovCloud (US) and the China Regions. The sources name this account with
   * `ShareTarget.accountInRegion(account, <this Region>)`. EBS and Aurora snapshots cannot be
   * copied across account and Region in one step: receive them in the source's Region and copy
   * them on with a `SnapshotRegionCopy`.
   *
   * @default - this stack's Region
   */
  readonly sourceRegion?: string;

  /**
   * This account's key: every copy (and every restored volume, instance or cluster) is encrypted
   * with it. Symmetric, in the stack's Region.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * Restore a volume, DB instance or Aurora cluster from each copy; for Redshift, restore a cluster
   * from the shared snapshot itself (required: a shared Redshift snapshot cannot be copied).
   *
   * @default - copies only (Redshift: required)
   */
  readonly restore?: SnapshotRestoreOptions;

}

/**
 * The target account's side of sharing encrypted snapshots: started by the source's event (on a
 * bus whose policy admits only the source accounts), it copies the shared snapshot under this
 * account's own key, waits until the copy is available, optionally restores a volume, DB instance
 * or Aurora cluster from it with the same key, tags everything it makes, and confirms to the
 * source (which then stops sharing and deletes its intermediate copy). A failure is confirmed too,
 * published to the failure topic, and ends the execution with the error.
 *
 * Redshift cluster snapshots: the shared snapshot is not copied (Redshift does not let the
 * recipient copy it); a cluster is restored from it under this account's key, not publicly
 * accessible, in the given subnet group and security groups, tagged, and confirmed once available.
 */
export class SnapshotShareTarget extends Construct {
  /** The receiving workflow. */
  public readonly stateMachine: sfn.StateMachine;
  /** The bus the sources' events arrive on and confirmations leave from. */
  public readonly eventBus: events.EventBus;
  /** This account's key of the copies. */
  public readonly encryptionKey: IEncryptionKey;
  /** Where failures are published. */
  public readonly failureTopic: sns.ITopic;
  /** The workflow's log group, named `/aws/vendedlogs/states/<stack name>-<construct path>-<hash>`. */
  public readonly logGroup: logs.LogGroup;
  /** The completion-event waits (token table, callback machine). */
  private readonly completionWaits: CompletionWaits;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: SnapshotShareTargetProps) {
    const stack = Stack.of(scope);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      fail('SnapshotShareTarget needs a stack with an explicit account and Region (env), to name the buses of both sides');
    }
    const api = props.snapshotType._api;
    if (props.sourceAccounts.length === 0) {
      invalid('sourceAccounts', 'must name at least one account', props.sourceAccounts);
    }
    props.sourceAccounts.forEach((a) => validateAccountId('sourceAccounts', a));
    if (props.sourceAccounts.includes(stack.account)) {
      invalid('sourceAccounts', `must be other accounts than this one (${stack.account})`, props.sourceAccounts);
    }
    if (new Set(props.sourceAccounts).size !== props.sourceAccounts.length) {
      invalid('sourceAccounts', 'must not repeat an account', props.sourceAccounts);
    }
    validateRestore(api, props.restore, stack.region);
    const sourceRegion = props.sourceRegion ?? stack.region;
    if (Token.isUnresolved(sourceRegion) || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(sourceRegion)) {
      invalid('sourceRegion', 'must be a Region name such as eu-west-1 (a literal, not a token)', Token.isUnresolved(sourceRegion) ? '(a token)' : sourceRegion);
    }
    validateShareRegions(api, `sourceRegion (${sourceRegion})`, sourceRegion, stack.region);
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, api.keyService.endpointPrefix.toUpperCase());
    checkEncryptionKey(scope, 'workflowKey', props.workflowKey, 'CloudWatch Logs and SNS');
    const poll = pollOptions(props.polling);
    checkDuration('polling.snapshotTimeout', poll.timeout, 60, 365 * 24 * 3600);
    const busName = props.eventBusName ?? defaultBusName(api.name);
    super(scope, id);

    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Snapshot copies of ${this.node.path}`);
    this.encryptionKey = key;
    const workflowKey = props.workflowKey ?? key;
    const removalPolicy = removalPolicyOf(this, props.removalPolicy, {
      warningId: WarningIds.SNAPSHOT_WORKFLOW_REMOVAL_POLICY,
      consequence: 'the workflow\'s state machines and its log group (the record of every share) are deleted when they leave the stack',
    });
    this.logGroup = workflowLogGroup(this, workflowKey, props.logRetention ?? logs.RetentionDays.ONE_YEAR, removalPolicy);
    this.failureTopic = failureTopic(this, workflowKey, props.failureTopic);
    const madeBy = `${stack.stackName}/${this.node.path.split('/').slice(1).join('/')}`.slice(0, 250);

    // The bus admits the source accounts only; confirmations go back to each source's bus.
    this.eventBus = new events.EventBus(this, 'Bus', { eventBusName: busName });
    this.eventBus.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'SourceAccountsShare',
      principals: props.sourceAccounts.map((a) => new iam.AccountPrincipal(a)),
      actions: ['events:PutEvents'],
      resources: [this.eventBus.eventBusArn],
    }));
    props.sourceAccounts.forEach((account, i) => {
      new events.Rule(this, `ToSource${i}`, {
        eventBus: this.eventBus,
        description: `Confirms ${api.noun} copies to account ${account}`,
        eventPattern: {
          source: [SHARE_EVENT_SOURCE], detailType: [CONFIRMED_DETAIL_TYPE], account: [stack.account], detail: { sourceAccount: [account] },
        },
        targets: [new targets.EventBus(events.EventBus.fromEventBusArn(this, `SourceBus${i}`, busArn(account, sourceRegion, busName)))],
      });
    });

    const failure = FailurePath.create(this, this.failureTopic, madeBy);
    const confirmFailure = this.confirm('ConfirmFailure', api, STATUS_FAILED);
    confirmFailure.addCatch(failure.entry, { errors: ['States.ALL'], resultPath: '$.confirmError' });
    confirmFailure.next(failure.entry);
    const failing = failure.via(confirmFailure);
    this.completionWaits = new CompletionWaits(this, 'CompletionEvents', {
      apis: [api], enabled: poll.completionEvents, eventTimeout: poll.eventTimeout, key: workflowKey, removalPolicy,
    });

    const definition = this.definition(api, props, key, poll, madeBy, failing, failure);
    this.stateMachine = workflowStateMachine(this, 'Resource', {
      definition,
      timeout: poll.timeout.plus(poll.timeout).plus(Duration.hours(1)),
      removalPolicy,
      comment: `Copies ${api.noun}s shared by ${props.sourceAccounts.join(', ')} under this account's key`,
    }, this.logGroup);

    new events.Rule(this, 'Shares', {
      eventBus: this.eventBus,
      description: `${api.noun}s shared by ${props.sourceAccounts.join(', ')}`,
      eventPattern: {
        source: [SHARE_EVENT_SOURCE],
        detailType: [SHARED_DETAIL_TYPE],
        account: props.sourceAccounts,
        detail: { targetAccount: [stack.account], snapshotType: [api.name], sourceRegion: [sourceRegion] },
      },
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });

    const role = this.stateMachine.role;
    key.grantThroughService(role, api.keyService, KeyCapability.DESCRIBE, KeyCapability.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
      KeyCapability.REENCRYPT, KeyCapability.DECRYPT, KeyCapability.GRANT_FOR_AWS_RESOURCE);
    // Redshift asks for a data key with its plaintext when it restores a cluster under this key.
    if (api.name === REDSHIFT) key.grantThroughService(role, api.keyService, KeyCapability.GENERATE_DATA_KEY);
    // RDS and Aurora restores under this key: the service request model's RDS create rows
    // (Overview.Encryption.Keys.html, earlier text) include kms:GenerateDataKey.
    if (api.service === 'rds' && props.restore) key.grantThroughService(role, api.keyService, KeyCapability.GENERATE_DATA_KEY);
    // The source's keys are used in their own Region, by the service there (KMS keys are Regional;
    // for a copy from another Region, RDS in the source Region reads the shared snapshot):
    // kms:ViaService rds.<source Region> (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
    for (const account of props.sourceAccounts) {
      readAnyKeyOfAccount(role, api.keyService.viaService(sourceRegion), account, stack.account, sourceRegion);
    }
    // Completion events of the copy (EBS copySnapshot, RDS-EVENT-0197 / -0060) resume the copy wait.
    this.completionWaits.bind(this.stateMachine, this.logGroup, removalPolicy);
    for (const workflowRole of this.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role)) acknowledgeWorkflowRole(workflowRole);
    acknowledgeWorkflow([this.stateMachine, ...(this.completionWaits.callback ? [this.completionWaits.callback] : [])]);
  }

  private confirm(id: string, api: SnapshotApi, status: string): tasks.EventBridgePutEvents {
    const detail: { [key: string]: unknown } = {
      'snapshotType': api.name,
      'status': status,
      'snapshotId.$': '$.share.snapshotId',
      'sourceAccount.$': '$.share.sourceAccount',
      'targetAccount': Stack.of(this).account,
      'taskToken.$': '$.share.taskToken',
    };
    if (status === STATUS_COPIED) {
      detail['copyId.$'] = '$.copy.id';
      detail['restored.$'] = '$.restored';
    } else {
      detail['error.$'] = '$.failure.Error';
      detail['cause.$'] = '$.failure.Cause';
    }
    const put = new tasks.EventBridgePutEvents(this, id, {
      entries: [{ eventBus: this.eventBus, source: SHARE_EVENT_SOURCE, detailType: CONFIRMED_DETAIL_TYPE, detail: sfn.TaskInput.fromObject(detail) }],
      resultPath: sfn.JsonPath.DISCARD,
    });
    put.addRetry({ errors: ['EventBridge.EventBridgeException', 'EventBridge.InternalException'], ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    return put;
  }

  private definition(api: SnapshotApi, props: SnapshotShareTargetProps, key: IEncryptionKey, poll: ReturnType<typeof pollOptions>,
    madeBy: string, failure: FailurePath, withoutConfirmation: FailurePath): sfn.IChainable {
    const stack = Stack.of(this);
    const sourceRegion = props.sourceRegion ?? stack.region;
    const f = api.fields;
    const done = new sfn.Succeed(this, 'Copied');
    const confirm = this.confirm('Confirm', api, STATUS_COPIED);
    failure.catchAll(confirm);
    confirm.next(done);
    if (api.name === REDSHIFT) {
      // Redshift recipients restore the shared snapshot directly (they cannot copy it).
      return redshiftTargetDefinition(this, {
        key, poll, madeBy, sourceAccounts: props.sourceAccounts, restore: props.restore!, failure, withoutConfirmation, confirm,
      });
    }

    let afterCopy: sfn.IChainable = confirm;
    const noRestore = new sfn.Pass(this, 'NothingRestored', { result: sfn.Result.fromObject({ id: 'none' }), resultPath: '$.restored' });
    if (props.restore) {
      const restore = new SdkTask(this, 'Restore', restoreCall(api, props.restore, key.keyArn, madeBy), {
        resultSelector: { 'id.$': restoreIdResult(api) },
        resultPath: '$.restored',
      });
      addServiceRetries(restore, api, { quota: true });
      failure.catchAll(restore);
      restore.next(confirm);
      afterCopy = restore;
    } else {
      noRestore.next(confirm);
      afterCopy = noRestore;
    }

    // The copy must be under this account's key (the copy that kept the source key: rds-snapshot-tool#60).
    const wrongKey = failure.fail('CopyUnderWrongKey', 'CopyNotUnderTargetKey',
      'the copy {} is encrypted with {}, not with this account\'s key', '$.copy.id', `$.described.Snapshots[0].${f.kmsKeyId}`);
    const checkKey = new sfn.Choice(this, 'CopyUnderOwnKey?')
      .when(sfn.Condition.stringEquals(`$.described.Snapshots[0].${f.kmsKeyId}`, key.keyArn), afterCopy)
      .otherwise(wrongKey);
    const waitCopy = this.completionWaits.untilAvailable(this, 'Copy', api, {
      idPath: '$.copy.id', resultPath: '$.described', poll, failure, next: checkKey, requireEncrypted: true, what: `the copy (${api.noun})`,
    });
    const recordCopy = new sfn.Pass(this, 'RecordCopy', { parameters: { 'id.$': '$.copyResult.id' }, resultPath: '$.copy' });
    recordCopy.next(waitCopy);
    const sourcePath = api.service === 'ec2' ? '$.share.snapshotId' : '$.share.snapshotArn';
    const copy = copyStates(this, api, {
      sourcePath,
      keyArn: key.keyArn,
      madeBy,
      sourceRegion,
      sourceAccounts: props.sourceAccounts,
      region: stack.region,
      account: stack.account,
    }, failure, recordCopy);
    // From another Region the shared snapshot cannot be described first (Step Functions calls
    // services in its own Region only): the source shares it only once it is available and under
    // its shareable key, CopyDBSnapshot fails on a snapshot that is not, and the copy is checked.
    const waitShared = sourceRegion !== stack.region ? copy : pollUntilAvailable(this, 'Shared', api, {
      idPath: sourcePath, shared: true, resultPath: '$.sharedSnapshot', poll, failure, next: copy, requireEncrypted: true, what: `the shared ${api.noun}`,
    });
    const start = readShare(this);
    start.next(waitShared);
    // Not a share this workflow can answer (the rule admits none such): nothing to confirm to.
    const wrongType = withoutConfirmation.fail('NotThisType', 'InvalidShareEvent', `expected a shared ${api.noun}`);
    return new sfn.Choice(this, 'ShareOfThisType?')
      .when(sfn.Condition.and(
        sfn.Condition.isPresent('$.detail.snapshotId'),
        sfn.Condition.isPresent('$.detail.taskToken'),
        sfn.Condition.stringEquals('$.detail.snapshotType', api.name)), start)
      .otherwise(wrongType);
  }
}

function validateRestore(api: SnapshotApi, restore: SnapshotRestoreOptions | undefined, region: string): void {
  validateRedshiftRestore(api.name, restore);
  if (!restore) return;
  if (api.name === 'EBS') {
    if (restore.availabilityZone === undefined) invalid('restore.availabilityZone', 'must be set to restore EBS volumes', undefined);
    if (!Token.isUnresolved(restore.availabilityZone) && !restore.availabilityZone.startsWith(region)) {
      invalid('restore.availabilityZone', `must be a zone of the stack's Region ${region}`, restore.availabilityZone);
    }
  } else if (restore.availabilityZone !== undefined) {
    invalid('restore.availabilityZone', 'applies to EBS snapshots only', restore.availabilityZone);
  }
  if (api.name === 'RDS_DB') {
    if (restore.dbInstanceClass === undefined) invalid('restore.dbInstanceClass', 'must be set to restore RDS DB instances', undefined);
    if (!Token.isUnresolved(restore.dbInstanceClass) && !/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(restore.dbInstanceClass)) {
      invalid('restore.dbInstanceClass', 'must be a DB instance class such as db.t4g.micro', restore.dbInstanceClass);
    }
  } else if (restore.dbInstanceClass !== undefined) {
    invalid('restore.dbInstanceClass', 'applies to RDS DB snapshots only', restore.dbInstanceClass);
  }
}

function restoreIdResult(api: SnapshotApi): string {
  if (api.name === 'EBS') return '$.VolumeId';
  // Step Functions' (AWS SDK for Java 2.x) member names: `DbInstance`, not botocore's `DBInstance`.
  if (api.name === 'RDS_DB') return '$.DbInstance.DbInstanceIdentifier';
  return '$.DbCluster.DbClusterIdentifier';
}

/** The restore call of each type, tagged, under the target key. */
function restoreCall(api: SnapshotApi, restore: SnapshotRestoreOptions, keyArn: string, madeBy: string): SdkCall {
  const tags = [{ Key: MADE_BY_TAG, Value: madeBy }, { 'Key': 'cdk-kms-patterns:restored-from', 'Value.$': '$.copy.id' }];
  const rds = (type: string, name: string) => `arn:${Aws.PARTITION}:rds:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}:${name}`;
  if (api.name === 'EBS') {
    const volumes = `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:volume/*`;
    return {
      service: 'ec2',
      action: 'createVolume',
      iamAction: 'ec2:CreateVolume',
      iamResources: [volumes, `arn:${Aws.PARTITION}:ec2:${Aws.REGION}::snapshot/*`],
      parameters: {
        'AvailabilityZone': restore.availabilityZone,
        'SnapshotId.$': '$.copy.id',
        'Encrypted': true,
        'KmsKeyId': keyArn,
        'VolumeType': 'gp3',
        'TagSpecifications': [{ ResourceType: 'volume', Tags: tags }],
      },
      extraActions: [{ actions: ['ec2:CreateTags'], resources: [volumes], conditions: { StringEquals: { 'ec2:CreateAction': 'CreateVolume' } } }],
    };
  }
  if (api.name === 'RDS_DB') {
    return {
      service: 'rds',
      action: 'restoreDBInstanceFromDBSnapshot',
      iamAction: 'rds:RestoreDBInstanceFromDBSnapshot',
      iamResources: [rds('db', 'share-*'), rds('snapshot', 'share-*'), rds('og', '*'), rds('pg', '*'), rds('subgrp', '*')],
      parameters: {
        'DbInstanceIdentifier.$': '$.copy.id',
        'DbSnapshotIdentifier.$': '$.copy.id',
        'DbInstanceClass': restore.dbInstanceClass,
        'PubliclyAccessible': false,
        'DeletionProtection': true,
        'CopyTagsToSnapshot': true,
        'Tags': tags,
      },
      extraActions: [{ actions: ['rds:AddTagsToResource'], resources: [rds('db', 'share-*')] }],
    };
  }
  return {
    service: 'rds',
    action: 'restoreDBClusterFromSnapshot',
    iamAction: 'rds:RestoreDBClusterFromSnapshot',
    iamResources: [rds('cluster', 'share-*'), rds('cluster-snapshot', 'share-*'), rds('cluster-pg', '*'), rds('subgrp', '*')],
    parameters: {
      'DbClusterIdentifier.$': '$.copy.id',
      'SnapshotIdentifier.$': '$.copy.id',
      'Engine.$': '$.described.Snapshots[0].Engine',
      'KmsKeyId': keyArn,
      'DeletionProtection': true,
      'CopyTagsToSnapshot': true,
      'Tags': tags,
    },
    extraActions: [{ actions: ['rds:AddTagsToResource'], resources: [rds('cluster', 'share-*')] }],
  };
}
