import { Annotations, Aws, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  NO_REQUEST_YET, RegionCopyScheduleWorkflow, SCHEDULE_DETAIL_TYPE, SCHEDULE_EVENT_SOURCE, ScheduleSource,
} from './private/region-copy-schedule-workflow';
import { TYPE_AURORA, TYPE_EBS, TYPE_RDS_DB, validateRegionPair } from './private/region-copy-workflow';
import { acknowledgeWorkflow, acknowledgeWorkflowRole } from './private/share-nag';
import { failureTopic, workflowLogGroup, workflowStateMachine } from './private/workflow';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { KeyCapability } from '../policy/key-capability';
import { KeyService } from '../policy/key-service';
import { acknowledge, acknowledgeInCompliancePacks } from '../private/acknowledge';
import { checkEncryptionKey, encryptionKeyOrDefault } from '../private/encrypted-resource';
import { ComplianceRules, NagRules, WarningIds } from '../private/ids';
import { fail, invalid } from '../private/validation';

/** The most sources one schedule reads (one EXPRESS execution, at most 5 minutes). */
const MAX_SOURCES = 40;

/**
 * Properties of a `SnapshotRegionCopySchedule`.
 */
export interface SnapshotRegionCopyScheduleProps {
  /**
   * The Region of the `SnapshotRegionCopy` (of this stack's account) that makes the copies. Its
   * `SnapshotRegionCopy` must set `copyOnScheduleRequests: true` and copy the kinds named here.
   */
  readonly destinationRegion: string;

  /**
   * When to look for new snapshots (an EventBridge schedule rule in this Region). A rate under 5
   * minutes is refused: a run may take 5 minutes, and two runs at once could both request the
   * same snapshot (a cron expression is not checked: keep its runs 5 minutes apart).
   *
   * @default Schedule.rate(Duration.hours(1))
   */
  readonly schedule?: events.Schedule;

  /**
   * EBS volumes (`vol-...`) whose newest completed snapshot is copied.
   *
   * @default - none
   */
  readonly ebsVolumeIds?: string[];

  /**
   * RDS DB instances (identifiers) whose newest available DB snapshot (manual or automated) is copied.
   * Literal identifiers are used in lowercase, as RDS stores them (its ARNs and IAM resources too).
   *
   * @default - none
   */
  readonly dbInstanceIdentifiers?: string[];

  /**
   * Aurora DB clusters (identifiers) whose newest available cluster snapshot (manual or automated) is copied.
   * Literal identifiers are used in lowercase, as RDS stores them (its ARNs and IAM resources too).
   *
   * @default - none
   */
  readonly dbClusterIdentifiers?: string[];

  /**
   * Which execution history events the workflow logs (with their execution data) to its log group.
   *
   * Unlike the library's STANDARD workflows, which log `ALL` (their runs are few and long), this
   * EXPRESS workflow logs only errors by default: it walks every snapshot of every source on each
   * run, and logging every state with its data would ingest an estimated 10 GB a month for 4
   * sources of 60 snapshots run hourly. `ERROR` keeps each failed task (retries included), the
   * failed run and its `ScheduleFailed` state with every source's outcome and error; a run that
   * succeeds leaves no log. Set `LogLevel.ALL` to follow each state while investigating (the
   * requests themselves can also be followed on the default bus). `OFF` leaves only the failure
   * topic and the state machine's metrics.
   *
   * @default LogLevel.ERROR
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html
   */
  readonly logLevel?: sfn.LogLevel;

