import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeWorkflow, acknowledgeWorkflowRole } from './share-nag';
import { SnapshotApi } from './snapshot-api';
import {
  AvailabilityWaitOptions, availabilityChoice, describeSnapshot, pollUntilAvailable, resumeTask, RETRY, waitTimedOut, workflowStateMachine,
} from './workflow';
import { IEncryptionKey } from '../../keys/encryption-key-base';
import { KeyCapability } from '../../policy/key-capability';
import { KeyService } from '../../policy/key-service';
import { acknowledgeInCompliancePacks } from '../../private/acknowledge';
import { ComplianceRules, NIST_AND_HIPAA } from '../../private/ids';

/**
 * Waiting for a snapshot on the completion event its service emits, instead of polling. Never
 * exported from the package.
 *
 * The workflow describes the snapshot first (available already: no wait at all). While it is
 * pending, the workflow stores its task token in a DynamoDB table under the snapshot id (partition
 * key) and its execution id (sort key), so that executions waiting for the same snapshot (a re-run,
 * a duplicate event, a deterministic copy name) never overwrite each other's tokens
 * (`aws-sdk:dynamodb:putItem.waitForTaskToken`: AWS SDK integrations support the callback pattern in
 * Standard workflows, https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html)
 * and sleeps. An EventBridge rule on the service's completion event starts a small EXPRESS state
 * machine that queries every item of the snapshot id and, for each, takes the item (`deleteItem`
 * returning the old item: one waiter is resumed once, even by duplicate events) and calls
 * `sfn:SendTaskSuccess` (or `SendTaskFailure` with `SnapshotFailed` for a failure event). Either way
 * the workflow then describes the snapshot again, so every decision is taken on the snapshot's real
 * state, never on the event alone: a failure event whose snapshot is failed (or gone) fails the wait
 * with the event's message; one whose snapshot is still pending (or available) changes nothing.
 *
 * Races and lost events: "Amazon RDS emits events on a best effort basis ... they might be out of
 * sequence or missing" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/working-with-events.html),
 * and a copy can finish between the describe and the `putItem`. The wait therefore has a
 * `TimeoutSeconds` (the event timeout); on `States.Timeout` the workflow forgets its own item and
 * describes the snapshot again: a lost event costs one extra describe after one event timeout, never
 * a hang. Every wait, timed out or resumed, counts one full event timeout against the snapshot
 * timeout (`poll.timeout`; JSONPath has no clock to measure a resumed wait): at most
 * `poll.timeout / event timeout` waits, after which the wait fails as the polling one does. The
 * state machine's overall timeout still applies.
 *
 * Events used (all on the default bus of the account and Region where the snapshot is made):
 * - EBS `EBS Snapshot Notification`, `createSnapshot` and `copySnapshot`, result `succeeded` or
 *   `failed`; `detail.snapshot_id` is the snapshot's ARN
 *   (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html).
 * - RDS `RDS DB Snapshot Event` (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#USER_Events.Messages.snapshot):
 *   RDS-EVENT-0042 "Manual snapshot created", RDS-EVENT-0197 "Finished copy of snapshot" (a copy in
 *   one Region), RDS-EVENT-0060 "Finished copy of snapshot ... from region" (a cross-Region copy);
 *   failures: RDS-EVENT-0190 and RDS-EVENT-0061 (copy canceled). RDS documents no event for a failed
 *   manual snapshot: a snapshot that ends in `failed` is found by the describe after the event
 *   timeout. `detail.SourceIdentifier` is the snapshot's name (for the cancel events AWS does not say
 *   whether it names the copy or its source: a cancel event resuming the wait for another snapshot
 *   only causes a describe of it)
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-cloud-watch-events.html).
 * - Aurora cluster snapshots: the cluster snapshot events include no copy completion
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html#USER_Events.Messages.cluster-snapshot):
 *   polled with capped exponential backoff.
 * - A snapshot shared by another account: its events go to the owner's account: polled.
 */

