import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { COMPLETION_FAILED_ERROR, CompletionWaits } from './event-wait';
import { AURORA_CLUSTER_API, EBS_API, RDS_DB_API, SnapshotApi } from './snapshot-api';
import { addServiceRetries } from './workflow';
import * as validation from '../../private/validation';

/**
 * The Step Functions definition of `SnapshotRegionCopy`: one branch per snapshot type, each
 *
 *   read and bump the copy sequence (an SSM String parameter per type) -> copy into this Region
 *   under the destination key (the sequence names or tags the copy) -> poll with capped
 *   exponential backoff until it is available -> delete this workflow's copy `keepCopies`
 *   sequences back (named by prefix or tagged by this workflow, never anything else) -> done.
 *
 * Every failure (a task error after its retries, a copy in an error state, the polling budget
 * spent) is published to the failure topic and ends in the `CopyFailed` state. Never exported.
 */

/** The tag every copy carries: the copier's name prefix (EBS copies are found by it). */
export const COPIER_TAG = 'cdk-kms-patterns:snapshot-region-copy';
/** The tag holding a copy's sequence number (EBS copies are pruned by it). */
export const SEQUENCE_TAG = 'cdk-kms-patterns:copy-sequence';
/** The tag holding the source snapshot (id or ARN). */
export const SOURCE_TAG = 'cdk-kms-patterns:copied-from';

/** The snapshot types, as the workflow input names them: `SnapshotType.name`. */
export const TYPE_EBS = 'EBS';
export const TYPE_RDS_DB = 'RDS_DB';
export const TYPE_AURORA = 'AURORA_CLUSTER';

/**
 * The names the first release documented for the on-demand input (README, examples, the consumer
 * apps), still accepted; they also name the sequence parameters, which keep their names (a new
 * name would replace the parameter and restart the sequence).
 */
export const LEGACY_TYPE_NAMES: Readonly<Record<string, string>> = {
  [TYPE_EBS]: 'EBS_SNAPSHOT',
  [TYPE_RDS_DB]: 'RDS_DB_SNAPSHOT',
  [TYPE_AURORA]: 'AURORA_CLUSTER_SNAPSHOT',
};

/** The snapshot API of a copy type. */
export function apiOfCopyType(type: string): SnapshotApi {
  return type === TYPE_EBS ? EBS_API : type === TYPE_RDS_DB ? RDS_DB_API : AURORA_CLUSTER_API;
}

/**
 * Throttling of the sequence parameter, retried with backoff and jitter (the EC2 and RDS tasks use
 * the share workflows' retries: `addServiceRetries`).
 */
export const SSM_RETRY_ERRORS = ['Ssm.ThrottlingException', 'Ssm.TooManyUpdatesException'];

/** The wait schedule of the polling loop. */
export interface PollSchedule {
  /** Seconds before the first poll. */
  readonly firstSeconds: number;
  /** Seconds between polls, at most. */
  readonly maxSeconds: number;
  /** The overall budget: no poll starts after it. */
  readonly budgetSeconds: number;
}

/**
 * Capped exponential backoff: first, 2x, 4x ... up to max, as many as fit in the budget. The
 * waits after the first (index 0 is the second wait).
 */
export function pollWaits(schedule: PollSchedule): number[] {
  const waits: number[] = [];
  let total = schedule.firstSeconds;
  let next = schedule.firstSeconds;
  while (true) {
    next = Math.min(next * 2, schedule.maxSeconds);
    if (total + next > schedule.budgetSeconds) break;
    waits.push(next);
    total += next;
  }
  return waits;
}

/** What the workflow is built from. */
export interface RegionCopyWorkflowProps {
  readonly sourceRegion: string;
  readonly keyArn: string;
  readonly types: readonly string[];
  readonly keepCopies: number;
  /** Copies are named `<prefix>-db-<n>` / `<prefix>-cluster-<n>` and tagged with it. */
  readonly namePrefix: string;
  readonly schedule: PollSchedule;
  /** One String parameter per type holding the last sequence number. */
  readonly sequenceParameterNames: Readonly<Record<string, string>>;
  readonly failureTopic: sns.ITopic;
  /** Completion-event waits (EBS, RDS DB snapshots): the copy is waited for on its event, not polled. */
  readonly waits?: CompletionWaits;
}

