import { Aws, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
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
import { TYPE_AURORA, TYPE_EBS, TYPE_RDS_DB } from './private/region-copy-workflow';
import { acknowledgeWorkflow, acknowledgeWorkflowRole } from './private/share-nag';
import { failureTopic, workflowLogGroup, workflowStateMachine } from './private/workflow';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { KeyCapability } from '../policy/key-capability';
import { KeyService } from '../policy/key-service';
import { acknowledge, acknowledgeInCompliancePacks } from '../private/acknowledge';
import { checkEncryptionKey, encryptionKeyOrDefault } from '../private/encrypted-resource';
import { ComplianceRules, NagRules } from '../private/ids';
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
   * When to look for new snapshots (an EventBridge schedule rule in this Region).
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
   *
   * @default - none
   */
  readonly dbInstanceIdentifiers?: string[];

  /**
   * Aurora DB clusters (identifiers) whose newest available cluster snapshot (manual or automated) is copied.
   *
   * @default - none
   */
  readonly dbClusterIdentifiers?: string[];

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
  /** The workflow's log group (every state, encrypted with the key). */
  public readonly logGroup: logs.LogGroup;
  /** The schedule rule. */
  public readonly scheduleRule: events.Rule;
  /** The rule forwarding the requests to the destination Region's default bus. */
  public readonly forwardingRule: events.Rule;
  /** The parameters remembering the last request per source (`{"id":...,"time":...}`). */
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
    const instances = props.dbInstanceIdentifiers ?? [];
    const clusters = props.dbClusterIdentifiers ?? [];
    checkSources('ebsVolumeIds', volumes, /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/, 'volume ids such as vol-0123456789abcdef0');
    const rdsName = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}$/;
    const rdsWords = '1 to 63 letters, digits and single hyphens, starting with a letter and not ending with a hyphen';
    checkSources('dbInstanceIdentifiers', instances, rdsName, rdsWords);
    checkSources('dbClusterIdentifiers', clusters, rdsName, rdsWords);
    const total = volumes.length + instances.length + clusters.length;
    if (total === 0) fail('ebsVolumeIds, dbInstanceIdentifiers, dbClusterIdentifiers: name at least one source');
    if (total > MAX_SOURCES) {
      fail(`ebsVolumeIds, dbInstanceIdentifiers, dbClusterIdentifiers: at most ${MAX_SOURCES} sources in one schedule (one EXPRESS execution), got ${total}`);
    }
    const types = [...(volumes.length ? [TYPE_EBS] : []), ...(instances.length ? [TYPE_RDS_DB] : []), ...(clusters.length ? [TYPE_AURORA] : [])];
    checkRegionPair(props.destinationRegion, stack.region, types);
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'CloudWatch Logs and SNS');
    super(scope, id);

    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts the snapshot Region copy schedule of ${this.node.path}`);
    this.encryptionKey = key;
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
      key,
      logRetention: logs.RetentionDays.ONE_YEAR,
      timeout: Duration.minutes(5),
      removalPolicy: RemovalPolicy.RETAIN,
      comment: `Requests copies to ${props.destinationRegion} of the newest snapshots of ${sources.length} sources (${this.node.path})`,
      stateMachineType: sfn.StateMachineType.EXPRESS,
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
        detail: { destinationRegion: [props.destinationRegion] },
      },
      targets: [new targets.EventBus(bus, { role })],
    });
    acknowledgeInCompliancePacks(role, ComplianceRules.IAM_NO_INLINE_POLICY,
      'The forwarding role\'s inline policy allows only events:PutEvents on the destination Region\'s default bus');

    const workflowRoles = this.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role && c !== role);
    for (const workflowRole of workflowRoles) acknowledgeWorkflowRole(workflowRole);
    acknowledgeWorkflow([this.stateMachine]);
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

/** Literal sources: the format, no repeats; tokens are accepted as they are. */
function checkSources(prop: string, list: string[], format: RegExp, allowed: string): void {
  const seen = new Set<string>();
  for (const source of list) {
    if (Token.isUnresolved(source)) continue;
    if (typeof source !== 'string' || !format.test(source) || source.endsWith('-')) invalid(prop, `must hold ${allowed}`, source);
    if (seen.has(source)) invalid(prop, 'must not name a source twice', source);
    seen.add(source);
  }
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The checks of `SnapshotRegionCopy`'s Region pair, for the destination. */
function checkRegionPair(other: string, own: string, types: string[]): void {
  const prop = 'destinationRegion';
  if (Token.isUnresolved(other) || !REGION_PATTERN.test(other)) {
    invalid(prop, 'must be a Region name such as eu-west-1 (a literal, not a token)', Token.isUnresolved(other) ? '(a token)' : other);
  }
  if (!Token.isUnresolved(own) && other === own) invalid(prop, `must differ from the stack's Region ${own} (this copies across Regions)`, other);
  const regions = Token.isUnresolved(own) ? [other] : [other, own];
  const govCloud = regions.find(r => r.startsWith('us-gov-'));
  if (govCloud) fail(`${prop}: AWS GovCloud (US) Regions are not supported (${govCloud}), as for SnapshotRegionCopy`);
  const china = regions.find(r => r.startsWith('cn-'));
  if (china && types.some(t => t !== TYPE_EBS)) {
    fail(`${prop}: RDS and Aurora cannot copy snapshots to or from the China Regions (${china}); list only ebsVolumeIds there`);
  }
}