  /**
   * The key of this Region that encrypts the workflow's log group and failure topic.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;
}

/**
 * Deployed in the SOURCE Region's stack: on a schedule, finds the newest completed snapshot of
 * each listed EBS volume, RDS DB instance and Aurora DB cluster and, when it is newer than the
 * last one requested for that source, asks the `SnapshotRegionCopy` of the destination Region to
 * copy it: a `Snapshot Region Copy Requested` event (source `cdk-kms-patterns.snapshot-region-copy`)
 * on this Region's default bus, forwarded to the destination Region's default bus. Step Functions
 * calls services only in its own Region, so the snapshots are listed here, by an EXPRESS state
 * machine (no Lambda). The last request per source is remembered in an SSM parameter: nothing is
 * requested twice, and an older snapshot is never requested after a newer one.
 */
export class SnapshotRegionCopySchedule extends Construct {
  /** The EXPRESS workflow that looks for new snapshots. */
  public readonly stateMachine: sfn.StateMachine;
  /** The key of the log group and the failure topic. */
  public readonly encryptionKey: IEncryptionKey;
  /** Receives a message when a source cannot be read or its request cannot be sent. */
  public readonly failureTopic: sns.ITopic;
  /** The workflow's log group (encrypted with the key; the events of `logLevel`, errors by default). */
  public readonly logGroup: logs.LogGroup;
  /** The schedule rule. */
  public readonly scheduleRule: events.Rule;
  /** The rule forwarding the requests to the destination Region's default bus. */
  public readonly forwardingRule: events.Rule;
  /**
   * The parameters remembering the last request per source (`{"id":...,"time":...}`), named after
   * the source; a token source's is named after its position in its list, so reordering token
   * sources swaps their memories (a source may then wait for a snapshot newer than another's last).
   */
  public readonly lastRequestParameters: ssm.StringParameter[] = [];

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: SnapshotRegionCopyScheduleProps) {
    const stack = Stack.of(scope);
    const volumes = props.ebsVolumeIds ?? [];
    // RDS stores identifiers in lowercase and IAM matches ARNs case-sensitively: `Orders` is the ARN `db:orders`
    // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, DBInstanceIdentifier).
    const instances = (props.dbInstanceIdentifiers ?? []).map(lowercaseLiteral);
    const clusters = (props.dbClusterIdentifiers ?? []).map(lowercaseLiteral);
    checkSources('ebsVolumeIds', volumes, /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/, 'volume ids such as vol-0123456789abcdef0');
    const rdsName = /^[a-z](?!.*--)[a-z0-9-]{0,62}$/i;
    const rdsWords = '1 to 63 letters, digits and single hyphens, starting with a letter and not ending with a hyphen';
    checkSources('dbInstanceIdentifiers', props.dbInstanceIdentifiers ?? [], rdsName, rdsWords);
    checkSources('dbClusterIdentifiers', props.dbClusterIdentifiers ?? [], rdsName, rdsWords);
    const total = volumes.length + instances.length + clusters.length;
    if (total === 0) fail('ebsVolumeIds, dbInstanceIdentifiers, dbClusterIdentifiers: name at least one source, got none');
    if (total > MAX_SOURCES) {
      fail(`ebsVolumeIds, dbInstanceIdentifiers, dbClusterIdentifiers: at most ${MAX_SOURCES} sources in one schedule (one EXPRESS execution), got ${total}`);
    }
    const types = [...(volumes.length ? [TYPE_EBS] : []), ...(instances.length ? [TYPE_RDS_DB] : []), ...(clusters.length ? [TYPE_AURORA] : [])];
    validateRegionPair('destinationRegion', props.destinationRegion, stack.region, types, 'list only ebsVolumeIds there');
    checkSchedule(props.schedule);
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'CloudWatch Logs and SNS');
    super(scope, id);

    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts the snapshot Region copy schedule of ${this.node.path}`);
    this.encryptionKey = key;
    const logLevel = props.logLevel ?? sfn.LogLevel.ERROR;
    this.logGroup = workflowLogGroup(this, key, logs.RetentionDays.ONE_YEAR, RemovalPolicy.RETAIN);
    this.failureTopic = failureTopic(this, key);

    // One parameter per source, named by this construct and the source (a token source: by its position).
    const unique = Names.uniqueId(this).slice(-8).toLowerCase();
    const sources: ScheduleSource[] = [];
    const add = (type: string, kind: string, list: string[]) => list.forEach((source, i) => {
      const literal = !Token.isUnresolved(source);
      const parameterName = `/cdk-kms-patterns/snapshot-region-copy-schedule/${unique}/${kind}/${literal ? source : `source-${i}`}`;
      this.lastRequestParameters.push(new ssm.StringParameter(this, `LastRequest-${kind}-${literal ? source : i}`, {
        parameterName,
        stringValue: NO_REQUEST_YET,
        description: `The last snapshot of ${kind} ${literal ? source : `#${i}`} whose copy to ${props.destinationRegion} was requested`,
      }));
      sources.push({ type, source, parameter: parameterName });
    });
    add(TYPE_EBS, 'ebs', volumes);
    add(TYPE_RDS_DB, 'db', instances);
    add(TYPE_AURORA, 'cluster', clusters);
    const parameterArns = sources.map(s => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: s.parameter.replace(/^\//, '') }));

    const workflow = new RegionCopyScheduleWorkflow(this, 'Workflow', {
      sources, destinationRegion: props.destinationRegion, parameterArns, failureTopic: this.failureTopic,
    });
    this.stateMachine = workflowStateMachine(this, 'Resource', {
      definition: workflow.definition,
      timeout: Duration.minutes(5),
      comment: `Requests copies to ${props.destinationRegion} of the newest snapshots of ${sources.length} sources (${this.node.path})`,
      stateMachineType: sfn.StateMachineType.EXPRESS,
      removalPolicy: RemovalPolicy.RETAIN,
      logLevel,
    }, this.logGroup);
    // The failure topic: SNS encrypts each message with a data key on the publisher's behalf.
    key.grantThroughService(this.stateMachine.role, KeyService.SNS, KeyCapability.GENERATE_DATA_KEY, KeyCapability.DECRYPT);

    this.scheduleRule = new events.Rule(this, 'Schedule', {
      description: `Looks for new snapshots to copy to ${props.destinationRegion}`,
      schedule: props.schedule ?? events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.SfnStateMachine(this.stateMachine, { retryAttempts: 4, maxEventAge: Duration.hours(1) })],
    });

    // The requests go to the destination Region's default bus, with a role allowed only that.
    const bus = events.EventBus.fromEventBusArn(this, 'DestinationBus',
      `arn:${Aws.PARTITION}:events:${props.destinationRegion}:${stack.account}:event-bus/default`);
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Forwards snapshot copy requests to ${props.destinationRegion}`,
    });
    this.forwardingRule = new events.Rule(this, 'Forward', {
      description: `Forwards snapshot copy requests to ${props.destinationRegion}`,
      eventPattern: {
        source: [SCHEDULE_EVENT_SOURCE],
        detailType: [SCHEDULE_DETAIL_TYPE],
        account: [stack.account],
        // only requests put in this Region (never one forwarded here from elsewhere)
        region: [stack.region],
        detail: { destinationRegion: [props.destinationRegion] },
      },
      targets: [new targets.EventBus(bus, { role })],
    });
    acknowledgeInCompliancePacks(role, ComplianceRules.IAM_NO_INLINE_POLICY,
      'The forwarding role\'s inline policy allows only events:PutEvents on the destination Region\'s default bus');

    const workflowRoles = this.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role && c !== role);
    for (const workflowRole of workflowRoles) acknowledgeWorkflowRole(workflowRole);
    acknowledgeWorkflow([this.stateMachine]);
    if (logLevel === sfn.LogLevel.OFF) {
      Annotations.of(this).addWarningV2(WarningIds.REGION_COPY_SCHEDULE_LOGS_OFF,
        'logLevel: OFF leaves no record of a failed run but the failure topic and the ExecutionsFailed metric (an EXPRESS workflow '
        + 'keeps no history); LogLevel.ERROR, the default, logs only failures');
    }
    if (logLevel !== sfn.LogLevel.ALL) {
      acknowledge(this.stateMachine, ['AwsSolutions-SF1'],
        `logLevel ${logLevel}: this EXPRESS workflow runs every state of every snapshot of every source on each run; it logs `
        + 'its errors with their data (failed tasks, the failed run with each source\'s outcome), publishes failures to its topic, '
        + 'and logs every state with logLevel ALL');
    }
    if (types.some(t => t !== TYPE_EBS)) {
      const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
      const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
      const wildcards = [
        ...(types.includes(TYPE_RDS_DB) ? [`arn:<AWS::Partition>:rds:${region}:${account}:snapshot:*`] : []),
        ...(types.includes(TYPE_AURORA) ? [`arn:<AWS::Partition>:rds:${region}:${account}:cluster-snapshot:*`] : []),
      ];
      acknowledge(this.stateMachine.role, wildcards.map(NagRules.iam5),
        'DescribeDBSnapshots / DescribeDBClusterSnapshots authorize on the snapshots they return, whose names are not known '
        + 'in advance; read only, of the listed instances and clusters (their ARNs are the other resources)');
    }
  }
}

