import { Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SdkCall, SnapshotApi, sourceResourceArn } from './snapshot-api';
import { IEncryptionKey } from '../../keys/encryption-key-base';
import { KeyService } from '../../policy/key-service';

/**
 * Building blocks of the snapshot workflows (Step Functions, JSONPath): scoped SDK tasks, retries
 * with jitter, capped exponential backoff polling, and the failure path (SNS notification under a
 * CMK, then a Fail state that says what happened). Never exported from the package; shared by the
 * share workflows and the Region copy.
 *
 * State input conventions: a failure is written to `$.failure` as `{ Error, Cause }` (what a Catch
 * writes), the polling state to `$.poll`, a describe result to the `resultPath` the caller gives.
 */

/** An SDK task whose IAM statement carries conditions and whose extra statements come from the call. */
export class SdkTask extends tasks.CallAwsService {
  constructor(scope: Construct, id: string, call: SdkCall,
    props: { resultPath?: string | null; resultSelector?: { [key: string]: unknown }; comment?: string } = {}) {
    super(scope, id, {
      service: call.service,
      action: call.action,
      iamAction: call.iamAction,
      iamResources: call.iamResources,
      parameters: call.parameters,
      additionalIamStatements: (call.extraActions ?? []).map((extra) => new iam.PolicyStatement({
        actions: extra.actions,
        resources: extra.resources,
        conditions: extra.conditions,
      })),
      resultPath: props.resultPath === null ? sfn.JsonPath.DISCARD : props.resultPath,
      resultSelector: props.resultSelector,
      comment: props.comment,
    });
    if (call.conditions && this.taskPolicies && this.taskPolicies.length > 0) {
      this.taskPolicies[0].addConditions(call.conditions);
    }
  }
}

/** Retry timing of the workflows (defaults). */
export const RETRY = {
  /** Throttling and transient service errors: 2 s, doubling, at most 60 s apart, 6 attempts, full jitter. */
  throttling: { interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2, maxDelay: Duration.seconds(60) },
  /** Quota and copy limits (20 concurrent copies, 100 manual snapshots): 1 min, x1.5, at most 15 min apart, 10 attempts. */
  quota: { interval: Duration.minutes(1), maxAttempts: 10, backoffRate: 1.5, maxDelay: Duration.minutes(15) },
} as const;

