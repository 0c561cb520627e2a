import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
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
import { REDSHIFT, redshiftSourceDefinition, redshiftSweepDefinition, validateRedshiftClusters } from './private/redshift-share';
import {
  busArn, CONFIRMED_DETAIL_TYPE, defaultBusName, SHARE_EVENT_SOURCE, SHARED_DETAIL_TYPE, STATUS_COPIED,
} from './private/share-events';
import { acknowledgeWorkflow, acknowledgeWorkflowRole } from './private/share-nag';
import { checkDuration, pollOptions, readAnyKeyOfAccount, validateShareRegions, validateShareTargets } from './private/share-options';
import {
  addServiceRetries, DEFAULT_POLL, failureTopic, FailurePath, resumeTask, RETRY, SdkTask, sourceEntry, workflowLogGroup, workflowStateMachine,
} from './private/workflow';
import { ShareTarget, SnapshotType } from './snapshot-type';
import { EncryptionKeyBase, IEncryptionKey } from '../keys/encryption-key-base';
import { KeyCapability } from '../policy/key-capability';
import { snapshotShareAccess } from '../policy/service-access';
import { checkEncryptionKey, encryptionKeyOrDefault, removalPolicyOf } from '../private/encrypted-resource';
import { WarningIds } from '../private/ids';
import { fail, invalid } from '../private/validation';

/**
 * How a share workflow polls a snapshot until it is available, and how long it waits in total.
 */
export interface SnapshotPollingOptions {
  /**
   * The first wait before polling a snapshot again; each further wait doubles.
   *
   * @default Duration.seconds(30)
   */
  readonly initialPollInterval?: Duration;
  /**
   * The longest wait between two polls.
   *
   * @default Duration.minutes(10)
   */
  readonly maxPollInterval?: Duration;
  /**
   * How long to wait for one snapshot to become available before failing.
   *
   * @default Duration.hours(12)
   */
  readonly snapshotTimeout?: Duration;
  /**
   * Wait for the completion events the services emit instead of polling, where they exist: EBS
   * `createSnapshot`/`copySnapshot` notifications and RDS DB snapshot events (RDS-EVENT-0042,
   * -0197, -0060; copy canceled: -0190, -0061). The workflow stores its task token in a DynamoDB
   * table under the workflow key and an EXPRESS state machine, started by an EventBridge rule on
   * the event, resumes it. Aurora cluster snapshots (no copy completion event) and snapshots shared
   * by another account (their events go to the owner) are always polled. `false`: every wait
   * polls.
   *
   * @default true
   * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html
   */
  readonly completionEvents?: boolean;
  /**
   * How long one wait for a completion event lasts before the workflow describes the snapshot
   * again (and waits again if it is still being made). A lost event, or one sent before the
   * workflow stored its token, costs at most this delay; a shorter one costs a describe (a few
   * state transitions) per timeout while a long copy runs.
   *
   * @default Duration.minutes(30)
   */
  readonly completionEventTimeout?: Duration;
}

/**
 * The settings the two share workflows (`SnapshotShareSource`, `SnapshotShareTarget`) have in
 * common: waiting, the event buses, failure notification, logging and removal.
 */
export interface SnapshotShareWorkflowOptions {
  /**
   * How the workflow waits for snapshots (completion events, polling) and for how long.
   *
   * @default - completion events where they exist (30 min per wait), otherwise 30 s first, doubling, at most 10 min apart; 12 h per snapshot
   */
  readonly polling?: SnapshotPollingOptions;

  /**
   * The name of the event buses on both sides (must match on both sides).
   *
   * @default - `cdk-kms-patterns-snapshot-share-<type>` (`-ebs`, `-rds-db`, `-aurora-cluster`, `-redshift-cluster`)
   */
  readonly eventBusName?: string;

  /**
   * Where failures are published.
   *
   * @default - a new topic encrypted with the workflow key
   */
  readonly failureTopic?: sns.ITopic;

  /**
   * The key of the workflow's log group, failure topic and completion-event token table.
   *
   * @default - the construct's `encryptionKey`
   */
  readonly workflowKey?: IEncryptionKey;