/** The shortest rate between runs: the EXPRESS run's timeout, so that runs never overlap. */
const MIN_RATE_MINUTES = 5;

/** A rate schedule runs no more often than a run may last. */
function checkSchedule(schedule: events.Schedule | undefined): void {
  if (!schedule || Token.isUnresolved(schedule.expressionString)) return;
  const rate = /^rate\((\d+) minutes?\)$/.exec(schedule.expressionString);
  if (rate && Number(rate[1]) < MIN_RATE_MINUTES) {
    invalid('schedule', `must not run more often than every ${MIN_RATE_MINUTES} minutes (a run may take that long; overlapping runs `
      + 'could request the same snapshot twice)', schedule.expressionString);
  }
}

/** A literal identifier in lowercase (as RDS stores it); a token as it is. */
function lowercaseLiteral(identifier: string): string {
  return typeof identifier === 'string' && !Token.isUnresolved(identifier) ? identifier.toLowerCase() : identifier;
}

/** Literal sources: the format, no repeats (whatever the case); tokens are accepted as they are. */
function checkSources(prop: string, list: string[], format: RegExp, allowed: string): void {
  const seen = new Map<string, string>();
  for (const source of list) {
    if (Token.isUnresolved(source)) continue;
    if (typeof source !== 'string' || !format.test(source) || source.endsWith('-')) invalid(prop, `must hold ${allowed}`, source);
    const first = seen.get(source.toLowerCase());
    if (first !== undefined) {
      invalid(prop, `must not name a source twice${first === source ? '' : ` (as '${first}': identifiers are not case-sensitive)`}`, source);
    }
    seen.set(source.toLowerCase(), source);
  }
}
