import { Annotations, Aws, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CompletionWaits } from './private/event-wait';
import { SCHEDULE_DETAIL_TYPE, SCHEDULE_EVENT_SOURCE } from './private/region-copy-schedule-workflow';
import {
  apiOfCopyType, LEGACY_TYPE_NAMES, RegionCopyWorkflow, TYPE_AURORA, TYPE_EBS, TYPE_RDS_DB, validateRegionPair,
} from './private/region-copy-workflow';
import { checkDuration } from './private/share-options';
import { DEFAULT_EVENT_TIMEOUT, workflowLogGroupName } from './private/workflow';
import { SnapshotType } from './snapshot-type';
import { IEncryptionKey } from '../keys/encryption-key-base';
import { KeyCapability } from '../policy/key-capability';
import { KeyService } from '../policy/key-service';
import { acknowledge, acknowledgeInCompliancePacks } from '../private/acknowledge';
import { checkEncryptionKey, encryptionKeyOrDefault } from '../private/encrypted-resource';
import { ComplianceRules, NagRules, WarningIds } from '../private/ids';
import { invalid } from '../private/validation';

/**
 * The kinds of snapshot the Region copy handles, by `SnapshotType.name`, with the name the
 * workflow's input and its sequence parameters give them.
 */
const COPY_TYPES: { readonly [name: string]: string } = {
  /** EBS snapshots (`ec2:CopySnapshot` in the destination Region with `SourceRegion`). */
  [SnapshotType.EBS.name]: TYPE_EBS,
  /** RDS DB snapshots (`rds:CopyDBSnapshot` in the destination Region with the source snapshot's ARN). */
  [SnapshotType.RDS_DB.name]: TYPE_RDS_DB,
  /** Aurora DB cluster snapshots (`rds:CopyDBClusterSnapshot` in the destination Region with the source ARN). */
  [SnapshotType.AURORA_CLUSTER.name]: TYPE_AURORA,
};

const ALL_TYPES = [SnapshotType.EBS, SnapshotType.RDS_DB, SnapshotType.AURORA_CLUSTER];

/**
 * The copy types of `snapshotTypes` (default: all), without repeats; a kind the Region copy cannot
 * copy, or an empty list, is refused.
 */
function copyTypesOf(snapshotTypes: SnapshotType[] | undefined): string[] {
  const types = snapshotTypes ?? ALL_TYPES;
  if (types.length === 0) {
    invalid('snapshotTypes', `must name at least one of ${ALL_TYPES.map(t => `SnapshotType.${t.name}`).join(', ')}`, snapshotTypes);
  }
  for (const type of types) {
    if (!type || !Object.prototype.hasOwnProperty.call(COPY_TYPES, type.name)) {
      invalid('snapshotTypes', `can only name kinds the Region copy can copy (${ALL_TYPES.map(t => `SnapshotType.${t.name}`).join(', ')})`,
        type?.name ?? type);
    }
  }
  return [...new Set(types.map(t => COPY_TYPES[t.name]))];
}

/**
 * The completion events each type is copied on (forwarded from the source Region).
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html
 */
const RDS_SNAPSHOT_EVENTS = {
  /** RDS-EVENT-0042 manual snapshot created, RDS-EVENT-0091 automated snapshot created. */
  [TYPE_RDS_DB]: { detailType: 'RDS DB Snapshot Event', eventIds: ['RDS-EVENT-0042', 'RDS-EVENT-0091'] },
  /** RDS-EVENT-0075 manual cluster snapshot created, RDS-EVENT-0169 automated cluster snapshot created. */
  [TYPE_AURORA]: { detailType: 'RDS DB Cluster Snapshot Event', eventIds: ['RDS-EVENT-0075', 'RDS-EVENT-0169'] },
} as const;

/**
 * Properties of a `SnapshotRegionCopy`.
 */
export interface SnapshotRegionCopyProps {
  /**
   * The Region the snapshots are in (of this stack's account). Must differ from the stack's Region;
   * AWS GovCloud (US) Regions are refused (there RDS needs a pre-signed URL this workflow does not
   * make), and China Regions are refused for RDS and Aurora (RDS cannot copy snapshots to or from them).
   */
  readonly sourceRegion: string;