  /**
   * How long the workflow's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the state machines, the log group and the token table when they leave the
   * stack. Snapshots, copies and restored resources are never deleted by removing the workflow.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Sharing, in the destination Region, the snapshots a Redshift cluster of another Region copies
 * into it (`EncryptedRedshiftCluster` `snapshotCopy` with a `RedshiftSnapshotCopyGrant` here).
 * Accounts a Redshift snapshot is shared with cannot copy it, only restore it in the Region it is
 * in, so a target in this Region needs the share to happen here.
 */
export interface RedshiftCopyShareOptions {
  /** The identifier of the source cluster (in the other Region) whose snapshots arrive here. */
  readonly clusterIdentifier: string;

  /**
   * Whether the sweep also shares automated copies (by default Redshift takes an automated snapshot
   * about every 8 hours or 5 GB per node of changes), made manual first. Each share makes every
   * target restore a NEW cluster ("When you restore from a snapshot, Amazon Redshift creates a new
   * cluster", billed while it runs), so by default the sweep shares only manual copies: snapshots
   * someone took on purpose, copied here by the cluster (`snapshotCopy.manualSnapshotRetention`).
   * On-demand executions (`{ "snapshotId": ... }`) take either kind whatever this says.
   *
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-snapshots.html
   *
   * @default false
   */
  readonly automatedSnapshots?: boolean;

  /**
   * How long the manual snapshots the workflow makes of automated snapshots (started on demand, or
   * by the sweep with `automatedSnapshots`) are kept (`ManualSnapshotRetentionPeriod`): whole days,
   * 1 to 3653, longer than `confirmationTimeout`. Redshift deletes them then; the workflow deletes
   * nothing.
   *
   * @default Duration.days(7)
   */
  readonly manualCopyRetention?: Duration;

  /**
   * How often the sweep looks for snapshots that arrived (Redshift sends no documented EventBridge
   * event when a copy arrives). Each run starts at most one share: the newest eligible snapshot
   * among the cluster's 100 newest, once per snapshot (an execution named after it). Snapshots
   * that arrive between two runs other than the newest are not shared by the sweep (start the
   * share workflow with them by hand), so pick a schedule at least as frequent as the snapshots
   * you mean to share.
   *
   * @default events.Schedule.rate(Duration.hours(1))
   */
  readonly schedule?: events.Schedule;
}

/**
 * Properties of a `SnapshotShareSource`.
 */
export interface SnapshotShareSourceProps extends SnapshotShareWorkflowOptions {
  /** The kind of snapshot shared. */
  readonly snapshotType: SnapshotType;

  /**
   * The accounts the snapshots are shared with (at most 20 for RDS, Aurora and Redshift). Each must
   * deploy a `SnapshotShareTarget` naming this account: in this Region (`ShareTarget.account`), or,
   * for RDS DB snapshots, in the Region `ShareTarget.accountInRegion` names, with `sourceRegion`
   * set to this Region (the target then copies across account and Region in one step).
   */
  readonly targets: ShareTarget[];

  /**
   * The shareable key: snapshots are copied under it before they are shared. Its policy lets the
   * target accounts use it only through the snapshot's service, and create grants only for AWS
   * resources. Symmetric, in the stack's Region.
   *
   * Redshift: snapshots are not copied (Redshift cannot re-encrypt a snapshot); a snapshot is
   * shared only if it is already encrypted with this key, so encrypt the clusters whose snapshots
   * you share with it (`EncryptedRedshiftCluster` with `encryptionKey`). In the destination Region
   * of a cluster's snapshot copies (`redshiftCopies`), the key of the `RedshiftSnapshotCopyGrant`.
   *
   * @default - a new `EncryptionKey` with the library's defaults
   */
  readonly encryptionKey?: IEncryptionKey;

  /**
   * Volumes (EBS), DB instances (RDS), DB clusters (Aurora) or Redshift clusters the workflow may
   * snapshot first, by id (`vol-...`, DB or cluster identifier). The workflow's role may create
   * snapshots of these only. It keeps the snapshots it creates.
   *
   * @default - none: every execution names an existing snapshot
   */
  readonly createFrom?: string[];