/** The error a failure event ends the wait with (`SendTaskFailure`): the polling wait's error for a failed snapshot. */
export const COMPLETION_FAILED_ERROR = 'SnapshotFailed';
/** The table's partition key: the snapshot id as the event names it (EBS `snap-...`, RDS the identifier). */
export const WAIT_KEY = 'snapshotId';
/** The table's sort key: the id of the execution waiting (one item per waiting execution). */
export const WAITER_KEY = 'execution';

/** The completion events of a snapshot type: the rule pattern, and how the callback reads them. */
export interface CompletionEvents {
  readonly source: string;
  readonly detailType: string;
  /** The rule's `detail` pattern. */
  readonly detail: { [key: string]: string[] };
}

/** EBS: `createSnapshot` and `copySnapshot` notifications, succeeded or failed. */
export const EBS_COMPLETION: CompletionEvents = {
  source: 'aws.ec2',
  detailType: 'EBS Snapshot Notification',
  detail: { event: ['createSnapshot', 'copySnapshot'], result: ['succeeded', 'failed'] },
};
/** RDS event ids meaning "the snapshot is made". */
export const RDS_SUCCESS_EVENTS = ['RDS-EVENT-0042', 'RDS-EVENT-0197', 'RDS-EVENT-0060'];
/** RDS event ids meaning "the copy will not be made". */
export const RDS_FAILURE_EVENTS = ['RDS-EVENT-0190', 'RDS-EVENT-0061'];
/** RDS DB snapshots: created, copied (same Region or cross-Region), copy canceled. */
export const RDS_DB_COMPLETION: CompletionEvents = {
  source: 'aws.rds',
  detailType: 'RDS DB Snapshot Event',
  detail: { EventID: [...RDS_SUCCESS_EVENTS, ...RDS_FAILURE_EVENTS] },
};

/** The completion events of a snapshot type, or undefined where none exist (Aurora cluster snapshots). */
export function completionEventsOf(api: SnapshotApi): CompletionEvents | undefined {
  if (api.name === 'EBS') return EBS_COMPLETION;
  if (api.name === 'RDS_DB') return RDS_DB_COMPLETION;
  return undefined;
}

/** DynamoDB errors retried briefly (Step Functions' names: the AWS SDK for Java 2.x exception classes). */
const DYNAMODB_RETRY = [
  'DynamoDb.ProvisionedThroughputExceededException', 'DynamoDb.ThrottlingException', 'DynamoDb.RequestLimitExceededException',
  'DynamoDb.InternalServerErrorException', 'DynamoDb.SdkClientException',
];
/** `SendTaskSuccess`/`SendTaskFailure` for a waiter that is gone (timed out, stopped): nothing to resume. */
const STALE_TOKEN_ERRORS = ['Sfn.TaskDoesNotExistException', 'Sfn.TaskTimedOutException', 'Sfn.InvalidTokenException'];

/** Options of the completion-event waits of one workflow. */
export interface CompletionWaitsProps {
  /** The snapshot types the workflow waits for (those without completion events are polled). */
  readonly apis: SnapshotApi[];
  /** Use the events (false: every wait polls). */
  readonly enabled: boolean;
  /** How long one wait for an event lasts before the snapshot is described again. */
  readonly eventTimeout: Duration;
  /** The workflow key: the table is encrypted with it. */
  readonly key: IEncryptionKey;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The completion-event waits of one workflow: a token table, and (after `bind`) the callback state
 * machine and the rules that start it. Creates nothing when the events are disabled or the type
 * has none.
 */
export class CompletionWaits extends Construct {
  /** The token table (when events are used). */
  public readonly table?: dynamodb.Table;
  /** The callback state machine (after `bind`, when events are used). */
  public callback?: sfn.StateMachine;
  /** The completion events used (none: every wait polls). */
  public readonly events: CompletionEvents[];