  /**
   * The key the copies are encrypted with: a symmetric key of this stack's Region (an
   * `EncryptionKey`, or a `ReplicaKey` of a multi-Region primary).
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * The kinds of snapshot the workflow copies: `SnapshotType.EBS`, `SnapshotType.RDS_DB`,
   * `SnapshotType.AURORA_CLUSTER` (any other kind is refused).
   *
   * @default - EBS snapshots, RDS DB snapshots and Aurora cluster snapshots
   */
  readonly snapshotTypes?: SnapshotType[];

  /**
   * How many of its own copies the workflow keeps per kind of snapshot: after each copy, the copy
   * made `keepCopies` copies earlier is deleted. Snapshots it did not make are never deleted. 1 to 100
   * (RDS allows 100 manual snapshots per Region by default).
   *
   * @default 7
   */
  readonly keepCopies?: number;

  /**
   * Names the copies (`<prefix>-db-<n>`, `<prefix>-cluster-<n>`) and tags them
   * (`cdk-kms-patterns:snapshot-region-copy`): lowercase letters, digits and single hyphens,
   * starting with a letter, at most 40 characters. The workflow may delete only snapshots under
   * this name or tag, so give each copier its own.
   *
   * IMPORTANT: changing it orphans the copies made under the old prefix (they are then kept).
   *
   * @default - `region-copy-` and a hash of the construct path
   */
  readonly copyNamePrefix?: string;

  /**
   * Copy each snapshot when the source Region reports it complete (EBS `createSnapshot` /
   * `copySnapshot` notifications, RDS snapshot created events), forwarded to this Region's default
   * event bus by a `SnapshotRegionCopyForwarder` in the source Region.
   *
   * @default true
   */
  readonly copyOnSourceEvents?: boolean;

  /**
   * Copy the snapshots a `SnapshotRegionCopySchedule` in the source Region asks for (its
   * `Snapshot Region Copy Requested` events, forwarded to this Region's default bus): a rule for
   * those requests (source `cdk-kms-patterns.snapshot-region-copy`, sent in `sourceRegion` by this
   * account, for this Region and the kinds copied here) starts the workflow. Off by default: any
   * principal allowed `events:PutEvents` on the source Region's default bus can send such a request
   * (see the README's security notes). For scheduled copies only, set `copyOnSourceEvents: false`.
   *
   * @default false
   */
  readonly copyOnScheduleRequests?: boolean;

  /**
   * The wait before the first check of a copy. Copies across Regions take minutes to hours.
   *
   * @default Duration.minutes(5)
   */
  readonly firstPoll?: Duration;

  /**
   * The longest wait between two checks of a copy (the waits double from `firstPoll` up to it).
   *
   * @default Duration.minutes(30)
   */
  readonly maxPollInterval?: Duration;

  /**
   * How long a copy may take before the workflow reports it failed (the copy itself is not
   * cancelled). 1 hour to 7 days; also the state machine's timeout (plus one hour for the
   * sequence, pruning and notification steps).
   *
   * @default Duration.hours(24)
   */
  readonly copyTimeout?: Duration;

  /**
   * Wait for each copy's completion event instead of polling it, where one exists: EBS
   * `copySnapshot` notifications and RDS-EVENT-0060 ("Finished copy of snapshot ... from region";
   * canceled: RDS-EVENT-0061). The workflow stores its task token in a DynamoDB table under this
   * Region's key; an EXPRESS state machine started by the event resumes it. Aurora cluster snapshot
   * copies (no completion event) are always polled (`firstPoll`, `maxPollInterval`). A lost event
   * costs one check after `completionEventTimeout`.
   *
   * @default true
   * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html
   */
  readonly completionEvents?: boolean;

  /**
   * How long one wait for a copy's completion event lasts before the workflow checks the copy
   * (and waits again while it is still being made). 1 minute to 1 day, at most `copyTimeout`.
   *
   * @default Duration.minutes(30)
   */
  readonly completionEventTimeout?: Duration;
}