  /**
   * How long to wait for every target to confirm its copy before unsharing and deleting the
   * intermediate copy (Redshift: before revoking that target's access to the snapshot).
   *
   * @default Duration.hours(24)
   */
  readonly confirmationTimeout?: Duration;

  /**
   * Redshift only: share the snapshots a cluster of another Region copies into this Region. Manual
   * snapshots are shared as they are; automated snapshots (which cannot be shared) are first copied
   * to a manual snapshot (`CopyClusterSnapshot`, same key) that expires by itself. `encryptionKey`
   * must be the key of the `RedshiftSnapshotCopyGrant` the cluster names. A schedule starts a
   * sweep that shares at most one snapshot a run, the newest manual copy (automated copies too with
   * `automatedSnapshots`): each share restores a new cluster in every target account. On-demand
   * executions take any snapshot.
   *
   * @default - no sweep; automated snapshots are refused
   */
  readonly redshiftCopies?: RedshiftCopyShareOptions;
}

/**
 * The source account's side of sharing encrypted snapshots with other accounts: a Step Functions
 * workflow that (optionally) snapshots a resource, waits until the snapshot is available, copies
 * it under the shareable key, shares the copy with the target accounts, tells each target through
 * EventBridge, waits for every target to confirm its own copy, then stops sharing and deletes the
 * intermediate copy. The original snapshot is only read: never shared, changed or deleted.
 *
 * Redshift cluster snapshots are not copied (Redshift cannot re-encrypt a snapshot, and the
 * accounts it is shared with can only restore it): the manual snapshot itself is shared, only when
 * it is under the shareable key, with each target account in turn (`AuthorizeSnapshotAccess`),
 * and that access is revoked after the account confirmed or failed; the snapshot is kept. With
 * `redshiftCopies`, in the Region a cluster copies its snapshots into, automated copies are first
 * copied to a manual snapshot that expires by itself, and a schedule starts the share of the newest
 * new copy (manual only, unless `automatedSnapshots`), at most one a run.
 *
 * Start an execution with `{ "snapshotId": "<id>" }` (or `{ "createFrom": "<resource id>" }`).
 */
export class SnapshotShareSource extends Construct {
  /** The share workflow. */
  public readonly stateMachine: sfn.StateMachine;
  /** The workflow that turns the targets' confirmations into task results. */
  public readonly confirmationHandler: sfn.StateMachine;
  /** The bus the workflow's events and the targets' confirmations go through. */
  public readonly eventBus: events.EventBus;
  /** The shareable key. */
  public readonly encryptionKey: IEncryptionKey;
  /** Where failures are published. */
  public readonly failureTopic: sns.ITopic;
  /** The workflow that starts the share of the newest copied Redshift snapshot, at most one a run (with `redshiftCopies`). */
  public readonly copySweep?: sfn.StateMachine;
  /** The completion-event waits (token table, callback machine). */
  private readonly completionWaits: CompletionWaits;
  /** The workflows' log group, named `/aws/vendedlogs/states/<stack name>-<construct path>-<hash>`. */
  public readonly logGroup: logs.LogGroup;