  constructor(scope: Construct, id: string, private readonly props: CompletionWaitsProps) {
    super(scope, id);
    this.events = props.enabled
      ? props.apis.map(completionEventsOf).filter((e, i, all): e is CompletionEvents => e !== undefined && all.indexOf(e) === i)
      : [];
    if (this.events.length === 0) return;
    this.table = new dynamodb.Table(this, 'Tokens', {
      partitionKey: { name: WAIT_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: WAITER_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key.forService(KeyService.DYNAMODB),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    acknowledgeInCompliancePacks(this.table, ComplianceRules.DYNAMODB_IN_BACKUP_PLAN,
      'the table holds only the task tokens of waits in progress (each item lives from one putItem to the completion event or the '
      + 'event timeout); nothing in it is worth restoring, and point-in-time recovery is on', NIST_AND_HIPAA);
  }

  /**
   * Waits until a snapshot is available: on its completion event when the type has one (and the
   * snapshot is this account's), otherwise by polling. Same options, same outcomes and state input
   * conventions as `pollUntilAvailable`.
   */
  public untilAvailable(scope: Construct, prefix: string, api: SnapshotApi, options: AvailabilityWaitOptions): sfn.IChainable {
    if (!this.hasEvents(api) || options.shared) return pollUntilAvailable(scope, prefix, api, options);
    const window = this.props.eventTimeout.toSeconds();
    const init = new sfn.Pass(scope, `${prefix}StartWaiting`, { parameters: { waited: 0 }, resultPath: '$.poll' });
    const { describe, missing } = describeSnapshot(scope, prefix, api, options);
    const { awaitEvent, forget } = this.waitStates(scope, prefix, options.idPath, '$.completion');
    // Every wait counts one event timeout (a resumed one too: no clock in JSONPath), so the loop is bounded.
    const waited = `States.MathAdd($.poll.waited, ${window})`;
    const noEvent = new sfn.Pass(scope, `${prefix}NoEvent`, {
      comment: 'No event within the event timeout (lost, or sent before the token was stored): describe again',
      parameters: { 'waited.$': waited },
      resultPath: '$.poll',
    });
    const arrived = new sfn.Pass(scope, `${prefix}EventArrived`, {
      comment: 'Resumed by a completion event: describe (the wait counts one event timeout)',
      parameters: { 'waited.$': waited },
      resultPath: '$.poll',
    });
    const failureEvent = new sfn.Pass(scope, `${prefix}FailureEvent`, {
      comment: 'Resumed by a failure event: describe; the snapshot\'s state decides, the event gives the message',
      parameters: { 'waited.$': waited, 'failureEvent.$': '$.completion.Cause' },
      resultPath: '$.poll',
    });
    // A token left behind is harmless (a later event finds a finished task): never fail for it.
    forget.addCatch(describe, { errors: ['States.ALL'], resultPath: '$.forgetError' });
    awaitEvent.addCatch(noEvent, { errors: ['States.Timeout'], resultPath: '$.completion' });
    awaitEvent.addCatch(failureEvent, { errors: [COMPLETION_FAILED_ERROR], resultPath: '$.completion' });
    options.failure.catchAll(awaitEvent);
    noEvent.next(forget).next(describe);
    failureEvent.next(describe);
    awaitEvent.next(arrived).next(describe);
    const tooLong = new sfn.Choice(scope, `${prefix}WaitedTooLong?`)
      .when(sfn.Condition.numberGreaterThanEquals('$.poll.waited', options.poll.timeout.toSeconds()), waitTimedOut(prefix, options))
      .otherwise(awaitEvent);
    const check = availabilityChoice(scope, prefix, api, options, missing, tooLong);
    // After a failure event: a snapshot that is gone or in neither an available nor a pending state
    // fails with the event's message; otherwise the usual check (available: go on; pending: wait again).
    const f = api.fields;
    const status = `${options.resultPath}.Snapshots[0].${f.status}`;
    const settled = [...f.available, ...f.pending].map((v) => sfn.Condition.stringEquals(status, v));
    const failedByEvent = options.failure.fail(`${prefix}FailedByEvent`, COMPLETION_FAILED_ERROR, '{}', '$.poll.failureEvent');
    // Rules in order (the first match wins): no path is read before the rules above say it exists.
    const afterFailureEvent = new sfn.Choice(scope, `${prefix}FailureEvent?`)
      .when(sfn.Condition.not(sfn.Condition.isPresent('$.poll.failureEvent')), check)
      .when(sfn.Condition.numberEquals(`${options.resultPath}.Count`, 0), failedByEvent)
      .when(sfn.Condition.or(...settled), check)
      .otherwise(failedByEvent);
    init.next(describe).next(afterFailureEvent);
    return init;
  }

  /** How long one wait for an event lasts. */
  public get eventTimeout(): Duration {
    return this.props.eventTimeout;
  }

  /** Whether waits for snapshots of this type use completion events. */
  public hasEvents(api: SnapshotApi): boolean {
    const own = completionEventsOf(api);
    return this.table !== undefined && own !== undefined && this.events.includes(own);
  }

  /**
   * The two task states of an event wait: `<prefix>AwaitEvent` stores the token under the id at
   * `idPath` and this execution's id and waits (at most the event timeout; retried on DynamoDB
   * throttling), and `<prefix>ForgetToken` deletes this execution's item after a timeout (never
   * another execution's). The caller adds the catches and the transitions.
   */
  public waitStates(scope: Construct, prefix: string, idPath: string, resultPath: string):
  { awaitEvent: tasks.CallAwsService; forget: tasks.CallAwsService } {
    if (!this.table) throw new Error('no completion events: nothing to wait for');
    const awaitEvent = new tasks.CallAwsService(scope, `${prefix}AwaitEvent`, {
      comment: `Stores the task token under the snapshot id; resumed by the completion event, or times out after ${this.props.eventTimeout.toHumanString()}`,
      service: 'dynamodb',
      action: 'putItem',
      iamAction: 'dynamodb:PutItem',
      iamResources: [this.table.tableArn],
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      parameters: {
        TableName: this.table.tableName,
        Item: {
          [WAIT_KEY]: { 'S.$': idPath },
          [WAITER_KEY]: { 'S.$': '$$.Execution.Id' },
          taskToken: { S: sfn.JsonPath.taskToken },
        },
      },
      taskTimeout: sfn.Timeout.duration(this.props.eventTimeout),
      resultPath,
    });
    awaitEvent.addRetry({ errors: DYNAMODB_RETRY, ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    const forget = new tasks.CallAwsService(scope, `${prefix}ForgetToken`, {
      service: 'dynamodb',
      action: 'deleteItem',
      iamAction: 'dynamodb:DeleteItem',
      iamResources: [this.table.tableArn],
      parameters: { TableName: this.table.tableName, Key: { [WAIT_KEY]: { 'S.$': idPath }, [WAITER_KEY]: { 'S.$': '$$.Execution.Id' } } },
      resultPath: sfn.JsonPath.DISCARD,
    });
    forget.addRetry({ errors: DYNAMODB_RETRY, ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    return { awaitEvent, forget };
  }

  /**
   * Once the workflow's state machine exists: the callback state machine (EXPRESS, logging to the
   * workflow's log group) that resumes it, the rules that start the callback, and the key and table
   * permissions of both roles.
   */
  public bind(waiter: sfn.StateMachine, logGroup: logs.ILogGroup, removalPolicy: RemovalPolicy): void {
    if (!this.table || this.events.length === 0) return;
    const key = this.props.key;
    const noun = this.props.apis.filter((a) => this.hasEvents(a)).map((a) => a.noun).join(' and ');
    this.callback = workflowStateMachine(this, 'Callback', {
      definition: this.callbackDefinition(waiter),
      timeout: Duration.minutes(5),
      removalPolicy,
      comment: `Resumes ${waiter.node.path} when a ${noun} it waits for is made`,
      stateMachineType: sfn.StateMachineType.EXPRESS,
    }, logGroup);
    // DynamoDB decrypts the table key on the caller's behalf, through DynamoDB only
    // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html).
    for (const role of [waiter.role, this.callback.role]) {
      key.grantThroughService(role, KeyService.DYNAMODB, KeyCapability.DECRYPT, KeyCapability.DESCRIBE);
    }
    this.events.forEach((e, i) => {
      new events.Rule(this, i === 0 ? 'Completed' : `Completed${i}`, {
        description: `Completion events (${e.detailType}): resume the workflow waiting for the snapshot`,
        // This account and Region only: the default bus also receives events forwarded from other
        // Regions (SnapshotRegionCopyForwarder), which are never about a copy made here.
        eventPattern: {
          source: [e.source], detailType: [e.detailType], account: [Stack.of(this).account], region: [Stack.of(this).region], detail: e.detail,
        },
        targets: [new targets.SfnStateMachine(this.callback!)],
      });
    });
    for (const role of this.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role)) acknowledgeWorkflowRole(role);
    acknowledgeWorkflow([this.callback]);
  }

  /**
   * The callback: read the event (EBS or RDS), find every waiter of the snapshot (one item per
   * execution), and for each take its item and resume it with success or failure. An event nobody
   * waits for ends quietly, as does a waiter that is already gone or taken by another callback.
   */
  private callbackDefinition(waiter: sfn.StateMachine): sfn.IChainable {
    const table = this.table!;
    const ignored = new sfn.Succeed(this, 'NobodyWaits');
    // A strongly consistent read: a token stored just before the event is found. One page (1 MB)
    // holds thousands of items of a few hundred bytes: far more waiters than one snapshot has.
    const find = new tasks.CallAwsService(this, 'FindWaiters', {
      service: 'dynamodb',
      action: 'query',
      iamAction: 'dynamodb:Query',
      iamResources: [table.tableArn],
      parameters: {
        TableName: table.tableName,
        KeyConditionExpression: '#id = :id',
        ExpressionAttributeNames: { '#id': WAIT_KEY },
        ExpressionAttributeValues: { ':id': { 'S.$': '$.completed.id' } },
        ConsistentRead: true,
      },
      resultSelector: { 'items.$': '$.Items', 'count.$': '$.Count' },
      resultPath: '$.waiting',
    });
    find.addRetry({ errors: DYNAMODB_RETRY, ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    const take = new tasks.CallAwsService(this, 'TakeToken', {
      service: 'dynamodb',
      action: 'deleteItem',
      iamAction: 'dynamodb:DeleteItem',
      iamResources: [table.tableArn],
      parameters: {
        TableName: table.tableName,
        Key: { [WAIT_KEY]: { 'S.$': `$.item.${WAIT_KEY}.S` }, [WAITER_KEY]: { 'S.$': `$.item.${WAITER_KEY}.S` } },
        ReturnValues: 'ALL_OLD',
      },
      resultPath: '$.taken',
    });
    take.addRetry({ errors: DYNAMODB_RETRY, ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    const success = resumeTask(this, 'Resume', waiter, 'success',
      { 'TaskToken.$': '$.taken.Attributes.taskToken.S', 'Output.$': 'States.JsonToString($.completed)' });
    const failure = resumeTask(this, 'ResumeWithFailure', waiter, 'failure',
      { 'TaskToken.$': '$.taken.Attributes.taskToken.S', 'Error': COMPLETION_FAILED_ERROR, 'Cause.$': '$.completed.cause' });
    const gone = new sfn.Succeed(this, 'WaiterGone');
    for (const t of [success, failure]) t.addCatch(gone, { errors: STALE_TOKEN_ERRORS, resultPath: '$.resumeError' });
    take.next(new sfn.Choice(this, 'Waiting?')
      .when(sfn.Condition.and(
        sfn.Condition.isPresent('$.taken.Attributes.taskToken.S'),
        sfn.Condition.stringEquals('$.completed.outcome', 'succeeded')), success)
      .when(sfn.Condition.isPresent('$.taken.Attributes.taskToken.S'), failure)
      .otherwise(new sfn.Succeed(this, 'TakenByAnother')));
    const each = new sfn.Map(this, 'ResumeEach', {
      comment: 'Every execution waiting for the snapshot',
      itemsPath: '$.waiting.items',
      itemSelector: { 'item.$': '$$.Map.Item.Value', 'completed.$': '$.completed' },
      maxConcurrency: 10,
      resultPath: sfn.JsonPath.DISCARD,
    });
    each.itemProcessor(take);
    find.next(new sfn.Choice(this, 'AnyoneWaiting?')
      .when(sfn.Condition.numberEquals('$.waiting.count', 0), ignored)
      .otherwise(each));

    // EBS: the id is the last part of the snapshot ARN (arn:aws:ec2::<region>:snapshot/snap-...).
    const ebsId = "States.ArrayGetItem(States.StringSplit($.detail.snapshot_id, '/'), States.MathAdd(States.ArrayLength(States.StringSplit($.detail.snapshot_id, '/')), -1))";
    const ebsSucceeded = new sfn.Pass(this, 'EbsSucceeded', {
      parameters: { 'id.$': ebsId, 'outcome': 'succeeded', 'event.$': '$.detail.event' },
      resultPath: '$.completed',
    });
    const ebsFailed = new sfn.Pass(this, 'EbsFailed', {
      parameters: {
        'id.$': ebsId,
        'outcome': 'failed',
        'event.$': '$.detail.event',
        'cause.$': "States.Format('EBS {} of {} failed: {}', $.detail.event, $.detail.snapshot_id, $.detail.cause)",
      },
      resultPath: '$.completed',
    });
    const rdsSucceeded = new sfn.Pass(this, 'RdsSucceeded', {
      parameters: { 'id.$': '$.detail.SourceIdentifier', 'outcome': 'succeeded', 'event.$': '$.detail.EventID' },
      resultPath: '$.completed',
    });
    const rdsFailed = new sfn.Pass(this, 'RdsFailed', {
      parameters: {
        'id.$': '$.detail.SourceIdentifier',
        'outcome': 'failed',
        'event.$': '$.detail.EventID',
        'cause.$': "States.Format('RDS {} for {}: {}', $.detail.EventID, $.detail.SourceIdentifier, $.detail.Message)",
      },
      resultPath: '$.completed',
    });
    for (const p of [ebsSucceeded, ebsFailed, rdsSucceeded, rdsFailed]) p.next(find);
    const is = (path: string, values: string[]) => sfn.Condition.or(...values.map((v) => sfn.Condition.stringEquals(path, v)));
    const ebs = sfn.Condition.and(sfn.Condition.stringEquals('$.source', 'aws.ec2'), sfn.Condition.isPresent('$.detail.snapshot_id'),
      sfn.Condition.isPresent('$.detail.result'));
    const rds = sfn.Condition.and(sfn.Condition.stringEquals('$.source', 'aws.rds'), sfn.Condition.isPresent('$.detail.SourceIdentifier'),
      sfn.Condition.isPresent('$.detail.EventID'));
    return new sfn.Choice(this, 'WhichEvent?')
      .when(sfn.Condition.and(ebs, sfn.Condition.stringEquals('$.detail.result', 'succeeded')), ebsSucceeded)
      .when(sfn.Condition.and(ebs, sfn.Condition.stringEquals('$.detail.result', 'failed')), ebsFailed)
      .when(sfn.Condition.and(rds, is('$.detail.EventID', RDS_SUCCESS_EVENTS)), rdsSucceeded)
      .when(sfn.Condition.and(rds, is('$.detail.EventID', RDS_FAILURE_EVENTS), sfn.Condition.isPresent('$.detail.Message')), rdsFailed)
      .otherwise(ignored);
  }
}