/**
 * Copies encrypted EBS snapshots, RDS DB snapshots and Aurora cluster snapshots from another
 * Region of the same account into this stack's Region, re-encrypted under this Region's key. A
 * Step Functions standard workflow in this (the destination) Region makes the copy, since Step
 * Functions calls services only in its own Region: started by the source Region's completion events
 * (forwarded by a `SnapshotRegionCopyForwarder`), or on demand with
 * `{ "snapshotType": "EBS", "sourceSnapshotId": "snap-..." }` (`snapshotType` is a `SnapshotType.name`:
 * `EBS`, `RDS_DB`, `AURORA_CLUSTER`; the first release's `EBS_SNAPSHOT`, `RDS_DB_SNAPSHOT`,
 * `AURORA_CLUSTER_SNAPSHOT` are still accepted; RDS: the snapshot's ARN or identifier). It waits
 * with capped exponential backoff, retries throttling and copy limits with jitter, keeps the `keepCopies` most recent copies it made, and publishes failures to an
 * encrypted SNS topic.
 */
export class SnapshotRegionCopy extends Construct {
  /** The workflow. */
  public readonly stateMachine: sfn.StateMachine;
  /** The key the copies are encrypted with. */
  public readonly encryptionKey: IEncryptionKey;
  /** Receives a message for every failed copy. */
  public readonly failureTopic: sns.Topic;
  /**
   * The workflow's log group (every state, encrypted with the key), named
   * `/aws/vendedlogs/states/<copyNamePrefix>-snapshot-region-copy`.
   */
  public readonly logGroup: logs.LogGroup;
  /** The prefix copies are named and tagged with. */
  public readonly copyNamePrefix: string;
  /** The kinds of snapshot copied. */
  public readonly snapshotTypes: SnapshotType[];

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: SnapshotRegionCopyProps) {
    const stack = Stack.of(scope);
    const types = copyTypesOf(props.snapshotTypes);
    validateRegionPair('sourceRegion', props.sourceRegion, stack.region, types);
    const keep = props.keepCopies ?? 7;
    if (!Number.isInteger(keep) || keep < 1 || keep > 100) {
      invalid('keepCopies', 'must be a whole number from 1 to 100', keep);
    }
    if (props.copyNamePrefix !== undefined) validatePrefix(props.copyNamePrefix);
    const firstPoll = props.firstPoll ?? Duration.minutes(5);
    const maxPoll = props.maxPollInterval ?? Duration.minutes(30);
    const timeout = props.copyTimeout ?? Duration.hours(24);
    const [first, max, budget] = [firstPoll, maxPoll, timeout].map(d => d.toSeconds());
    if (first < 60 || first > 3600) invalid('firstPoll', 'must be from 1 minute to 1 hour', firstPoll);
    if (max < first || max > 3 * 3600) invalid('maxPollInterval', `must be from firstPoll (${first} seconds) to 3 hours`, maxPoll);
    if (budget < 3600 || budget > 7 * 86400) invalid('copyTimeout', 'must be from 1 hour to 7 days', timeout);
    const eventTimeout = props.completionEventTimeout ?? DEFAULT_EVENT_TIMEOUT;
    checkDuration('completionEventTimeout', eventTimeout, 60, 86400);
    if (!eventTimeout.isUnresolved() && eventTimeout.toSeconds() > budget) {
      invalid('completionEventTimeout', `must be at most copyTimeout (${timeout.toHumanString()})`, eventTimeout);
    }
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, 'EBS and RDS');
    super(scope, id);

    this.snapshotTypes = ALL_TYPES.filter(t => types.includes(COPY_TYPES[t.name]));
    this.copyNamePrefix = props.copyNamePrefix ?? `region-copy-${Names.uniqueId(this).slice(-8).toLowerCase()}`;
    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Encrypts snapshot copies of ${this.node.path}`);
    this.encryptionKey = key;

    this.failureTopic = new sns.Topic(this, 'Failures', {
      displayName: 'Snapshot Region copy failures',
      masterKey: key.forService(KeyService.SNS),
      enforceSSL: true,
    });
    const stateMachineName = `${this.copyNamePrefix}-snapshot-region-copy`;
    // Named after the state machine: the key policy allows CloudWatch Logs for this log group only.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: workflowLogGroupName(this, stateMachineName),
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The literal names (not the parameters' tokens): the workflow and its IAM name them directly.
    // Named (and identified) by the first release's type names: a new name would replace the
    // parameter and restart the sequence, colliding with the copies already numbered.
    const sequenceParameterNames: Record<string, string> = {};
    for (const type of types) {
      const stored = LEGACY_TYPE_NAMES[type];
      sequenceParameterNames[type] = `/cdk-kms-patterns/snapshot-region-copy/${this.copyNamePrefix}/${stored}`;
      new ssm.StringParameter(this, `Sequence${stored}`, {
        parameterName: sequenceParameterNames[type],
        stringValue: '0',
        description: `The number of the last ${stored} copy made by ${this.node.path}`,
      });
    }

    // Completion events of the copies made here (EBS copySnapshot, RDS-EVENT-0060) resume the waits.
    const waits = new CompletionWaits(this, 'CompletionEvents', {
      apis: types.map(apiOfCopyType), enabled: props.completionEvents ?? true, eventTimeout, key, removalPolicy: RemovalPolicy.RETAIN,
    });
    const workflow = new RegionCopyWorkflow(this, 'Workflow', {
      waits,
      sourceRegion: props.sourceRegion,
      keyArn: key.keyArn,
      types,
      keepCopies: keep,
      namePrefix: this.copyNamePrefix,
      schedule: { firstSeconds: first, maxSeconds: max, budgetSeconds: budget },
      sequenceParameterNames,
      failureTopic: this.failureTopic,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(workflow.definition),
      // Named: aws-cdk-lib's CustomerManagedEncryptionConfiguration pins the execution role's key
      // access to the state machine's ARN built from its name, and an unnamed one gets an empty name
      // there (the role could never run an execution; the key policy simulation shows it).
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: timeout.plus(Duration.hours(1)),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      // Definition and execution data (snapshot ids, errors) under the customer managed key too.
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(key),
      comment: `Copies ${types.join(', ')} from ${props.sourceRegion} under ${this.node.path}'s key`,
    });

    // The destination key: EC2 and RDS create the copy under it on the workflow's behalf.
    const role = this.stateMachine.role;
    if (types.includes(TYPE_EBS)) {
      key.grantThroughService(role, KeyService.EC2, KeyCapability.DESCRIBE, KeyCapability.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
        KeyCapability.REENCRYPT, KeyCapability.GRANT_FOR_AWS_RESOURCE);
    }
    if (types.some(t => t !== TYPE_EBS)) {
      key.grantThroughService(role, KeyService.RDS, KeyCapability.DESCRIBE, KeyCapability.GRANT_FOR_AWS_RESOURCE);
    }
    // The failure topic: SNS encrypts each message with a data key on the publisher's behalf.
    key.grantThroughService(role, KeyService.SNS, KeyCapability.GENERATE_DATA_KEY, KeyCapability.DECRYPT);

    waits.bind(this.stateMachine, this.logGroup, RemovalPolicy.RETAIN);
    if (props.copyOnSourceEvents ?? true) {
      this.addSourceEventRules(props.sourceRegion, types);
    }
    if (props.copyOnScheduleRequests ?? false) {
      this.addScheduleRequestRule(props.sourceRegion, types);
      Annotations.of(this).addWarningV2(WarningIds.REGION_COPY_SCHEDULE_REQUESTS,
        `copyOnScheduleRequests: any principal allowed events:PutEvents on the default bus of ${props.sourceRegion} can request copies `
        + `(source ${SCHEDULE_EVENT_SOURCE}); a burst of requests evicts the ${keep} copies kept. Deny events:PutEvents with `
        + `events:source ${SCHEDULE_EVENT_SOURCE} there to every principal but the SnapshotRegionCopySchedule's role (README, Security notes)`);
    }
    this.acknowledgeOwnFindings(props.sourceRegion, types);
  }

  /**
   * Lets a principal start copies on demand (`states:StartExecution`).
   *
   * @param grantee the principal
   */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Starts a copy of `sourceSnapshotId` (kind `snapshotType`); EventBridge retries 8 times within 6 hours. */
  private copyTarget(snapshotType: string, sourceSnapshotId: string): targets.SfnStateMachine {
    return new targets.SfnStateMachine(this.stateMachine, {
      input: events.RuleTargetInput.fromObject({ snapshotType, sourceSnapshotId }),
      retryAttempts: 8,
      maxEventAge: Duration.hours(6),
    });
  }

  private addSourceEventRules(sourceRegion: string, types: string[]): void {
    const account = Stack.of(this).account;
    const target = (type: string, path: string) => this.copyTarget(type, events.EventField.fromPath(path));
    if (types.includes(TYPE_EBS)) {
      new events.Rule(this, 'EbsSnapshotCreated', {
        description: `EBS snapshots created in ${sourceRegion}, forwarded here: copy them`,
        eventPattern: {
          source: ['aws.ec2'],
          detailType: ['EBS Snapshot Notification'],
          region: [sourceRegion],
          account: [account],
          detail: { event: ['createSnapshot'], result: ['succeeded'] },
        },
        targets: [target(TYPE_EBS, '$.detail.snapshot_id')],
      });
      // Copies made within the source Region only: a copy that came from a third Region (another
      // copier's work) is not copied on, so two copiers in opposite directions never ping-pong.
      new events.Rule(this, 'EbsSnapshotCopied', {
        description: `EBS snapshots copied within ${sourceRegion}, forwarded here: copy them`,
        eventPattern: {
          source: ['aws.ec2'],
          detailType: ['EBS Snapshot Notification'],
          region: [sourceRegion],
          account: [account],
          detail: { event: ['copySnapshot'], result: ['succeeded'], source: events.Match.prefix(`arn:${Aws.PARTITION}:ec2::${sourceRegion}:`) },
        },
        targets: [target(TYPE_EBS, '$.detail.snapshot_id')],
      });
    }
    for (const type of [TYPE_RDS_DB, TYPE_AURORA] as const) {
      if (!types.includes(type)) continue;
      const spec = RDS_SNAPSHOT_EVENTS[type];
      new events.Rule(this, type === TYPE_RDS_DB ? 'DbSnapshotCreated' : 'ClusterSnapshotCreated', {
        description: `${spec.detailType}s (${spec.eventIds.join(', ')}) in ${sourceRegion}, forwarded here: copy them`,
        eventPattern: {
          source: ['aws.rds'],
          detailType: [spec.detailType],
          region: [sourceRegion],
          account: [account],
          detail: { EventID: [...spec.eventIds] },
        },
        targets: [target(type, '$.detail.SourceArn')],
      });
    }
  }

  /** The requests of a `SnapshotRegionCopySchedule` in the source Region start copies. */
  private addScheduleRequestRule(sourceRegion: string, types: string[]): void {
    const stack = Stack.of(this);
    new events.Rule(this, 'ScheduleRequests', {
      description: `Snapshot copies requested by a SnapshotRegionCopySchedule in ${sourceRegion}: copy them`,
      eventPattern: {
        source: [SCHEDULE_EVENT_SOURCE],
        detailType: [SCHEDULE_DETAIL_TYPE],
        region: [sourceRegion],
        account: [stack.account],
        detail: { destinationRegion: [stack.region], snapshotType: types, sourceSnapshotId: events.Match.exists() },
      },
      targets: [this.copyTarget(events.EventField.fromPath('$.detail.snapshotType'), events.EventField.fromPath('$.detail.sourceSnapshotId'))],
    });
  }

  private acknowledgeOwnFindings(sourceRegion: string, types: string[]): void {
    const stack = Stack.of(this);
    const region = stack.region;
    // cdk-nag renders a literal account as is, and the stack's account token as <AWS::AccountId>.
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const resources = [
      // X-Ray and CloudWatch Logs delivery: these APIs have no resource.
      '*',
      ...(types.includes(TYPE_EBS)
        ? [`arn:<AWS::Partition>:ec2:${sourceRegion}::snapshot/*`, `arn:<AWS::Partition>:ec2:${region}::snapshot/*`] : []),
      ...(types.includes(TYPE_RDS_DB)
        ? [`arn:<AWS::Partition>:rds:${sourceRegion}:${account}:snapshot:*`, `arn:<AWS::Partition>:rds:${region}:${account}:snapshot:${this.copyNamePrefix}-db-*`] : []),
      ...(types.includes(TYPE_AURORA)
        ? [`arn:<AWS::Partition>:rds:${sourceRegion}:${account}:cluster-snapshot:*`,
          `arn:<AWS::Partition>:rds:${region}:${account}:cluster-snapshot:${this.copyNamePrefix}-cluster-*`] : []),
    ];
    acknowledge(this.stateMachine, resources.map(NagRules.iam5),
      'Snapshot ids are made at run time: the workflow reads any snapshot of the source Region it is asked to copy, '
      + 'creates copies in this Region, and deletes only copies named with its prefix or tagged by it (a tag condition); '
      + 'DescribeSnapshots, X-Ray and log delivery accept only "*"');
    acknowledgeInCompliancePacks(this.stateMachine, ComplianceRules.IAM_NO_INLINE_POLICY,
      'The workflow role\'s inline policy is scoped to the snapshots, parameters and topic of this copier; it lives and dies with the workflow');
  }
}