  /**
   * Creates it; every prop is checked before anything is created.
   *
   * @param scope the scope in which to define this construct
   * @param id the construct id (changing it replaces resources)
   * @param props the properties
   */
  constructor(scope: Construct, id: string, props: SnapshotShareSourceProps) {
    const stack = Stack.of(scope);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      fail('SnapshotShareSource needs a stack with an explicit account and Region (env), to name the buses of both sides');
    }
    const api = props.snapshotType._api;
    const accounts = validateShareTargets(props.snapshotType, props.targets, stack.account);
    props.targets.forEach((t) => validateShareRegions(api, `targets (${t.accountId} in ${t.region})`, stack.region, t.region ?? stack.region));
    const targetRegions = props.targets.map((t) => t.region ?? stack.region);
    if (props.encryptionKey && !(props.encryptionKey instanceof EncryptionKeyBase)) {
      invalid('encryptionKey', 'must be a key of this library (EncryptionKey, ReplicaKey or EncryptionKey.fromKeyArn): its policy must admit the target accounts', props.encryptionKey.node.path);
    }
    checkEncryptionKey(scope, 'encryptionKey', props.encryptionKey, api.keyService.endpointPrefix.toUpperCase());
    checkEncryptionKey(scope, 'workflowKey', props.workflowKey, 'CloudWatch Logs and SNS');
    const poll = pollOptions(props.polling);
    const confirmationTimeout = props.confirmationTimeout ?? Duration.hours(24);
    checkDuration('confirmationTimeout', confirmationTimeout, 60, 365 * 24 * 3600);
    if (api.name === REDSHIFT) {
      validateRedshiftClusters(props.createFrom ?? []);
    } else {
      for (const resource of props.createFrom ?? []) {
        if (!Token.isUnresolved(resource) && !(api.service === 'ec2' ? /^vol-[0-9a-f]{8,17}$/ : /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/).test(resource)) {
          invalid('createFrom', api.service === 'ec2' ? 'must name EBS volumes (vol-...)' : 'must name DB identifiers (a letter, then letters, digits and hyphens)', resource);
        }
      }
    }
    const copies = props.redshiftCopies;
    let manualCopyRetentionDays: number | undefined;
    if (copies) {
      if (api.name !== REDSHIFT) invalid('redshiftCopies', 'applies to Redshift cluster snapshots only', props.snapshotType.name);
      validateRedshiftClusters([copies.clusterIdentifier], 'redshiftCopies.clusterIdentifier');
      if (!props.encryptionKey) {
        fail('redshiftCopies needs encryptionKey: the key of the RedshiftSnapshotCopyGrant the cluster names (the copies arrive under it, and Redshift cannot re-encrypt them)');
      }
      const retention = copies.manualCopyRetention ?? Duration.days(7);
      if (!retention.isUnresolved()) {
        manualCopyRetentionDays = retention.toDays({ integral: false });
        if (!Number.isInteger(manualCopyRetentionDays) || manualCopyRetentionDays < 1 || manualCopyRetentionDays > 3653) {
          invalid('redshiftCopies.manualCopyRetention', 'must be whole days from 1 to 3653', retention.toHumanString());
        }
        if (!confirmationTimeout.isUnresolved() && retention.toSeconds() <= confirmationTimeout.toSeconds()) {
          invalid('redshiftCopies.manualCopyRetention', `must be longer than confirmationTimeout (${confirmationTimeout.toHumanString()}): the copy must outlive the targets' restores`, retention.toHumanString());
        }
      } else {
        invalid('redshiftCopies.manualCopyRetention', 'must be a literal Duration of whole days (Redshift\'s ManualSnapshotRetentionPeriod is written into the definition)', '(a token)');
      }
    }
    const busName = props.eventBusName ?? defaultBusName(api.name);
    super(scope, id);

    const key = encryptionKeyOrDefault(this, props.encryptionKey, `Shareable key of ${this.node.path}`);
    this.encryptionKey = key;
    const workflowKey = props.workflowKey ?? key;
    const removalPolicy = removalPolicyOf(this, props.removalPolicy, {
      warningId: WarningIds.SNAPSHOT_WORKFLOW_REMOVAL_POLICY,
      consequence: 'the workflow\'s state machines and its log group (the record of every share) are deleted when they leave the stack',
    });
    this.logGroup = workflowLogGroup(this, workflowKey, props.logRetention ?? logs.RetentionDays.ONE_YEAR, removalPolicy);
    this.failureTopic = failureTopic(this, workflowKey, props.failureTopic);
    const madeBy = `${stack.stackName}/${this.node.path.split('/').slice(1).join('/')}`.slice(0, 250);

    // The key policy: target accounts read shared snapshots through the service, grants for AWS resources only.
    const recipe = snapshotShareAccess(stack, api.keyService, accounts);
    (key as EncryptionKeyBase)._grants.allowService(`SnapshotShareSource ${this.node.path}`, recipe.capabilities, recipe.entries, recipe.grantLabel);

