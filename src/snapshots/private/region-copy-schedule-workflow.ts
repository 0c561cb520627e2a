import { Aws, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { TYPE_AURORA, TYPE_EBS, TYPE_RDS_DB } from './region-copy-workflow';
import { AURORA_CLUSTER_API, EBS_API, RDS_DB_API, SnapshotApi } from './snapshot-api';
import { addServiceRetries, RETRY, SdkTask } from './workflow';

/**
 * The Step Functions definition of `SnapshotRegionCopySchedule` (EXPRESS, in the SOURCE Region).
 * Never exported from the package.
 *
 *   Sources (a fixed list: type, source resource, memory parameter) -> Map, per source:
 *     describe the source's snapshots page by page (EBS `DescribeSnapshots` with volume-id and
 *     status filters and `OwnerIds: self`; RDS `DescribeDBSnapshots(DBInstanceIdentifier)`;
 *     Aurora `DescribeDBClusterSnapshots(DBClusterIdentifier)`) -> normalise each page to
 *     `{ id, time, ok }` (an inline Map; an RDS DB snapshot's time is its `OriginalSnapshotCreateTime`
 *     when given, so a copy made in the Region later is as old as its data) -> loop over it with `States.ArrayGetItem` and a Choice
 *     `TimestampGreaterThanPath`, keeping the newest completed one -> next page (at most
 *     `MAX_PAGES`; a source with more fails as `TooManySnapshots` rather than risk an old one)
 *     -> none: NONE -> read the memory parameter `{ id, time }` of the last request (its time not a
 *     timestamp, or after the run's start: fails as `UnreadableLastRequest`) -> not newer than it: NOTHING_NEW -> `PutEvents` a `Snapshot Region Copy Requested` event on this
 *     Region's default bus (`FailedEntryCount > 0` fails) -> remember it -> REQUESTED.
 *   Any source's failure is its outcome FAILED (the others go on); at the end, failures are
 *   published to the encrypted failure topic and the execution fails.
 *
 * JSONPath cannot sort and aws-local-stepfunctions (the offline executor) has no JSONata: the
 * newest is found by the loop. The request is sent before the memory is written: a failed write
 * repeats a request (one duplicate copy), it never loses one.
 */

/** The source of the request events (`PutEvents` by the schedule's workflow, in the source Region). */
export const SCHEDULE_EVENT_SOURCE = 'cdk-kms-patterns.snapshot-region-copy';
/** The detail type of a request. */
export const SCHEDULE_DETAIL_TYPE = 'Snapshot Region Copy Requested';
/** Pages of describe results read per source, at most (EBS 100 a page, RDS and Aurora 50). */
export const MAX_PAGES = 20;
/** Snapshots per page: EBS (`MaxResults`, 5 to 1000). */
export const EBS_PAGE_SIZE = 100;
/** Snapshots per page: RDS and Aurora (`MaxRecords`, 20 to 100; their entries are larger). */
export const RDS_PAGE_SIZE = 50;
/** The time before every snapshot: the memory's value before the first request. */
export const EPOCH = '1970-01-01T00:00:00Z';
/** The memory parameter's initial value. */
export const NO_REQUEST_YET = JSON.stringify({ id: '', time: EPOCH });

/** One source the workflow looks at. */
export interface ScheduleSource {
  /** `EBS`, `RDS_DB` or `AURORA_CLUSTER` (`SnapshotType.name`). */
  readonly type: string;
  /** The volume id, DB instance identifier or DB cluster identifier. */
  readonly source: string;
  /** The SSM parameter remembering the last request (`{ id, time }` as JSON). */
  readonly parameter: string;
}

/** What the definition is built from. */
export interface ScheduleWorkflowProps {
  readonly sources: ScheduleSource[];
  readonly destinationRegion: string;
  /** ARNs of the memory parameters. */
  readonly parameterArns: string[];
  readonly failureTopic: sns.ITopic;
}

/** How each kind's snapshots are read: the page call, its list and token fields, the snapshot's id, time and status. */
interface SourceKind {
  readonly type: string;
  readonly prefix: string;
  readonly api: SnapshotApi;
  readonly action: string;
  readonly iamAction: string;
  readonly list: string;
  /** The page token: in the response, and the request parameter that takes it back. */
  readonly token: string;
  readonly id: string;
  readonly time: string;
  /**
   * The time of the snapshot's data, preferred to `time` when present: RDS gives a copy made in the
   * Region a new `SnapshotCreateTime` and keeps `OriginalSnapshotCreateTime`
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBSnapshot.html).
   */
  readonly originalTime?: string;
  readonly status: string;
  readonly available: string;
}

const KINDS: SourceKind[] = [
  {
    type: TYPE_EBS,
    prefix: 'Ebs',
    api: EBS_API,
    action: 'describeSnapshots',
    iamAction: 'ec2:DescribeSnapshots',
    list: 'Snapshots',
    token: 'NextToken',
    id: 'SnapshotId',
    time: 'StartTime',
    status: 'State',
    available: 'completed',
  },
  {
    // Step Functions names RDS members as the AWS SDK for Java 2.x does: `DbSnapshots`, `DbSnapshotArn`.
    type: TYPE_RDS_DB,
    prefix: 'Db',
    api: RDS_DB_API,
    action: 'describeDBSnapshots',
    iamAction: 'rds:DescribeDBSnapshots',
    list: 'DbSnapshots',
    token: 'Marker',
    id: 'DbSnapshotArn',
    time: 'SnapshotCreateTime',
    originalTime: 'OriginalSnapshotCreateTime',
    status: 'Status',
    available: 'available',
  },
  {
    type: TYPE_AURORA,
    prefix: 'Cluster',
    api: AURORA_CLUSTER_API,
    action: 'describeDBClusterSnapshots',
    iamAction: 'rds:DescribeDBClusterSnapshots',
    list: 'DbClusterSnapshots',
    token: 'Marker',
    id: 'DbClusterSnapshotArn',
    time: 'SnapshotCreateTime',
    status: 'Status',
    available: 'available',
  },
];

/** SSM throttling, retried with backoff and jitter. */
const SSM_RETRY = ['Ssm.ThrottlingException', 'Ssm.TooManyUpdatesException', 'Ssm.InternalServerErrorException'];
/** EventBridge throttling and internal errors (Step Functions' names). */
const EVENTS_RETRY = ['EventBridge.EventBridgeException', 'EventBridge.InternalException', 'EventBridge.SdkClientException'];

/** Builds the definition; the IAM each task needs is added to the state machine's role by CDK. */
export class RegionCopyScheduleWorkflow extends Construct {
  /** The first state. */
  public readonly definition: sfn.IChainable;
  private readonly sourceFailed: sfn.Pass;

  constructor(scope: Construct, id: string, private readonly props: ScheduleWorkflowProps) {
    super(scope, id);
    const types = [...new Set(props.sources.map(s => s.type))];
    const kinds = KINDS.filter(k => types.includes(k.type));

    // ---- per source (the Map's item processor) ----
    this.sourceFailed = new sfn.Pass(this, 'SourceFailed', {
      parameters: { 'outcome': 'FAILED', 'type.$': '$.type', 'source.$': '$.source', 'error.$': '$.error' },
    });
    const startScan = new sfn.Pass(this, 'StartScan', {
      comment: 'No snapshot found yet: the newest so far is "none, at the epoch"',
      parameters: { best: { id: '', time: EPOCH }, pages: 0 },
      resultPath: '$.scan',
    });
    const whichKind = new sfn.Choice(this, 'WhichKind?');
    const countPage = new sfn.Pass(this, 'CountPage', {
      parameters: { 'best.$': '$.scan.best', 'pages.$': 'States.MathAdd($.scan.pages, 1)' },
      resultPath: '$.scan',
    });
    const scanStart = new sfn.Pass(this, 'ScanPage', {
      parameters: { 'i': 0, 'n.$': 'States.ArrayLength($.items)' },
      resultPath: '$.cursor',
    });
    const moreItems = new sfn.Choice(this, 'MoreItems?');
    const readItem = new sfn.Pass(this, 'ReadItem', {
      parameters: { 'item.$': 'States.ArrayGetItem($.items, $.cursor.i)' },
      resultPath: '$.current',
    });
    const newer = new sfn.Choice(this, 'NewerThanBest?', { comment: 'A completed snapshot taken after the newest found so far' });
    const takeItem = new sfn.Pass(this, 'TakeItem', {
      parameters: { 'best': { 'id.$': '$.current.item.id', 'time.$': '$.current.item.time' }, 'pages.$': '$.scan.pages' },
      resultPath: '$.scan',
    });
    const nextItem = new sfn.Pass(this, 'NextItem', {
      parameters: { 'i.$': 'States.MathAdd($.cursor.i, 1)', 'n.$': '$.cursor.n' },
      resultPath: '$.cursor',
    });
    countPage.next(scanStart).next(moreItems);
    readItem.next(newer);
    const unreadableTime = new sfn.Pass(this, 'UnreadableTime', {
      parameters: { 'Error': 'UnreadableSnapshotTime', 'Cause.$': 'States.Format(\'the time of {} is not a timestamp\', $.current.item.id)' },
      resultPath: '$.error',
    }).next(this.sourceFailed);
    newer.when(sfn.Condition.isPresent('$.current.item.unreadable'), unreadableTime);
    newer.when(sfn.Condition.and(
      sfn.Condition.booleanEquals('$.current.item.ok', true),
      sfn.Condition.timestampGreaterThanJsonPath('$.current.item.time', '$.scan.best.time')), takeItem)
      .otherwise(nextItem);
    takeItem.next(nextItem);
    nextItem.next(moreItems);

    const morePages = new sfn.Choice(this, 'MorePages?');
    const tooMany = new sfn.Pass(this, 'TooManySnapshots', {
      parameters: {
        'Error': 'TooManySnapshots',
        'Cause.$': `States.Format('{} has more snapshots than ${MAX_PAGES} pages hold: delete old ones (or split the source); none was requested, `
          + 'so an older one is never copied as the newest\', $.source)',
      },
      resultPath: '$.error',
    }).next(this.sourceFailed);
    morePages.when(sfn.Condition.and(
      sfn.Condition.isPresent('$.page.token'),
      sfn.Condition.numberGreaterThanEquals('$.scan.pages', MAX_PAGES)), tooMany);

    for (const kind of kinds) {
      const [first, next] = this.pageTasks(kind);
      const normalise = this.normalise(kind);
      first.next(normalise);
      next.next(normalise);
      // Only the token stays of the page: the loop's states (each logged) carry the short list, not the page.
      const keepToken = new sfn.Pass(this, `${kind.prefix}KeepToken`, { parameters: { 'token.$': `$.page.${kind.token}` }, resultPath: '$.page' });
      const lastPage = new sfn.Pass(this, `${kind.prefix}LastPage`, { parameters: { last: true }, resultPath: '$.page' });
      normalise.next(new sfn.Choice(this, `${kind.prefix}MorePages?`)
        .when(sfn.Condition.and(sfn.Condition.isPresent(`$.page.${kind.token}`), sfn.Condition.isString(`$.page.${kind.token}`)), keepToken)
        .otherwise(lastPage));
      keepToken.next(countPage);
      lastPage.next(countPage);
      whichKind.when(sfn.Condition.stringEquals('$.type', kind.type), first);
      morePages.when(sfn.Condition.and(sfn.Condition.stringEquals('$.type', kind.type), sfn.Condition.isPresent('$.page.token')), next);
    }
    const unknown = new sfn.Pass(this, 'UnknownKind', {
      parameters: { Error: 'InvalidSource', Cause: 'a source of an unknown kind' },
      resultPath: '$.error',
    }).next(this.sourceFailed);
    whichKind.otherwise(unknown);
    moreItems.when(sfn.Condition.numberLessThanJsonPath('$.cursor.i', '$.cursor.n'), readItem).otherwise(morePages);

    const none = new sfn.Pass(this, 'NoSnapshot', {
      comment: 'The source has no completed snapshot: nothing to copy',
      parameters: { 'outcome': 'NONE', 'type.$': '$.type', 'source.$': '$.source' },
    });
    const readMemory = new tasks.CallAwsService(this, 'ReadLastRequest', {
      service: 'ssm',
      action: 'getParameter',
      iamAction: 'ssm:GetParameter',
      parameters: { 'Name.$': '$.parameter' },
      iamResources: props.parameterArns,
      resultSelector: { 'last.$': 'States.StringToJson($.Parameter.Value)' },
      resultPath: '$.memory',
    });
    this.retryAndCatch(readMemory, SSM_RETRY);
    const nothingNew = new sfn.Pass(this, 'NothingNew', {
      comment: 'The newest snapshot is not newer than the last one requested: no duplicate, never an older one',
      parameters: { 'outcome': 'NOTHING_NEW', 'type.$': '$.type', 'source.$': '$.source', 'snapshot.$': '$.memory.last.id' },
    });
    const request = new sfn.Pass(this, 'BuildRequest', {
      parameters: {
        'snapshotType.$': '$.type',
        'sourceSnapshotId.$': '$.scan.best.id',
        'snapshotTime.$': '$.scan.best.time',
        'sourceResource.$': '$.source',
        'destinationRegion': props.destinationRegion,
      },
      resultPath: '$.request',
    });
    const put = new SdkTask(this, 'RequestCopy', {
      service: 'eventbridge',
      action: 'putEvents',
      iamAction: 'events:PutEvents',
      iamResources: [`arn:${Aws.PARTITION}:events:${Stack.of(this).region}:${Stack.of(this).account}:event-bus/default`],
      // The role may put only this source's events (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
      conditions: { StringEquals: { 'events:source': SCHEDULE_EVENT_SOURCE } },
      parameters: {
        Entries: [{
          'Source': SCHEDULE_EVENT_SOURCE,
          'DetailType': SCHEDULE_DETAIL_TYPE,
          'Detail.$': 'States.JsonToString($.request)',
        }],
      },
    }, { resultSelector: { 'failed.$': '$.FailedEntryCount', 'entries.$': '$.Entries' }, resultPath: '$.put' });
    this.retryAndCatch(put, EVENTS_RETRY);
    const rejected = new sfn.Pass(this, 'RequestRejected', {
      parameters: { 'Error': 'PutEventsFailed', 'Cause.$': 'States.JsonToString($.put.entries)' },
      resultPath: '$.error',
    }).next(this.sourceFailed);
    const remember = new tasks.CallAwsService(this, 'RememberRequest', {
      service: 'ssm',
      action: 'putParameter',
      iamAction: 'ssm:PutParameter',
      parameters: { 'Name.$': '$.parameter', 'Value.$': 'States.JsonToString($.scan.best)', 'Overwrite': true },
      iamResources: props.parameterArns,
      resultPath: sfn.JsonPath.DISCARD,
    });
    this.retryAndCatch(remember, SSM_RETRY);
    const requested = new sfn.Pass(this, 'Requested', {
      parameters: { 'outcome': 'REQUESTED', 'type.$': '$.type', 'source.$': '$.source', 'snapshot.$': '$.scan.best.id' },
    });
    morePages.otherwise(new sfn.Choice(this, 'Found?')
      .when(sfn.Condition.stringEquals('$.scan.best.id', ''), none)
      .otherwise(readMemory));
    // A memory that is not `{ id, time }` with a past timestamp (edited by hand, say) would compare as
    // "nothing new" forever: it fails the source instead.
    const unreadableMemory = new sfn.Pass(this, 'UnreadableLastRequest', {
      parameters: {
        'Error': 'UnreadableLastRequest',
        'Cause.$': `States.Format('{} must hold the last request as JSON with a past timestamp as its time; set its time to ${EPOCH} `
          + 'to request the newest snapshot again\', $.parameter)',
      },
      resultPath: '$.error',
    }).next(this.sourceFailed);
    const now = new sfn.Pass(this, 'Now', {
      comment: 'The time the run started, to tell a remembered time in the future',
      parameters: { 'last.$': '$.memory.last', 'now.$': '$$.Execution.StartTime' },
      resultPath: '$.memory',
    });
    readMemory.next(now);
    now.next(new sfn.Choice(this, 'NewSnapshot?')
      .when(sfn.Condition.not(sfn.Condition.and(
        sfn.Condition.isPresent('$.memory.last.time'), sfn.Condition.isTimestamp('$.memory.last.time'))), unreadableMemory)
      // (a start time that is not a timestamp, which Step Functions never gives, skips this check rather than fail every source)
      .when(sfn.Condition.and(sfn.Condition.isTimestamp('$.memory.now'),
        sfn.Condition.timestampGreaterThanJsonPath('$.memory.last.time', '$.memory.now')), unreadableMemory)
      .when(sfn.Condition.timestampGreaterThanJsonPath('$.scan.best.time', '$.memory.last.time'), request)
      .otherwise(nothingNew));
    request.next(put).next(new sfn.Choice(this, 'Accepted?')
      .when(sfn.Condition.numberGreaterThan('$.put.failed', 0), rejected)
      .otherwise(remember));
    remember.next(requested);

    // ---- the run ----
    const sourcesState = new sfn.Pass(this, 'Sources', {
      result: sfn.Result.fromArray(props.sources.map(s => ({ type: s.type, source: s.source, parameter: s.parameter }))),
      resultPath: '$.sources',
    });
    const each = new sfn.Map(this, 'EachSource', {
      comment: 'Every source on its own: one failing never stops the others',
      itemsPath: '$.sources',
      maxConcurrency: 5,
      resultPath: '$.results',
    });
    each.itemProcessor(startScan.next(whichKind));
    // No JSONPath filter: an empty filter result is an error in the offline executor (and JSONPath
    // filters in Step Functions are limited); States.ArrayContains over every outcome says it.
    const collect = new sfn.Pass(this, 'CollectFailures', {
      parameters: { 'any.$': 'States.ArrayContains($.results[*].outcome, \'FAILED\')' },
      resultPath: '$.failed',
    });
    const failed = new sfn.Fail(this, 'ScheduleFailed', {
      error: 'SnapshotRegionCopyScheduleFailed',
      cause: 'a source could not be read or its request not sent; the failure topic received the details',
    });
    const notify = new tasks.SnsPublish(this, 'NotifyFailure', {
      topic: props.failureTopic,
      subject: 'Snapshot Region copy schedule failed',
      // Every source's outcome: the failed ones with their error, the others for context.
      message: sfn.TaskInput.fromObject({ 'execution.$': '$$.Execution.Id', 'results.$': '$.results' }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    notify.addRetry({ errors: ['SNS.ThrottledException', 'SNS.InternalErrorException'], ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    // A notification that cannot be sent must not hide the failure itself.
    notify.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.notifyError' });
    notify.next(failed);
    const mapFailed = new sfn.Pass(this, 'RunFailed', {
      parameters: { 'outcome': 'FAILED', 'error.$': '$.error' },
      resultPath: '$.results',
    }).next(notify);
    each.addCatch(mapFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    this.definition = sourcesState.next(each).next(collect).next(new sfn.Choice(this, 'AnyFailed?')
      .when(sfn.Condition.booleanEquals('$.failed.any', true), notify)
      .otherwise(new sfn.Succeed(this, 'Done')));
  }

  private retryAndCatch(task: tasks.CallAwsService, errors: string[]): void {
    task.addRetry({ errors, ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    task.addCatch(this.sourceFailed, { errors: ['States.ALL'], resultPath: '$.error' });
  }

  /** The first page and the next page of a kind's snapshots (`$.page`: the whole response, until only its token is kept). */
  private pageTasks(kind: SourceKind): [sfn.INextable & sfn.IChainable, sfn.INextable & sfn.IChainable] {
    const stack = Stack.of(this);
    const rds = (resource: string) => `arn:${Aws.PARTITION}:rds:${stack.region}:${stack.account}:${resource}`;
    const sourcesOf = this.props.sources.filter(s => s.type === kind.type).map(s => s.source);
    let parameters: { [key: string]: unknown };
    let iamResources: string[];
    if (kind.type === TYPE_EBS) {
      parameters = {
        OwnerIds: ['self'],
        Filters: [{ 'Name': 'volume-id', 'Values.$': 'States.Array($.source)' }, { Name: 'status', Values: ['completed'] }],
        MaxResults: EBS_PAGE_SIZE,
      };
      // DescribeSnapshots supports no resource-level permissions: AWS accepts only "*".
      iamResources = ['*'];
    } else if (kind.type === TYPE_RDS_DB) {
      parameters = { 'DbInstanceIdentifier.$': '$.source', 'MaxRecords': RDS_PAGE_SIZE };
      iamResources = [...sourcesOf.map(s => rds(`db:${s}`)), rds('snapshot:*')];
    } else {
      parameters = { 'DbClusterIdentifier.$': '$.source', 'MaxRecords': RDS_PAGE_SIZE };
      iamResources = [...sourcesOf.map(s => rds(`cluster:${s}`)), rds('cluster-snapshot:*')];
    }
    const make = (id: string, extra: { [key: string]: unknown }) => {
      const task = new tasks.CallAwsService(this, id, {
        service: kind.api.service,
        action: kind.action,
        iamAction: kind.iamAction,
        parameters: { ...parameters, ...extra },
        iamResources,
        resultPath: '$.page',
      });
      addServiceRetries(task, kind.api);
      task.addCatch(this.sourceFailed, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };
    return [
      make(`${kind.prefix}FirstPage`, {}),
      make(`${kind.prefix}NextPage`, { [`${kind.token}.$`]: '$.page.token' }),
    ];
  }

  /** One page as `$.items`: `{ id, time, ok }` per snapshot (`ok`: completed, with a time). */
  private normalise(kind: SourceKind): sfn.Map {
    const map = new sfn.Map(this, `${kind.prefix}Items`, {
      comment: `Each ${kind.api.noun} of the page as { id, time, ok }`,
      itemsPath: `$.page.${kind.list}`,
      itemSelector: { 'snapshot.$': '$$.Map.Item.Value' },
      resultPath: '$.items',
    });
    const usable = new sfn.Pass(this, `${kind.prefix}Usable`, {
      parameters: { 'id.$': `$.snapshot.${kind.id}`, 'time.$': `$.snapshot.${kind.time}`, 'ok': true },
    });
    const unusable = new sfn.Pass(this, `${kind.prefix}Unusable`, {
      comment: 'Still being made, failed, or without a time: never the newest',
      parameters: { id: '', time: EPOCH, ok: false },
    });
    const unreadable = new sfn.Pass(this, `${kind.prefix}UnreadableTime`, {
      comment: 'A completed snapshot whose time is not an RFC 3339 timestamp: the source fails rather than pick by a guess',
      parameters: { 'id.$': `$.snapshot.${kind.id}`, 'time': EPOCH, 'ok': false, 'unreadable': true },
    });
    const completed = sfn.Condition.and(
      sfn.Condition.isPresent(`$.snapshot.${kind.id}`),
      sfn.Condition.isPresent(`$.snapshot.${kind.status}`),
      sfn.Condition.stringEquals(`$.snapshot.${kind.status}`, kind.available),
      sfn.Condition.isPresent(`$.snapshot.${kind.time}`));
    const choice = new sfn.Choice(this, `${kind.prefix}Completed?`);
    if (kind.originalTime) {
      const original = `$.snapshot.${kind.originalTime}`;
      choice.when(sfn.Condition.and(completed, sfn.Condition.isPresent(original), sfn.Condition.isTimestamp(original)),
        new sfn.Pass(this, `${kind.prefix}UsableOriginal`, {
          comment: `A copy made in this Region: its data is as old as ${kind.originalTime}`,
          parameters: { 'id.$': `$.snapshot.${kind.id}`, 'time.$': original, 'ok': true },
        }));
    }
    map.itemProcessor(choice
      .when(sfn.Condition.and(completed, sfn.Condition.isTimestamp(`$.snapshot.${kind.time}`)), usable)
      .when(completed, unreadable)
      .otherwise(unusable));
    return map;
  }
}