/**
 * Properties of a `SnapshotRegionCopyForwarder`.
 */
export interface SnapshotRegionCopyForwarderProps {
  /**
   * The Region of the `SnapshotRegionCopy` (of this stack's account) whose default event bus
   * receives the events.
   */
  readonly destinationRegion: string;

  /**
   * The kinds of snapshot whose completion events are forwarded: `SnapshotType.EBS`,
   * `SnapshotType.RDS_DB`, `SnapshotType.AURORA_CLUSTER` (any other kind is refused).
   *
   * @default - EBS snapshots, RDS DB snapshots and Aurora cluster snapshots
   */
  readonly snapshotTypes?: SnapshotType[];
}

/**
 * Deployed in the source Region's stack: forwards the completion events of snapshots (EBS
 * `createSnapshot` and `copySnapshot` notifications; RDS and Aurora snapshot created events) to the
 * default event bus of the destination Region of the same account, where a `SnapshotRegionCopy`
 * copies each snapshot. EventBridge delivers across Regions with a role allowed only
 * `events:PutEvents` on that one bus.
 */
export class SnapshotRegionCopyForwarder extends Construct {
  /** The forwarding rules. */
  public readonly rules: events.Rule[] = [];

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: SnapshotRegionCopyForwarderProps) {
    const stack = Stack.of(scope);
    const types = copyTypesOf(props.snapshotTypes);
    validateRegionPair('destinationRegion', props.destinationRegion, stack.region, types);
    super(scope, id);

    const bus = events.EventBus.fromEventBusArn(this, 'DestinationBus',
      `arn:${Aws.PARTITION}:events:${props.destinationRegion}:${stack.account}:event-bus/default`);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Forwards snapshot completion events to ${props.destinationRegion}`,
    });
    const target = new targets.EventBus(bus, { role });
    if (types.includes(TYPE_EBS)) {
      this.rules.push(new events.Rule(this, 'EbsSnapshots', {
        description: `Forwards EBS snapshot notifications to ${props.destinationRegion}`,
        eventPattern: {
          source: ['aws.ec2'],
          detailType: ['EBS Snapshot Notification'],
          detail: { event: ['createSnapshot', 'copySnapshot'], result: ['succeeded'] },
        },
        targets: [target],
      }));
    }
    const rdsTypes = types.filter(t => t !== TYPE_EBS) as Array<keyof typeof RDS_SNAPSHOT_EVENTS>;
    if (rdsTypes.length > 0) {
      this.rules.push(new events.Rule(this, 'RdsSnapshots', {
        description: `Forwards RDS snapshot created events to ${props.destinationRegion}`,
        eventPattern: {
          source: ['aws.rds'],
          detailType: rdsTypes.map(t => RDS_SNAPSHOT_EVENTS[t].detailType),
          detail: { EventID: rdsTypes.flatMap(t => [...RDS_SNAPSHOT_EVENTS[t].eventIds]) },
        },
        targets: [target],
      }));
    }
    acknowledgeInCompliancePacks(role, ComplianceRules.IAM_NO_INLINE_POLICY,
      'The forwarding role\'s inline policy allows only events:PutEvents on the destination Region\'s default bus');
  }
}

function validatePrefix(prefix: string): void {
  if (Token.isUnresolved(prefix) || !/^[a-z](?!.*--)[a-z0-9-]{0,39}$/.test(prefix) || prefix.endsWith('-')) {
    invalid('copyNamePrefix', 'must be 1 to 40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen',
      prefix);
  }
}