    // The bus: the workflow's own events out, the targets' confirmations in (only from the targets).
    this.eventBus = new events.EventBus(this, 'Bus', { eventBusName: busName });
    this.eventBus.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'TargetAccountsConfirm',
      principals: accounts.map((a) => new iam.AccountPrincipal(a)),
      actions: ['events:PutEvents'],
      resources: [this.eventBus.eventBusArn],
    }));
    accounts.forEach((account, i) => {
      // Cross-account (and, for ShareTarget.accountInRegion, cross-Region) delivery to the target's
      // bus: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html ("between
      // accounts in different Regions as long as the destination Region is a supported cross-Region
      // destination Region"), through the role aws-cdk-lib gives every bus target.
      new events.Rule(this, `ToTarget${i}`, {
        eventBus: this.eventBus,
        description: `Tells account ${account} that a ${api.noun} is shared with it`
          + (targetRegions[i] === stack.region ? '' : ` (its workflow runs in ${targetRegions[i]})`),
        eventPattern: {
          source: [SHARE_EVENT_SOURCE],
          detailType: [SHARED_DETAIL_TYPE],
          account: [stack.account],
          detail: { targetAccount: [account] },
        },
        targets: [new targets.EventBus(events.EventBus.fromEventBusArn(this, `TargetBus${i}`, busArn(account, targetRegions[i], busName)))],
      });
    });

    const failure = FailurePath.create(this, this.failureTopic, madeBy);
    this.completionWaits = new CompletionWaits(this, 'CompletionEvents', {
      apis: [api], enabled: poll.completionEvents, eventTimeout: poll.eventTimeout, key: workflowKey, removalPolicy,
    });
    const definition = api.name === REDSHIFT
      ? redshiftSourceDefinition(this, {
        accounts,
        key,
        poll,
        confirmationTimeout,
        madeBy,
        failure,
        createFrom: props.createFrom ?? [],
        eventBus: this.eventBus,
        manualCopyRetentionDays,
      })
      : this.definition(api, accounts, key, poll, confirmationTimeout, madeBy, failure, props.createFrom ?? []);
    this.stateMachine = workflowStateMachine(this, 'Resource', {
      definition,
      timeout: poll.timeout.plus(poll.timeout).plus(confirmationTimeout).plus(Duration.hours(1)),
      removalPolicy,
      comment: `Shares ${api.noun}s with ${accounts.join(', ')}`,
    }, this.logGroup);

    // KMS: the shareable key as copy destination through the service; the original's key (AWS
    // managed or not: not known at synth) read through the service only.
    // Redshift: nothing is copied; snapshotting a cluster and sharing a snapshot make no KMS
    // request of the caller (the cluster's own grant encrypts the snapshot), so no key access.
    const role = this.stateMachine.role;
    if (api.name !== REDSHIFT) {
      key.grantThroughService(role, api.keyService, KeyCapability.DESCRIBE, KeyCapability.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
        KeyCapability.REENCRYPT, KeyCapability.DECRYPT, KeyCapability.GRANT_FOR_AWS_RESOURCE);
      readAnyKeyOfAccount(role, api.keyService.viaService(stack.region), stack.account);
    }

    // Confirmations: a target's event resumes the waiting task (success or failure).
    const handler = this.confirmationDefinition();
    this.confirmationHandler = workflowStateMachine(this, 'ConfirmationHandler', {
      definition: handler,
      timeout: Duration.minutes(15),
      removalPolicy,
      comment: `Passes the confirmations of ${accounts.join(', ')} to ${this.node.path}`,
    }, this.logGroup);
    new events.Rule(this, 'Confirmations', {
      eventBus: this.eventBus,
      description: `Confirmations of ${api.noun} copies from the target accounts`,
      eventPattern: {
        source: [SHARE_EVENT_SOURCE], detailType: [CONFIRMED_DETAIL_TYPE], account: accounts, detail: { sourceAccount: [stack.account] },
      },
      targets: [new targets.SfnStateMachine(this.confirmationHandler)],
    });
    // Redshift copies from another Region: a schedule starts the sweep, which starts the share of the newest eligible snapshot.
    if (copies) {
      const sweepScope = new Construct(this, 'CopySweep');
      this.copySweep = workflowStateMachine(sweepScope, 'Resource', {
        definition: redshiftSweepDefinition(sweepScope, {
          clusterIdentifier: copies.clusterIdentifier,
          shareMachine: this.stateMachine,
          automatedSnapshots: copies.automatedSnapshots ?? false,
          failure: FailurePath.create(sweepScope, this.failureTopic, `${madeBy}/CopySweep`.slice(0, 250)),
        }),
        timeout: Duration.minutes(30),
        removalPolicy,
        comment: `Starts the share of the newest ${copies.automatedSnapshots ? 'snapshot' : 'manual snapshot'} of ${copies.clusterIdentifier} copied into ${stack.region} (at most one a run)`,
      }, this.logGroup);
      new events.Rule(sweepScope, 'Schedule', {
        description: `Looks for snapshots of ${copies.clusterIdentifier} copied into ${stack.region} and shares the newest`,
        schedule: copies.schedule ?? events.Schedule.rate(Duration.hours(1)),
        targets: [new targets.SfnStateMachine(this.copySweep)],
      });
    }
    // Completion events (EBS, RDS DB snapshots) resume the waits of the share workflow.
    this.completionWaits.bind(this.stateMachine, this.logGroup, removalPolicy);
    for (const workflowRole of this.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role)) acknowledgeWorkflowRole(workflowRole);
    acknowledgeWorkflow([this.stateMachine, this.confirmationHandler, ...(this.completionWaits.callback ? [this.completionWaits.callback] : []),
      ...(this.copySweep ? [this.copySweep] : [])]);
  }

  /**
   * Lets a principal start shares (`states:StartExecution` on the share workflow only).
   *
   * @param grantee the principal
   */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  private definition(api: SnapshotType['_api'], accounts: string[], key: IEncryptionKey, poll: typeof DEFAULT_POLL,
    confirmationTimeout: Duration, madeBy: string, failure: FailurePath, createFrom: string[]): sfn.IChainable {
    const stack = Stack.of(this);
    const f = api.fields;

    // Cleanup after a failure once the copy exists: stop sharing, delete the copy, then fail.
    const cleanupUnshare = new SdkTask(this, 'CleanupUnshare', api.modifyShare('$.copy.id', accounts, 'remove', madeBy), { resultPath: null });
    addServiceRetries(cleanupUnshare, api);
    const cleanupDelete = new SdkTask(this, 'CleanupDeleteCopy', api.deleteCopy('$.copy.id', madeBy), { resultPath: null });
    addServiceRetries(cleanupDelete, api);
    cleanupUnshare.addCatch(cleanupDelete, { errors: ['States.ALL'], resultPath: '$.cleanupError' });
    cleanupDelete.addCatch(failure.entry, { errors: ['States.ALL'], resultPath: '$.cleanupError' });
    cleanupUnshare.next(cleanupDelete).next(failure.entry);
    const catchWithCleanup = (task: sfn.TaskStateBase | sfn.Map) => task.addCatch(cleanupUnshare, { errors: ['States.ALL'], resultPath: '$.failure' });

    // After every target confirmed: stop sharing, delete the intermediate copy.
    const done = new sfn.Succeed(this, 'Shared');
    const unshare = new SdkTask(this, 'Unshare', api.modifyShare('$.copy.id', accounts, 'remove', madeBy), { resultPath: null });
    addServiceRetries(unshare, api);
    failure.catchAll(unshare);
    const deleteCopy = new SdkTask(this, 'DeleteCopy', api.deleteCopy('$.copy.id', madeBy), { resultPath: null });
    addServiceRetries(deleteCopy, api);
    failure.catchAll(deleteCopy);
    unshare.next(deleteCopy).next(done);

    // Tell every target and wait for its confirmation (a task token each).
    const tell = new tasks.EventBridgePutEvents(this, 'TellTarget', {
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      entries: [{
        eventBus: this.eventBus,
        source: SHARE_EVENT_SOURCE,
        detailType: SHARED_DETAIL_TYPE,
        detail: sfn.TaskInput.fromObject({
          'snapshotType': api.name,
          'snapshotId.$': '$.copy.id',
          'snapshotArn.$': '$.copy.arn',
          'originalSnapshotId.$': '$.snapshotId',
          'sourceAccount': stack.account,
          'sourceRegion': stack.region,
          'targetAccount.$': '$.targetAccount',
          'taskToken': sfn.JsonPath.taskToken,
        }),
      }],
      taskTimeout: sfn.Timeout.duration(confirmationTimeout),
    });
    tell.addRetry({ errors: ['EventBridge.EventBridgeException', 'EventBridge.InternalException'], ...RETRY.throttling, jitterStrategy: sfn.JitterType.FULL });
    const tellAll = new sfn.Map(this, 'TellTargets', {
      itemsPath: '$.targets',
      itemSelector: { 'targetAccount.$': '$$.Map.Item.Value', 'copy.$': '$.copy', 'snapshotId.$': '$.snapshotId' },
      resultPath: '$.confirmations',
      maxConcurrency: 10,
    });
    tellAll.itemProcessor(tell);
    catchWithCleanup(tellAll);
    tellAll.next(unshare);

    const share = new SdkTask(this, 'Share', api.modifyShare('$.copy.id', accounts, 'add', madeBy), { resultPath: null });
    addServiceRetries(share, api);
    catchWithCleanup(share);
    share.next(tellAll);

    // The copy must be under the shareable key before anything is shared.
    const wrongKey = new sfn.Pass(this, 'CopyUnderWrongKey', {
      parameters: {
        'Error': 'CopyNotUnderShareableKey',
        'Cause.$': `States.Format('copy {} is encrypted with {}, not with the shareable key', $.copy.id, $.described.Snapshots[0].${f.kmsKeyId})`,
      },
      resultPath: '$.failure',
    });
    wrongKey.next(cleanupUnshare);
    const checkKey = new sfn.Choice(this, 'CopyUnderShareableKey?')
      .when(sfn.Condition.stringEquals(`$.described.Snapshots[0].${f.kmsKeyId}`, key.keyArn), share)
      .otherwise(wrongKey);
    const afterCopy = failure.via(cleanupUnshare);
    const waitCopy = this.completionWaits.untilAvailable(this, 'Copy', api, {
      idPath: '$.copy.id',
      resultPath: '$.described',
      poll,
      failure: afterCopy,
      next: checkKey,
      requireEncrypted: true,
      what: `the copy (${api.noun})`,
    });
    const recordCopy = new sfn.Pass(this, 'RecordCopy', {
      parameters: {
        'id.$': '$.copyResult.id',
        'arn.$': `States.Format('${api.snapshotArn(stack.region, stack.account, '{}')}', $.copyResult.id)`,
      },
      resultPath: '$.copy',
    });
    recordCopy.next(waitCopy);
    const copy = copyStates(this, api, {
      sourcePath: '$.snapshotId',
      keyArn: key.keyArn,
      madeBy,
      sourceRegion: stack.region,
      sourceAccounts: [stack.account],
      region: stack.region,
      account: stack.account,
    }, failure, recordCopy);

    // The original: it must exist, be encrypted and be available. It is only ever read.
    const waitOriginal = this.completionWaits.untilAvailable(this, 'Original', api, {
      idPath: '$.snapshotId', resultPath: '$.original', poll, failure, next: copy, requireEncrypted: true, what: api.noun,
    });

    return sourceEntry(this, api, { accounts, createFrom, madeBy, failure, waitOriginal, resourceNoun: 'resources' });
  }

  private confirmationDefinition(): sfn.IChainable {
    const success = resumeTask(this, 'ConfirmSuccess', this.stateMachine, 'success',
      { 'TaskToken.$': '$.detail.taskToken', 'Output.$': 'States.JsonToString($.detail)' });
    const failed = resumeTask(this, 'ConfirmFailure', this.stateMachine, 'failure',
      { 'TaskToken.$': '$.detail.taskToken', 'Error': 'TargetCopyFailed', 'Cause.$': "States.Format('account {}: {}', $.account, $.detail.cause)" });
    return new sfn.Choice(this, 'Copied?')
      .when(sfn.Condition.stringEquals('$.detail.status', STATUS_COPIED), success)
      .otherwise(failed);
  }
}