/** Adds the throttling and quota retries of a resource type to a task, with full jitter. */
export function addServiceRetries(task: sfn.TaskStateBase, api: SnapshotApi, options: { quota?: boolean } = {}): void {
  if (options.quota && api.quotaErrors.length > 0) {
    task.addRetry({ errors: api.quotaErrors, ...RETRY.quota, jitterStrategy: sfn.JitterType.FULL });
  }
  task.addRetry({ errors: api.throttlingErrors, ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
}

/** Options of the capped exponential backoff wait. */
export interface PollOptions {
  /** The first wait. */
  readonly initial: Duration;
  /** The longest wait between two polls. */
  readonly cap: Duration;
  /** Give up after waiting this long in total. */
  readonly timeout: Duration;
}

/** The default polling: 30 s, doubling, at most 10 min apart, 12 h in total. */
/**
 * A task that resumes an execution of `waiter` waiting on a task token (`sfn:SendTaskSuccess` or
 * `sfn:SendTaskFailure`, allowed on that state machine only), its result discarded, throttling
 * retried with full jitter.
 */
export function resumeTask(scope: Construct, id: string, waiter: sfn.IStateMachine, outcome: 'success' | 'failure',
  parameters: Record<string, unknown>): tasks.CallAwsService {
  const action = outcome === 'success' ? 'sendTaskSuccess' : 'sendTaskFailure';
  const task = new tasks.CallAwsService(scope, id, {
    service: 'sfn',
    action,
    iamAction: `states:${action.charAt(0).toUpperCase()}${action.slice(1)}`,
    iamResources: [waiter.stateMachineArn],
    parameters,
    resultPath: sfn.JsonPath.DISCARD,
  });
  task.addRetry({ errors: ['Sfn.SfnException', 'Sfn.SdkClientException'], ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
  return task;
}

export const DEFAULT_POLL: PollOptions = { initial: Duration.seconds(30), cap: Duration.minutes(10), timeout: Duration.hours(12) };

/** How a workflow waits: completion events where they exist (with a timeout per wait), polling otherwise. */
export interface WaitOptions extends PollOptions {
  /** Wait for completion events where the snapshot type has them. */
  readonly completionEvents: boolean;
  /** How long one wait for an event lasts before the snapshot is described again. */
  readonly eventTimeout: Duration;
}

/**
 * The default wait for one completion event: 30 minutes. A lost event delays the workflow by at
 * most this; each timeout while a copy runs costs a few transitions (see the cost benchmark).
 */
export const DEFAULT_EVENT_TIMEOUT = Duration.minutes(30);

/**
 * The failure path of a workflow: every failure lands in `$.failure` ({ Error, Cause }), is
 * published to the topic, and ends in a Fail state carrying the same error and cause.
 */
export class FailurePath {
  /** The notification and Fail states of a workflow (ids `NotifyFailure` and `Failed` in `scope`). */
  public static create(scope: Construct, topic: sns.ITopic, workflowName: string): FailurePath {
    const notify = new tasks.SnsPublish(scope, 'NotifyFailure', {
      topic,
      subject: sfn.JsonPath.format(`${workflowName.slice(0, 40).replace(/'/g, '')} failed: {}`, sfn.JsonPath.stringAt('$.failure.Error')),
      message: sfn.TaskInput.fromObject({
        'workflow': workflowName,
        'execution.$': '$$.Execution.Id',
        'error.$': '$.failure.Error',
        'cause.$': '$.failure.Cause',
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    notify.addRetry({ errors: ['SNS.ThrottledException', 'SNS.InternalErrorException'], ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    const failed = new sfn.Fail(scope, 'Failed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
    // A notification that cannot be sent must not hide the failure itself.
    notify.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.notifyError' });
    notify.next(failed);
    return new FailurePath(scope, notify);
  }

  private constructor(private readonly scope: Construct, /** Where failures go. */ public readonly entry: sfn.IChainable) {}

  /** The same failure path, going through `first` (a cleanup) before the notification. */
  public via(first: sfn.IChainable): FailurePath {
    return new FailurePath(this.scope, first);
  }

  /** A state that records a failure found by a Choice (not an error) and goes to the failure path. */
  public fail(id: string, error: string, causeFormat: string, ...args: string[]): sfn.Pass {
    const pass = new sfn.Pass(this.scope, id, {
      parameters: {
        Error: error,
        Cause: args.length > 0 ? sfn.JsonPath.format(causeFormat, ...args.map((a) => sfn.JsonPath.stringAt(a))) : causeFormat,
      },
      resultPath: '$.failure',
    });
    pass.next(this.entry);
    return pass;
  }

  /** Sends every error of a task (after its retries) to the failure path. */
  public catchAll(task: sfn.TaskStateBase | sfn.Map): void {
    task.addCatch(this.entry, { errors: ['States.ALL'], resultPath: '$.failure' });
  }
}

/** What a wait for a snapshot needs: where its id is, where the describe result goes, what follows. */
export interface AvailabilityWaitOptions {
  /** Where the snapshot id (or ARN) is in the state input. */
  readonly idPath: string;
  /** The snapshot belongs to another account and is shared with this one. */
  readonly shared?: boolean;
  /** Where the describe result goes (`<resultPath>.Snapshots[0]` is the snapshot). */
  readonly resultPath: string;
  /** The polling schedule and the overall budget. */
  readonly poll: PollOptions;
  /** Where failures go. */
  readonly failure: FailurePath;
  /** The state after the snapshot is available. */
  readonly next: sfn.IChainable;
  /** Fail a snapshot that is not encrypted. */
  readonly requireEncrypted?: boolean;
  /** The words naming the snapshot in messages. */
  readonly what: string;
}

/**
 * The describe task of a wait: `<prefix>Describe`, writing `{ Snapshots, Count }` to the result
 * path; a snapshot that does not exist goes to `<prefix>Missing`, other errors (after the
 * retries) to the failure path. Returns the task and the `<prefix>Missing` state.
 */
export function describeSnapshot(scope: Construct, prefix: string, api: SnapshotApi, options: AvailabilityWaitOptions):
{ describe: SdkTask; missing: sfn.Pass } {
  const f = api.fields;
  const describe = new SdkTask(scope, `${prefix}Describe`, api.describe(options.idPath, options.shared), {
    resultPath: options.resultPath,
    resultSelector: { 'Snapshots.$': `$.${f.list}`, 'Count.$': `States.ArrayLength($.${f.list})` },
  });
  addServiceRetries(describe, api);
  const missing = options.failure.fail(`${prefix}Missing`, 'SnapshotNotFound', `${options.what} {} does not exist (or is not visible to this account)`, options.idPath);
  if (api.notFoundErrors.length > 0) {
    describe.addCatch(missing, { errors: api.notFoundErrors, resultPath: '$.describeError' });
  }
  options.failure.catchAll(describe);
  return { describe, missing };
}

/**
 * The Choice after a describe (`<prefix>Available?`): missing, not encrypted (when
 * `requireEncrypted`), available (to `next`), still being made (to `pending`), or in a failed
 * state (to the failure path with a message).
 */
export function availabilityChoice(scope: Construct, prefix: string, api: SnapshotApi, options: AvailabilityWaitOptions,
  missing: sfn.IChainable, pending: sfn.IChainable): sfn.Choice {
  const f = api.fields;
  const first = `${options.resultPath}.Snapshots[0]`;
  const status = `${first}.${f.status}`;
  const failedState = options.failure.fail(`${prefix}FailedState`, 'SnapshotFailed', `${options.what} {} is in state {}`, options.idPath, status);
  let check = new sfn.Choice(scope, `${prefix}Available?`)
    .when(sfn.Condition.numberEquals(`${options.resultPath}.Count`, 0), missing);
  if (options.requireEncrypted) {
    const notEncrypted = options.failure.fail(`${prefix}NotEncrypted`, 'SnapshotNotEncrypted',
      `${options.what} {} is not encrypted: only encrypted snapshots are shared`, options.idPath);
    check = check.when(sfn.Condition.booleanEquals(`${first}.${f.encrypted}`, false), notEncrypted);
  }
  return check
    .when(sfn.Condition.or(...f.available.map((v) => sfn.Condition.stringEquals(status, v))), options.next)
    .when(sfn.Condition.or(...f.pending.map((v) => sfn.Condition.stringEquals(status, v))), pending)
    .otherwise(failedState);
}

/** The state that fails a wait whose budget is spent (`<prefix>TimedOut`). */
export function waitTimedOut(prefix: string, options: AvailabilityWaitOptions): sfn.Pass {
  return options.failure.fail(`${prefix}TimedOut`, 'SnapshotWaitTimeout',
    `${options.what} {} was not available after ${options.poll.timeout.toHumanString()}`, options.idPath);
}

/**
 * Describes a snapshot until it is available, waiting with capped exponential backoff; a snapshot
 * that is missing, not encrypted (when `requireEncrypted`), failed, or still pending after the
 * timeout goes to the failure path with a message. Returns the first state; continues to `next`
 * with the describe result in `resultPath` (`<resultPath>.Snapshots[0]` is the snapshot).
 * The event-driven wait (`event-wait.ts`) falls back to this where no completion event exists.
 */
export function pollUntilAvailable(scope: Construct, prefix: string, api: SnapshotApi, options: AvailabilityWaitOptions): sfn.IChainable {
  const init = new sfn.Pass(scope, `${prefix}StartWaiting`, {
    parameters: { seconds: options.poll.initial.toSeconds(), waited: 0 },
    resultPath: '$.poll',
  });
  const { describe, missing } = describeSnapshot(scope, prefix, api, options);
  const wait = new sfn.Wait(scope, `${prefix}Wait`, { time: sfn.WaitTime.secondsPath('$.poll.seconds') });
  const backoff = new sfn.Pass(scope, `${prefix}Backoff`, {
    parameters: {
      'seconds.$': 'States.MathAdd($.poll.seconds, $.poll.seconds)',
      'waited.$': 'States.MathAdd($.poll.waited, $.poll.seconds)',
    },
    resultPath: '$.poll',
  });
  const capped = new sfn.Pass(scope, `${prefix}CapWait`, {
    parameters: { 'seconds': options.poll.cap.toSeconds(), 'waited.$': '$.poll.waited' },
    resultPath: '$.poll',
  });
  const timedOut = waitTimedOut(prefix, options);
  const capChoice = new sfn.Choice(scope, `${prefix}CapReached?`)
    .when(sfn.Condition.numberGreaterThan('$.poll.seconds', options.poll.cap.toSeconds()), capped.next(describe))
    .otherwise(describe);
  const timeoutChoice = new sfn.Choice(scope, `${prefix}WaitedTooLong?`)
    .when(sfn.Condition.numberGreaterThanEquals('$.poll.waited', options.poll.timeout.toSeconds()), timedOut)
    .otherwise(wait.next(backoff).next(capChoice));
  const check = availabilityChoice(scope, prefix, api, options, missing, timeoutChoice);
  init.next(describe).next(check);
  return init;
}

/** What a workflow state machine is made with (its log group is given separately). */
export interface WorkflowMachineOptions {
  readonly definition: sfn.IChainable;
  readonly timeout: Duration;
  readonly removalPolicy: RemovalPolicy;
  readonly comment: string;
  /** EXPRESS for the short callback machines (at most 5 minutes). @default STANDARD */
  readonly stateMachineType?: sfn.StateMachineType;
  /** The execution history events logged, with their data. @default ALL */
  readonly logLevel?: sfn.LogLevel;
}

/** Where Step Functions' console and CloudWatch Logs vended delivery expect a state machine's logs. */
export const VENDED_LOGS_PREFIX = '/aws/vendedlogs/states/';

/**
 * The name of a workflow's log group: `/aws/vendedlogs/states/<name>`, with `name` the state
 * machine's name when it has a literal one, otherwise derived from the construct's stack name and
 * path (deterministic, unique per construct within an account and Region).
 */
export function workflowLogGroupName(scope: Construct, stateMachineName?: string): string {
  const name = stateMachineName ?? Names.uniqueResourceName(scope, { maxLength: 256, separator: '-' });
  return `${VENDED_LOGS_PREFIX}${name}`;
}

/**
 * A log group under the workflow key, with an explicit name: the key policy allows CloudWatch
 * Logs for exactly that log group (`kms:EncryptionContext:aws:logs:arn`).
 */
export function workflowLogGroup(scope: Construct, key: IEncryptionKey, retention: logs.RetentionDays, removalPolicy: RemovalPolicy,
  logGroupName: string = workflowLogGroupName(scope)): logs.LogGroup {
  const stack = Stack.of(scope);
  key.allowCloudWatchLogs({ logGroupArnPattern: `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${logGroupName}` });
  return new logs.LogGroup(scope, 'Logs', { logGroupName, encryptionKey: key, retention, removalPolicy });
}

/** A failure topic under the workflow key, publishing only over TLS. */
export function failureTopic(scope: Construct, key: IEncryptionKey, given?: sns.ITopic): sns.ITopic {
  if (given) return given;
  return new sns.Topic(scope, 'Failures', { masterKey: key.forService(KeyService.SNS), enforceSSL: true });
}

/** The state machine: logging ALL to the log group, X-Ray tracing, an overall timeout. */
export function workflowStateMachine(scope: Construct, id: string, options: WorkflowMachineOptions, logGroup: logs.ILogGroup): sfn.StateMachine {
  return new sfn.StateMachine(scope, id, {
    definitionBody: sfn.DefinitionBody.fromChainable(options.definition),
    logs: { destination: logGroup, level: options.logLevel ?? sfn.LogLevel.ALL, includeExecutionData: true },
    tracingEnabled: true,
    timeout: options.timeout,
    comment: options.comment,
    stateMachineType: options.stateMachineType,
    removalPolicy: options.removalPolicy,
  });
}

/**
 * The first states of a source workflow: `Start` records the target accounts in `$.targets`, then
 * `SnapshotGiven?` goes to `waitOriginal` for an input naming `snapshotId`, or, when the workflow
 * may snapshot `createFrom` resources, creates a snapshot of the one the input names (`createFrom`,
 * tagged as made by this workflow) and goes on with it; any other input fails as `InvalidInput`.
 */
export function sourceEntry(scope: Construct, api: SnapshotApi, options: {
  accounts: string[];
  createFrom: string[];
  madeBy: string;
  failure: FailurePath;
  waitOriginal: sfn.IChainable;
  /** What `createFrom` names, in the error message (e.g. `resources`, `clusters`). */
  resourceNoun: string;
}): sfn.IChainable {
  const start = new sfn.Pass(scope, 'Start', { result: sfn.Result.fromArray(options.accounts), resultPath: '$.targets' });
  const invalidInput = options.failure.fail('InvalidInput', 'InvalidInput', options.createFrom.length > 0
    ? `the input must name snapshotId, or createFrom (one of the ${options.resourceNoun} the workflow may snapshot)`
    : 'the input must name snapshotId');
  const route = new sfn.Choice(scope, 'SnapshotGiven?').when(sfn.Condition.isPresent('$.snapshotId'), options.waitOriginal);
  if (options.createFrom.length > 0) {
    const name = new sfn.Pass(scope, 'NameNewSnapshot', {
      parameters: { 'name.$': "States.Format('snapshot-{}', States.UUID())" },
      resultPath: '$.newSnapshot',
    });
    const create = new SdkTask(scope, 'CreateSnapshot',
      api.create('$.createFrom', '$.newSnapshot.name', options.createFrom.map((r) => sourceResourceArn(api, r)), options.madeBy),
      { resultSelector: { 'id.$': api.createIdResult }, resultPath: '$.created' });
    addServiceRetries(create, api, { quota: true });
    options.failure.catchAll(create);
    const useCreated = new sfn.Pass(scope, 'UseNewSnapshot', {
      parameters: { 'snapshotId.$': '$.created.id', 'createdFrom.$': '$.createFrom', 'targets.$': '$.targets' },
    });
    name.next(create).next(useCreated).next(options.waitOriginal);
    route.when(sfn.Condition.isPresent('$.createFrom'), name);
  }
  route.otherwise(invalidInput);
  return sfn.Chain.start(start).next(route);
}