/** Builds the definition; the IAM each task needs is added to the state machine's role by CDK. */
export class RegionCopyWorkflow extends Construct {
  /** The first state. */
  public readonly definition: sfn.IChainable;
  /** Where every failure goes: the notification, then the Fail state. */
  private failure!: sfn.IChainable;

  constructor(scope: Construct, id: string, private readonly props: RegionCopyWorkflowProps) {
    super(scope, id);
    const failed = new sfn.Fail(this, 'CopyFailed', {
      error: 'SnapshotRegionCopyFailed',
      cause: 'the snapshot copy failed; the failure topic received the details',
    });
    const notify = new tasks.SnsPublish(this, 'NotifyFailure', {
      topic: props.failureTopic,
      subject: 'Snapshot Region copy failed',
      message: sfn.TaskInput.fromObject({
        // The execution's own input, not fields of it: a notification must not fail on bad input.
        'execution.$': '$$.Execution.Id',
        'input.$': '$$.Execution.Input',
        'error.$': '$.error',
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    notify.next(failed);
    this.failure = notify;

    const route = new sfn.Choice(this, 'Route', { comment: 'Which kind of snapshot to copy' });
    const invalid = new sfn.Pass(this, 'InvalidInput', {
      parameters: {
        Error: 'InvalidInput',
        Cause: `the input must hold snapshotType (one of ${props.types.join(', ')}) and sourceSnapshotId (a string)`,
      },
      resultPath: '$.error',
    }).next(notify);
    const present = (type: string) => sfn.Condition.and(
      sfn.Condition.or(sfn.Condition.stringEquals('$.snapshotType', type), sfn.Condition.stringEquals('$.snapshotType', LEGACY_TYPE_NAMES[type])),
      sfn.Condition.isPresent('$.sourceSnapshotId'),
      sfn.Condition.isString('$.sourceSnapshotId'));
    if (props.types.includes(TYPE_EBS)) {
      route.when(present(TYPE_EBS), this.ebsBranch());
    }
    if (props.types.includes(TYPE_RDS_DB)) {
      const [fromArn, fromName] = this.rdsBranch(TYPE_RDS_DB);
      route.when(sfn.Condition.and(present(TYPE_RDS_DB), sfn.Condition.stringMatches('$.sourceSnapshotId', 'arn:*')), fromArn);
      route.when(present(TYPE_RDS_DB), fromName);
    }
    if (props.types.includes(TYPE_AURORA)) {
      const [fromArn, fromName] = this.rdsBranch(TYPE_AURORA);
      route.when(sfn.Condition.and(present(TYPE_AURORA), sfn.Condition.stringMatches('$.sourceSnapshotId', 'arn:*')), fromArn);
      route.when(present(TYPE_AURORA), fromName);
    }
    route.otherwise(invalid);
    this.definition = route;
  }

  /** Reads and bumps the sequence of a type: `$.sequence.current`. */
  private sequence(prefix: string, type: string): [sfn.IChainable, sfn.INextable & sfn.IChainable] {
    const name = this.props.sequenceParameterNames[type];
    const parameterArn = Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
    const read = new tasks.CallAwsService(this, `${prefix}ReadSequence`, {
      service: 'ssm',
      action: 'getParameter',
      parameters: { Name: name },
      iamResources: [parameterArn],
      resultSelector: { 'current.$': 'States.MathAdd(States.StringToJson($.Parameter.Value), 1)' },
      resultPath: '$.sequence',
    });
    const write = new tasks.CallAwsService(this, `${prefix}WriteSequence`, {
      service: 'ssm',
      action: 'putParameter',
      parameters: { 'Name': name, 'Value.$': 'States.JsonToString($.sequence.current)', 'Overwrite': true },
      iamResources: [parameterArn],
      resultPath: sfn.JsonPath.DISCARD,
    });
    for (const task of [read, write]) {
      task.addRetry({ errors: SSM_RETRY_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });
      this.catchAll(task);
    }
    read.next(write);
    return [read, write];
  }

  /** The two ways a wait for a copy ends badly: the copy failed, or the budget is spent. */
  private copyEndings(prefix: string, statusPath: string): { copyError: sfn.Chain; timedOut: sfn.Chain } {
    const copyError = new sfn.Pass(this, `${prefix}CopyError`, {
      parameters: { 'Error': 'CopyFailed', 'Cause.$': `States.Format('the copy {} is in state {}', $.copy.id, ${statusPath})` },
      resultPath: '$.error',
    }).next(this.failure);
    const timedOut = new sfn.Pass(this, `${prefix}CopyTimedOut`, {
      parameters: { 'Error': 'CopyTimedOut', 'Cause.$': `States.Format('the copy {} was not available after ${this.props.schedule.budgetSeconds} seconds', $.copy.id)` },
      resultPath: '$.error',
    }).next(this.failure);
    return { copyError, timedOut };
  }

  private catchAll(task: tasks.CallAwsService): void {
    task.addCatch(this.failure, { errors: ['States.ALL'], resultPath: '$.error' });
  }

  /**
   * The wait for a copy: on its completion event where the type has one (`eventLoop`), otherwise
   * the polling loop: Wait -> describe -> Choice (done / failed / budget spent / again).
   */
  private pollLoop(prefix: string, api: SnapshotApi, describe: tasks.CallAwsService, statusPath: string, done: string[], failedStates: string[],
    onDone: sfn.IChainable): sfn.IChainable {
    if (this.props.waits?.hasEvents(api)) return this.eventLoop(prefix, this.props.waits, describe, statusPath, done, failedStates, onDone);
    const waits = pollWaits(this.props.schedule);
    const wait = new sfn.Wait(this, `WaitFor${prefix}Copy`, { time: sfn.WaitTime.secondsPath('$.copy.wait') });
    const check = new sfn.Choice(this, `${prefix}CopyAvailable`);
    const next = new sfn.Pass(this, `${prefix}NextPoll`, {
      comment: 'Capped exponential backoff: the next wait from the precomputed schedule',
      parameters: {
        'id.$': '$.copy.id',
        'attempt.$': 'States.MathAdd($.copy.attempt, 1)',
        'wait.$': `States.ArrayGetItem(States.Array(${waits.join(', ')}), $.copy.attempt)`,
      },
      resultPath: '$.copy',
    });
    const { copyError, timedOut } = this.copyEndings(prefix, statusPath);
    this.catchAll(describe);
    wait.next(describe).next(check);
    check
      .when(sfn.Condition.or(...done.map(s => sfn.Condition.stringEquals(statusPath, s))), onDone)
      .when(sfn.Condition.or(...failedStates.map(s => sfn.Condition.stringEquals(statusPath, s))), copyError)
      .when(sfn.Condition.numberGreaterThanEquals('$.copy.attempt', waits.length), timedOut)
      .otherwise(next);
    next.next(wait);
    return wait;
  }

  /**
   * The event loop: store the task token under the copy's id and wait for the completion event
   * (at most the event timeout) -> describe -> Choice (done / failed / budget spent / wait again).
   * A lost event costs one describe after one event timeout; every wait, timed out or resumed, is one
   * attempt of the budget. A failure event leads to a describe too: a copy in a failed state fails
   * with the event's message, a copy still pending is waited for again (see `event-wait.ts`).
   */
  private eventLoop(prefix: string, waits: CompletionWaits, describe: tasks.CallAwsService, statusPath: string, done: string[],
    failedStates: string[],
    onDone: sfn.IChainable): sfn.IChainable {
    const maxWaits = Math.ceil(this.props.schedule.budgetSeconds / waits.eventTimeout.toSeconds());
    const { awaitEvent, forget } = waits.waitStates(this, `${prefix}Copy`, '$.copy.id', '$.completion');
    const attempt = { 'id.$': '$.copy.id', 'attempt.$': 'States.MathAdd($.copy.attempt, 1)', 'wait.$': '$.copy.wait' };
    const noEvent = new sfn.Pass(this, `${prefix}CopyNoEvent`, {
      comment: 'No event within the event timeout (lost, or sent before the token was stored): describe',
      parameters: attempt,
      resultPath: '$.copy',
    });
    const arrived = new sfn.Pass(this, `${prefix}CopyEventArrived`, {
      comment: 'Resumed by the completion event: describe (one attempt of the budget)',
      parameters: attempt,
      resultPath: '$.copy',
    });
    const failureEvent = new sfn.Pass(this, `${prefix}CopyFailureEvent`, {
      comment: 'Resumed by a failure event: describe; the copy\'s state decides, the event gives the message',
      parameters: { ...attempt, 'failureEvent.$': '$.completion.Cause' },
      resultPath: '$.copy',
    });
    const failedByEvent = new sfn.Pass(this, `${prefix}CopyFailedByEvent`, {
      parameters: { 'Error': COMPLETION_FAILED_ERROR, 'Cause.$': '$.copy.failureEvent' },
      resultPath: '$.error',
    }).next(this.failure);
    const check = new sfn.Choice(this, `${prefix}CopyAvailable`);
    const { copyError, timedOut } = this.copyEndings(prefix, statusPath);
    this.catchAll(describe);
    // A token left behind is harmless (a later event finds a finished task): never fail for it.
    forget.addCatch(describe, { errors: ['States.ALL'], resultPath: '$.forgetError' });
    awaitEvent.addCatch(noEvent, { errors: ['States.Timeout'], resultPath: '$.completion' });
    awaitEvent.addCatch(failureEvent, { errors: [COMPLETION_FAILED_ERROR], resultPath: '$.completion' });
    this.catchAll(awaitEvent);
    noEvent.next(forget).next(describe);
    failureEvent.next(describe);
    awaitEvent.next(arrived).next(describe).next(check);
    const failed = sfn.Condition.or(...failedStates.map(s => sfn.Condition.stringEquals(statusPath, s)));
    check
      .when(sfn.Condition.or(...done.map(s => sfn.Condition.stringEquals(statusPath, s))), onDone)
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.copy.failureEvent'), failed), failedByEvent)
      .when(failed, copyError)
      .when(sfn.Condition.numberGreaterThanEquals('$.copy.attempt', maxWaits), timedOut)
      .otherwise(awaitEvent);
    return awaitEvent;
  }

  private ebsBranch(): sfn.IChainable {
    const p = this.props;
    const stack = Stack.of(this);
    const [read, write] = this.sequence('Ebs', TYPE_EBS);
    const snapshotsIn = (region: string) => `arn:${Aws.PARTITION}:ec2:${region}::snapshot/*`;
    const lastPart = 'States.ArrayGetItem(States.StringSplit($.sourceSnapshotId, \'/\'), States.MathAdd(States.ArrayLength(States.StringSplit($.sourceSnapshotId, \'/\')), -1))';
    const copy = new tasks.CallAwsService(this, 'CopyEbsSnapshot', {
      service: 'ec2',
      action: 'copySnapshot',
      parameters: {
        'SourceRegion': p.sourceRegion,
        'SourceSnapshotId.$': lastPart,
        'Encrypted': true,
        'KmsKeyId': p.keyArn,
        'Description.$': `States.Format('Copy of {} from ${p.sourceRegion} (${p.namePrefix} #{})', $.sourceSnapshotId, $.sequence.current)`,
        'TagSpecifications': [{
          ResourceType: 'snapshot',
          Tags: [
            { Key: COPIER_TAG, Value: p.namePrefix },
            { 'Key': SEQUENCE_TAG, 'Value.$': 'States.JsonToString($.sequence.current)' },
            { 'Key': SOURCE_TAG, 'Value.$': '$.sourceSnapshotId' },
          ],
        }],
      },
      iamResources: [snapshotsIn(p.sourceRegion), snapshotsIn(stack.region)],
      additionalIamStatements: [new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [snapshotsIn(stack.region)],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } },
      })],
      resultSelector: { 'id.$': '$.SnapshotId', 'attempt': 0, 'wait': p.schedule.firstSeconds },
      resultPath: '$.copy',
    });
    addServiceRetries(copy, EBS_API, { quota: true });
    this.catchAll(copy);

    const describe = new tasks.CallAwsService(this, 'DescribeEbsCopy', {
      service: 'ec2',
      action: 'describeSnapshots',
      parameters: { 'SnapshotIds.$': 'States.Array($.copy.id)' },
      // DescribeSnapshots supports no resource-level permissions: AWS accepts only "*".
      iamResources: ['*'],
      resultSelector: { 'snapshot.$': '$.Snapshots[0]' },
      resultPath: '$.status',
    });
    addServiceRetries(describe, EBS_API);
    const findExpired = new tasks.CallAwsService(this, 'FindExpiredEbsCopies', {
      service: 'ec2',
      action: 'describeSnapshots',
      comment: `This workflow's own copy ${p.keepCopies} sequences back (tagged by it); never any other snapshot`,
      parameters: {
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${COPIER_TAG}`, Values: [p.namePrefix] },
          { 'Name': `tag:${SEQUENCE_TAG}`, 'Values.$': `States.Array(States.JsonToString(States.MathAdd($.sequence.current, -${p.keepCopies})))` },
        ],
      },
      iamResources: ['*'],
      // The list itself (possibly empty): a path into an empty list would be a runtime error.
      resultSelector: { 'snapshots.$': '$.Snapshots' },
      resultPath: '$.expired',
    });
    addServiceRetries(findExpired, EBS_API);
    this.catchAll(findExpired);
    const deleteOne = new tasks.CallAwsService(this, 'DeleteExpiredEbsCopy', {
      service: 'ec2',
      action: 'deleteSnapshot',
      parameters: { 'SnapshotId.$': '$.SnapshotId' },
      // The task's own statement is left harmless (DescribeSnapshots, granted on "*" above anyway):
      // the delete right is the statement below, only on snapshots this workflow tagged.
      iamAction: 'ec2:DescribeSnapshots',
      iamResources: [snapshotsIn(stack.region)],
      additionalIamStatements: [new iam.PolicyStatement({
        actions: ['ec2:DeleteSnapshot'],
        resources: [snapshotsIn(stack.region)],
        conditions: { StringEquals: { [`aws:ResourceTag/${COPIER_TAG}`]: p.namePrefix } },
      })],
      resultPath: sfn.JsonPath.DISCARD,
    });
    addServiceRetries(deleteOne, EBS_API);
    const prune = new sfn.Map(this, 'DeleteExpiredEbsCopies', { itemsPath: '$.expired.snapshots', maxConcurrency: 1, resultPath: sfn.JsonPath.DISCARD });
    prune.itemProcessor(deleteOne);
    prune.addCatch(this.failure, { errors: ['States.ALL'], resultPath: '$.error' });
    const done = new sfn.Succeed(this, 'EbsCopied');
    findExpired.next(prune).next(done);

    write.next(copy);
    copy.next(this.pollLoop('Ebs', EBS_API, describe, '$.status.snapshot.State', ['completed'], ['error', 'recoverable'], findExpired));
    return read;
  }

  /** The RDS DB snapshot or Aurora cluster snapshot branch: [from an ARN, from an identifier]. */
  private rdsBranch(type: string): [sfn.IChainable, sfn.IChainable] {
    const p = this.props;
    const stack = Stack.of(this);
    const cluster = type === TYPE_AURORA;
    const api = cluster ? AURORA_CLUSTER_API : RDS_DB_API;
    const prefix = cluster ? 'Cluster' : 'Db';
    const kind = cluster ? 'cluster-snapshot' : 'snapshot';
    const suffix = cluster ? 'cluster' : 'db';
    const apiName = cluster ? 'DBClusterSnapshot' : 'DBSnapshot';
    // Step Functions names RDS members and results as the AWS SDK for Java 2.x does: a leading
    // "DB" is "Db" (`DbSnapshotIdentifier`, `DbSnapshots`), one further in stays (`SourceDBSnapshotIdentifier`).
    const sfnName = cluster ? 'DbClusterSnapshot' : 'DbSnapshot';
    const rdsArn = (region: string, name: string) => `arn:${Aws.PARTITION}:rds:${region}:${stack.account}:${kind}:${name}`;
    const targetName = `States.Format('${p.namePrefix}-${suffix}-{}', $.sequence.current)`;

    const fromArn = new sfn.Pass(this, `${prefix}SourceFromArn`, { parameters: { 'arn.$': '$.sourceSnapshotId' }, resultPath: '$.source' });
    const fromName = new sfn.Pass(this, `${prefix}SourceFromName`, {
      parameters: { 'arn.$': `States.Format('${rdsArn(p.sourceRegion, '{}')}', $.sourceSnapshotId)` },
      resultPath: '$.source',
    });
    const [read, write] = this.sequence(prefix, type);
    fromArn.next(read);
    fromName.next(read);

    const copy = new tasks.CallAwsService(this, `Copy${prefix}Snapshot`, {
      service: 'rds',
      action: `copy${apiName}`,
      iamAction: `rds:Copy${apiName}`,
      parameters: {
        [`Source${apiName}Identifier.$`]: '$.source.arn',
        [`Target${apiName}Identifier.$`]: targetName,
        KmsKeyId: p.keyArn,
        CopyTags: false,
        Tags: [
          { Key: COPIER_TAG, Value: p.namePrefix },
          { 'Key': SEQUENCE_TAG, 'Value.$': 'States.JsonToString($.sequence.current)' },
          { 'Key': SOURCE_TAG, 'Value.$': '$.source.arn' },
        ],
      },
      iamResources: [rdsArn(p.sourceRegion, '*'), rdsArn(stack.region, `${p.namePrefix}-${suffix}-*`)],
      additionalIamStatements: [new iam.PolicyStatement({
        actions: ['rds:AddTagsToResource'],
        resources: [rdsArn(stack.region, `${p.namePrefix}-${suffix}-*`)],
      })],
      resultSelector: { 'id.$': `$.${sfnName}.${sfnName}Identifier`, 'attempt': 0, 'wait': p.schedule.firstSeconds },
      resultPath: '$.copy',
    });
    addServiceRetries(copy, api, { quota: true });
    // Another execution took this sequence number first: take the next one.
    copy.addCatch(read, { errors: api.alreadyExistsErrors, resultPath: sfn.JsonPath.DISCARD });
    this.catchAll(copy);

    const describe = new tasks.CallAwsService(this, `Describe${prefix}Copy`, {
      service: 'rds',
      action: `describe${apiName}s`,
      iamAction: `rds:Describe${apiName}s`,
      parameters: { [`${sfnName}Identifier.$`]: '$.copy.id' },
      iamResources: [rdsArn(stack.region, `${p.namePrefix}-${suffix}-*`)],
      resultSelector: { 'snapshot.$': `$.${sfnName}s[0]` },
      resultPath: '$.status',
    });
    addServiceRetries(describe, api);
    const deleteExpired = new tasks.CallAwsService(this, `DeleteExpired${prefix}Copy`, {
      service: 'rds',
      action: `delete${apiName}`,
      iamAction: `rds:Delete${apiName}`,
      comment: `This workflow's own copy ${p.keepCopies} sequences back (named by its prefix); never any other snapshot`,
      parameters: { [`${sfnName}Identifier.$`]: `States.Format('${p.namePrefix}-${suffix}-{}', States.MathAdd($.sequence.current, -${p.keepCopies}))` },
      iamResources: [rdsArn(stack.region, `${p.namePrefix}-${suffix}-*`)],
      resultPath: sfn.JsonPath.DISCARD,
    });
    const done = new sfn.Succeed(this, `${prefix}Copied`);
    addServiceRetries(deleteExpired, api);
    // Nothing that far back (the first copies, or deleted by hand): nothing to prune.
    deleteExpired.addCatch(done, { errors: api.notFoundErrors, resultPath: sfn.JsonPath.DISCARD });
    this.catchAll(deleteExpired);
    deleteExpired.next(done);

    write.next(copy);
    copy.next(this.pollLoop(prefix, api, describe, '$.status.snapshot.Status', ['available'], ['failed', 'incompatible-restore', 'incompatible-parameters'], deleteExpired));
    return [fromArn, fromName];
  }
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * A Region pair the Region copy, its forwarder and its schedule check: a literal Region name, not this stack's, no GovCloud (RDS
 * there needs a pre-signed URL), no China Region for RDS and Aurora.
 */
export function validateRegionPair(prop: string, other: string, own: string, types: string[], ebsOnlyHint = 'copy only SnapshotType.EBS there'): void {
  if (Token.isUnresolved(other) || !REGION_PATTERN.test(other)) {
    validation.invalid(prop, 'must be a Region name such as eu-west-1 (a literal, not a token)', Token.isUnresolved(other) ? '(a token)' : other);
  }
  const regions = Token.isUnresolved(own) ? [other] : [other, own];
  if (!Token.isUnresolved(own) && other === own) {
    validation.invalid(prop, `must differ from the stack's Region ${own} (this copies across Regions)`, other);
  }
  const govCloud = regions.find(r => r.startsWith('us-gov-'));
  if (govCloud) {
    validation.fail(`${prop}: AWS GovCloud (US) Regions are not supported (${govCloud}): RDS copies between GovCloud Regions need a `
      + 'PreSignedUrl signed in the source Region, which a Step Functions workflow cannot make; snapshots cannot be copied '
      + 'between GovCloud and other Regions at all');
  }
  const china = regions.find(r => r.startsWith('cn-'));
  if (china && types.some(t => t !== TYPE_EBS)) {
    validation.fail(`${prop}: RDS and Aurora cannot copy snapshots to or from the China Regions (${china}); ${ebsOnlyHint}`);
  }
}
