/**
 * A small in-memory EC2 / RDS / Redshift (and KMS, EventBridge, SNS) for running the snapshot workflows
 * offline with aws-local-stepfunctions: accounts with snapshots (EBS, RDS DB, Aurora cluster),
 * keys (customer managed, and the AWS managed `aws/ebs` / `aws/rds` keys that cannot be shared),
 * shares, states that go from pending to available after a number of describes, quotas (concurrent
 * copies, manual snapshots, accounts a snapshot is shared with) and throttling injection.
 *
 * Handlers are chosen by each Task state's `Resource` (`arn:aws:states:::aws-sdk:ec2:copySnapshot`,
 * `arn:aws:states:::sns:publish`...), so a state machine's tasks run against the account the
 * workflow is deployed in. Errors use the names Step Functions gives SDK errors
 * (`Rds.DbSnapshotNotFoundException`, `Ec2.Ec2Exception`...), so `Retry` and `Catch` see what they would:
 * EC2's model declares no errors, so every EC2 error is `Ec2.Ec2Exception` (the EC2 code in the message).
 * Parameters and results use Step Functions' member names (the AWS SDK for Java 2.x bean names:
 * `DbSnapshotIdentifier`, `DbSnapshots`, `SourceDBSnapshotIdentifier`, see `test/harness/sdk-models.ts`),
 * never botocore's (`DBSnapshotIdentifier`): a workflow that used botocore's names would find nothing here.
 */
import { allStates, AslDefinition, JsonValue, runStateMachine, StateMachineRun, taskError, TaskHandler } from '../harness/state-machine';

export type SnapshotKind = 'EBS' | 'RDS_DB' | 'AURORA_CLUSTER';
/** Every kind the fake holds (Redshift snapshots are shared, not copied: see `REDSHIFT_OPERATIONS`). */
export type FakeSnapshotKind = SnapshotKind | 'REDSHIFT_CLUSTER';

/** A KMS key of the fake world. */
export interface FakeKey {
  readonly arn: string;
  readonly account: string;
  /** AWS managed (`aws/ebs`, `aws/rds`): usable by its own account only, never shareable. */
  readonly awsManaged: boolean;
  /** Other accounts its policy lets use it through the service. */
  readonly sharedWith: Set<string>;
  enabled: boolean;
}

/** A snapshot of the fake world. */
export interface FakeSnapshot {
  readonly id: string;
  readonly kind: FakeSnapshotKind;
  readonly account: string;
  state: 'pending' | 'available' | 'error';
  /** Describes left before a pending snapshot becomes available. */
  pollsLeft: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly tags: Record<string, string>;
  readonly sharedWith: Set<string>;
  readonly engine?: string;
  /** Redshift: the cluster it is a snapshot of. */
  clusterIdentifier?: string;
  /** Redshift: `manual` (the default) or `automated`. */
  snapshotType?: 'manual' | 'automated';
  /** Redshift: the `ManualSnapshotRetentionPeriod` of a manual copy (-1: indefinitely). */
  manualRetentionDays?: number;
  /** What it was copied or created from. */
  readonly origin: string;
  /** Changes made to it (share, unshare), for "never touched" checks. */
  readonly changes: string[];
}

/** Something restored or created from a snapshot (a volume, DB instance or cluster). */
export interface FakeRestored {
  readonly id: string;
  readonly account: string;
  readonly from: string;
  readonly kmsKeyId?: string;
  readonly tags: Record<string, string>;
}

/** A Redshift cluster of the fake world. */
export interface FakeRedshiftCluster {
  readonly id: string;
  readonly account: string;
  status: 'creating' | 'available' | 'incompatible-restore';
  pollsLeft: number;
  readonly kmsKeyId?: string;
  readonly publiclyAccessible: boolean;
  readonly tags: Record<string, string>;
  /** `<owner account>:<snapshot id>` it was restored from (restored clusters). */
  readonly restoredFrom?: string;
  /** The restore request's parameters (restored clusters). */
  readonly request?: Record<string, unknown>;
}

/** Injected behaviour. */
export interface FakeBehaviour {
  /** Describes a new copy stays pending. @default 2 */
  copyPolls?: number;
  /** Operations that fail with a throttling error the next N calls (`ec2:copySnapshot` → 2). */
  throttle?: Record<string, number>;
  /** Operations that always fail with this error name. */
  failWith?: Record<string, string>;
  /** Concurrent (pending) copies per account. @default 20 */
  maxConcurrentCopies?: number;
  /** Manual snapshots per account (RDS). @default 100 */
  maxManualSnapshots?: number;
  /** Copies fail (state `error`) instead of becoming available. @default false */
  copiesFail?: boolean;
  /** Describes a snapshot the workflow creates stays pending. @default 1 */
  createPolls?: number;
  /**
   * What happens while a workflow waits for a completion event (`putItem.waitForTaskToken`):
   * - `deliver`: the snapshot completes and its event (EBS notification, RDS event) starts the
   *   callback state machine, which resumes the workflow;
   * - `lose`: the snapshot completes but the event is lost: the wait times out;
   * - `before-token`: the snapshot completes and its event is handled before the token is stored
   *   (the callback finds nobody waiting): the wait times out;
   * - `never-complete`: the snapshot stays pending, no event: every wait times out;
   * - `hold`: the token is stored and the wait lasts until a callback resumes it or the test ends
   *   it with `timeOutWait` (waits of several executions at once).
   * @default 'deliver'
   */
  completionEvents?: 'deliver' | 'lose' | 'before-token' | 'never-complete' | 'hold';
  /** Describes a restored Redshift cluster stays `creating`. @default 2 */
  restorePolls?: number;
  /** Restored Redshift clusters end in `incompatible-restore` instead of `available`. @default false */
  restoresFail?: boolean;
}

/** A workflow waiting on a task token (`putItem.waitForTaskToken`), and how it was resumed. */
interface Waiter {
  output?: string;
  error?: { name: string; cause: string };
  /** Ends a `hold` wait. */
  end?: () => void;
}

const REGION = 'eu-west-1';

export class FakeAws {
  public readonly keys = new Map<string, FakeKey>();
  public readonly snapshots = new Map<string, FakeSnapshot>();
  public readonly restored: FakeRestored[] = [];
  /** Redshift clusters by `<account>/<identifier>` (the source's own, and those a target restored). */
  public readonly redshiftClusters = new Map<string, FakeRedshiftCluster>();
  public readonly published: Array<{ account: string; message: JsonValue }> = [];
  public readonly events: Array<{ account: string; entries: JsonValue }> = [];
  /** Every SDK call: account, operation, parameters. */
  public readonly calls: Array<{ account: string; operation: string; input: JsonValue }> = [];
  /** The DynamoDB token tables of the completion-event waits, by account: `<snapshot id>|<execution id>` -> item. */
  public readonly tables = new Map<string, Map<string, Record<string, JsonValue>>>();
  /** The completion events the services emitted, by account. */
  public readonly emitted: Array<{ account: string; event: Record<string, JsonValue> }> = [];
  /** The runs of the callback state machines. */
  public readonly callbackRuns: StateMachineRun[] = [];
  /** @internal workflows waiting on a token, by `<account>|<token>` */
  public readonly waiters = new Map<string, Waiter>();
  /** The `hold` waits in progress, by execution id. */
  private readonly held = new Map<string, () => void>();
  private readonly callbacks = new Map<string, AslDefinition>();
  private counter = 0;

  constructor(public readonly behaviour: FakeBehaviour = {}) {}

  /** Adds a customer managed key. */
  public addKey(arn: string, options: { sharedWith?: string[]; enabled?: boolean } = {}): FakeKey {
    const account = arn.split(':')[4];
    const key: FakeKey = { arn, account, awsManaged: false, sharedWith: new Set(options.sharedWith ?? []), enabled: options.enabled ?? true };
    this.keys.set(arn, key);
    return key;
  }

  /** The AWS managed key of a service in an account (`aws/ebs`, `aws/rds`). */
  public awsManagedKey(account: string, service: 'ebs' | 'rds' | 'redshift'): FakeKey {
    const arn = `arn:aws:kms:${REGION}:${account}:key/aws-managed-${service}`;
    let key = this.keys.get(arn);
    if (!key) {
      key = { arn, account, awsManaged: true, sharedWith: new Set(), enabled: true };
      this.keys.set(arn, key);
    }
    return key;
  }

  /** Adds a snapshot (available unless `pollsLeft` is given). */
  public addSnapshot(s: { id: string; kind: FakeSnapshotKind; account: string; kmsKeyId?: string; pollsLeft?: number; state?: FakeSnapshot['state']; engine?: string }): FakeSnapshot {
    const snapshot: FakeSnapshot = {
      id: s.id,
      kind: s.kind,
      account: s.account,
      state: s.state ?? ((s.pollsLeft ?? 0) > 0 ? 'pending' : 'available'),
      pollsLeft: s.pollsLeft ?? 0,
      encrypted: s.kmsKeyId !== undefined,
      kmsKeyId: s.kmsKeyId,
      tags: {},
      sharedWith: new Set(),
      engine: s.engine ?? (s.kind === 'AURORA_CLUSTER' ? 'aurora-postgresql' : 'postgres'),
      origin: 'given',
      changes: [],
    };
    this.snapshots.set(this.keyOf(s.account, s.kind, s.id), snapshot);
    return snapshot;
  }

  /** Adds a Redshift cluster of an account (what a source may snapshot), encrypted with `kmsKeyId`. */
  public addRedshiftCluster(id: string, account: string, kmsKeyId?: string): FakeRedshiftCluster {
    const cluster: FakeRedshiftCluster = { id, account, status: 'available', pollsLeft: 0, kmsKeyId, publiclyAccessible: false, tags: {} };
    this.redshiftClusters.set(`${account}/${id}`, cluster);
    return cluster;
  }

  /**
   * The callback state machine of an account (started by the completion events the account's
   * EventBridge rule matches).
   */
  public onCompletionEvents(account: string, callback: AslDefinition | undefined): void {
    if (callback) this.callbacks.set(account, callback);
  }

  /** Ends the `hold` wait of an execution with `States.Timeout` (its TimeoutSeconds passed). */
  public timeOutWait(execution: string): void {
    const end = this.held.get(execution);
    if (!end) throw new Error(`execution ${execution} is not waiting`);
    end();
  }

  /** The token table of an account. */
  public tableOf(account: string): Map<string, Record<string, JsonValue>> {
    let table = this.tables.get(account);
    if (!table) {
      table = new Map();
      this.tables.set(account, table);
    }
    return table;
  }

  /** The snapshots of an account. */
  public snapshotsOf(account: string, kind?: FakeSnapshotKind): FakeSnapshot[] {
    return [...this.snapshots.values()].filter((s) => s.account === account && (!kind || s.kind === kind));
  }

  /**
   * Task handlers for every Task state of a definition, run as `account`. `extra` replaces the
   * handlers of named states (e.g. the share workflow's `TellTarget`, which runs the target side).
   */
  public handlers(definition: AslDefinition, account: string, extra: Record<string, TaskHandler> = {}): Record<string, TaskHandler> {
    const out: Record<string, TaskHandler> = {};
    for (const [name, state] of allStates(definition)) {
      if (state.Type !== 'Task') continue;
      out[name] = extra[name] ?? this.handlerFor(String(state.Resource), account);
    }
    return out;
  }

  private handlerFor(resource: string, account: string): TaskHandler {
    if (/:aws-sdk:dynamodb:putItem\.waitForTaskToken$/.test(resource)) {
      return (input) => this.awaitCompletion(account, input as Record<string, unknown>);
    }
    const sdk = /:aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(resource);
    if (sdk) {
      const operation = `${sdk[1]}:${sdk[2]}`;
      return (input) => this.call(account, operation, input as Record<string, unknown>);
    }
    if (resource.endsWith(':sns:publish')) {
      return (input) => {
        this.published.push({ account, message: input });
        return { MessageId: `msg-${++this.counter}` };
      };
    }
    if (resource.includes(':events:putEvents')) {
      return (input) => {
        this.events.push({ account, entries: (input as { Entries: JsonValue }).Entries });
        return { Entries: [{ EventId: `evt-${++this.counter}` }], FailedEntryCount: 0 };
      };
    }
    throw new Error(`the fake has no handler for ${resource}`);
  }

  /** One SDK call as `account`. */
  public call(account: string, operation: string, input: Record<string, unknown>): JsonValue {
    this.calls.push({ account, operation, input: structuredClone(input) as JsonValue });
    const [service] = operation.split(':');
    const prefix = service === 'ec2' ? 'Ec2' : service === 'rds' ? 'Rds' : service === 'redshift' ? 'Redshift' : service;
    const throttled = this.behaviour.throttle?.[operation] ?? 0;
    if (throttled > 0) {
      this.behaviour.throttle![operation] = throttled - 1;
      throw taskError(service === 'ec2' ? 'Ec2.Ec2Exception' : `${prefix}.${prefix}Exception`, `${prefix} Throttling: Rate exceeded (${operation})`);
    }
    const failure = this.behaviour.failWith?.[operation];
    if (failure) throw taskError(failure, `${operation} failed (${failure})`);
    const handler = OPERATIONS[operation];
    if (!handler) throw new Error(`the fake does not implement ${operation}`);
    return handler(this, account, input);
  }

  /** @internal */
  public keyOf(account: string, kind: FakeSnapshotKind, id: string): string {
    return `${account}/${kind}/${id}`;
  }

  /** @internal */
  public nextId(prefix: string): string {
    return `${prefix}${(++this.counter).toString(16).padStart(17, '0')}`;
  }

  /** A snapshot by id or ARN, visible to `account` (own, or shared with it). */
  public find(account: string, kind: FakeSnapshotKind, idOrArn: string): FakeSnapshot | undefined {
    const arn = /^arn:aws:rds:[^:]+:(\d{12}):(?:cluster-)?snapshot:(.+)$/.exec(idOrArn);
    const owner = arn ? arn[1] : account;
    const id = arn ? arn[2] : idOrArn;
    const own = this.snapshots.get(this.keyOf(owner, kind, id));
    if (own && (own.account === account || own.sharedWith.has(account))) return own;
    if (kind === 'EBS' && !arn) {
      return [...this.snapshots.values()].find((s) => s.kind === 'EBS' && s.id === id && (s.account === account || s.sharedWith.has(account)));
    }
    return undefined;
  }

  /** Whether `account` can use a key through the service (read). */
  public canUse(account: string, keyArn: string | undefined): boolean {
    if (!keyArn) return true;
    const key = this.keys.get(keyArn);
    if (!key || !key.enabled) return false;
    return key.account === account || (!key.awsManaged && key.sharedWith.has(account));
  }

  /**
   * A workflow stores its token and waits (Step Functions' `.waitForTaskToken`): time passes as
   * `behaviour.completionEvents` says, then the wait ends with what the callback sent, or with
   * `States.Timeout` (the task's TimeoutSeconds) when nothing resumed it.
   */
  private async awaitCompletion(account: string, input: Record<string, unknown>): Promise<JsonValue> {
    this.calls.push({ account, operation: 'dynamodb:putItem.waitForTaskToken', input: structuredClone(input) as JsonValue });
    const item = input.Item as Record<string, { S: string }>;
    if (typeof input.TableName !== 'string' || !item?.snapshotId?.S || !item.execution?.S || !item.taskToken?.S) {
      throw taskError('DynamoDb.DynamoDbException', `ValidationException: bad putItem ${JSON.stringify(input)}`);
    }
    const id = item.snapshotId.S;
    const key = `${account}|${item.taskToken.S}`;
    const waiter: Waiter = {};
    this.waiters.set(key, waiter);
    const snapshot = this.snapshotsOf(account).find((x) => x.id === id);
    const mode = this.behaviour.completionEvents ?? 'deliver';
    try {
      if (mode === 'before-token' && snapshot) await this.complete(account, snapshot, true);
      this.tableOf(account).set(`${id}|${item.execution.S}`, structuredClone(item) as Record<string, JsonValue>);
      if (mode === 'deliver' && snapshot) await this.complete(account, snapshot, true);
      if (mode === 'lose' && snapshot) await this.complete(account, snapshot, false);
      if (mode === 'hold') {
        await new Promise<void>((end) => {
          waiter.end = end;
          this.held.set(item.execution.S, end);
        });
        this.held.delete(item.execution.S);
      }
    } finally {
      this.waiters.delete(key);
    }
    if (waiter.error) throw taskError(waiter.error.name, waiter.error.cause);
    if (waiter.output !== undefined) return JSON.parse(waiter.output) as JsonValue;
    throw taskError('States.Timeout', 'no completion event within the event timeout');
  }

  /** A pending snapshot is made (or fails); its service emits the completion event, which the account's rule delivers. */
  private async complete(account: string, snapshot: FakeSnapshot, deliver: boolean): Promise<void> {
    if (snapshot.state !== 'pending') return;
    snapshot.pollsLeft = 1;
    this.tick(snapshot);
    const event = completionEvent(snapshot);
    if (!event) return;
    this.emitted.push({ account, event });
    const callback = this.callbacks.get(account);
    if (!deliver || !callback) return;
    const run = await runStateMachine(callback, { input: event, taskHandlers: this.handlers(callback, account) });
    this.callbackRuns.push(run);
  }

  /** Advances a pending snapshot by one describe. */
  public tick(s: FakeSnapshot): void {
    if (s.state === 'pending') {
      s.pollsLeft -= 1;
      if (s.pollsLeft <= 0) s.state = this.behaviour.copiesFail && s.origin.startsWith('copy') ? 'error' : 'available';
    }
  }
}

type Operation = (fake: FakeAws, account: string, input: Record<string, unknown>) => JsonValue;

function tagsOf(specs: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const list = Array.isArray(specs) ? specs : [];
  for (const spec of list) {
    const tags = (spec as { Tags?: unknown }).Tags ?? spec;
    if (Array.isArray(tags)) for (const t of tags) out[(t as { Key: string }).Key] = (t as { Value: string }).Value;
    else if (typeof tags === 'object' && tags !== null && 'Key' in tags) out[(tags as { Key: string }).Key] = (tags as { Value: string }).Value;
  }
  return out;
}

function ebsView(s: FakeSnapshot): JsonValue {
  return {
    SnapshotId: s.id,
    State: s.state === 'available' ? 'completed' : s.state,
    Encrypted: s.encrypted,
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    OwnerId: s.account,
    Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function rdsView(s: FakeSnapshot): JsonValue {
  const cluster = s.kind === 'AURORA_CLUSTER';
  return {
    [cluster ? 'DbClusterSnapshotIdentifier' : 'DbSnapshotIdentifier']: s.id,
    [cluster ? 'DbClusterSnapshotArn' : 'DbSnapshotArn']: `arn:aws:rds:${REGION}:${s.account}:${cluster ? 'cluster-snapshot' : 'snapshot'}:${s.id}`,
    Status: s.state === 'pending' ? (s.origin.startsWith('copy') ? 'copying' : 'creating') : s.state === 'available' ? 'available' : 'failed',
    [cluster ? 'StorageEncrypted' : 'Encrypted']: s.encrypted,
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    Engine: s.engine ?? 'postgres',
    SnapshotType: 'manual',
  };
}

function pendingCopies(fake: FakeAws, account: string): number {
  return fake.snapshotsOf(account).filter((s) => s.state === 'pending' && s.origin.startsWith('copy')).length;
}

function ebsCopy(fake: FakeAws, account: string, input: Record<string, unknown>): JsonValue {
  if (input.SourceRegion !== REGION) throw taskError('Ec2.Ec2Exception', `InvalidParameterValue: the fake runs in ${REGION} only`);
  const source = fake.find(account, 'EBS', String(input.SourceSnapshotId));
  if (!source) throw taskError('Ec2.Ec2Exception', `InvalidSnapshot.NotFound: The snapshot '${input.SourceSnapshotId}' does not exist.`);
  if (source.state !== 'available') throw taskError('Ec2.Ec2Exception', `IncorrectState: snapshot ${source.id} is ${source.state}`);
  if (!fake.canUse(account, source.kmsKeyId)) {
    throw taskError('Ec2.Ec2Exception', `InvalidParameter: account ${account} cannot use the key ${source.kmsKeyId} of the source snapshot`);
  }
  const keyArn = String(input.KmsKeyId);
  const key = fake.keys.get(keyArn);
  if (!key || key.account !== account || !key.enabled) throw taskError('Ec2.Ec2Exception', `KMS.DisabledException or NotFound: key ${keyArn} cannot be used`);
  if (pendingCopies(fake, account) >= (fake.behaviour.maxConcurrentCopies ?? 20)) {
    throw taskError('Ec2.Ec2Exception', 'ResourceLimitExceeded: too many concurrent snapshot copies');
  }
  const id = fake.nextId('snap-');
  const copy = fake.addSnapshot({ id, kind: 'EBS', account, kmsKeyId: keyArn, pollsLeft: fake.behaviour.copyPolls ?? 2 });
  Object.assign(copy, { origin: `copy of ${source.id}` });
  Object.assign(copy.tags, tagsOf(input.TagSpecifications));
  return { SnapshotId: id };
}

function rdsCopy(kind: FakeSnapshotKind): Operation {
  // Source/Target...: the capitals are not leading, so Step Functions keeps the API's spelling.
  const idParam = kind === 'AURORA_CLUSTER' ? 'DBClusterSnapshotIdentifier' : 'DBSnapshotIdentifier';
  const notFound = kind === 'AURORA_CLUSTER' ? 'Rds.DbClusterSnapshotNotFoundException' : 'Rds.DbSnapshotNotFoundException';
  const exists = kind === 'AURORA_CLUSTER' ? 'Rds.DbClusterSnapshotAlreadyExistsException' : 'Rds.DbSnapshotAlreadyExistsException';
  const resultKey = kind === 'AURORA_CLUSTER' ? 'DbClusterSnapshot' : 'DbSnapshot';
  return (fake, account, input) => {
    const sourceId = String(input[`Source${idParam}`]);
    const targetId = String(input[`Target${idParam}`]);
    if (!/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}$/.test(targetId) || targetId.endsWith('-')) {
      throw taskError('Rds.InvalidParameterValueException', `invalid ${idParam} ${targetId}`);
    }
    const source = fake.find(account, kind, sourceId);
    if (!source) throw taskError(notFound, `${sourceId} not found`);
    if (source.account !== account && !sourceId.startsWith('arn:')) throw taskError(notFound, 'a shared snapshot is named by its ARN');
    if (fake.snapshots.has(fake.keyOf(account, kind, targetId))) throw taskError(exists, `${targetId} already exists`);
    if (!fake.canUse(account, source.kmsKeyId)) throw taskError('Rds.KmsKeyNotAccessibleException', `cannot use the key ${source.kmsKeyId}`);
    const keyArn = String(input.KmsKeyId ?? source.kmsKeyId);
    if (source.account !== account && input.KmsKeyId === undefined) throw taskError('Rds.InvalidParameterValueException', 'KmsKeyId is required to copy a shared encrypted snapshot');
    const key = fake.keys.get(keyArn);
    if (!key || key.account !== account || !key.enabled) throw taskError('Rds.KmsKeyNotAccessibleException', `key ${keyArn} cannot be used`);
    if (pendingCopies(fake, account) >= (fake.behaviour.maxConcurrentCopies ?? 20)) throw taskError('Rds.SnapshotQuotaExceededException', 'too many concurrent copies');
    if (fake.snapshotsOf(account, kind).length >= (fake.behaviour.maxManualSnapshots ?? 100)) throw taskError('Rds.SnapshotQuotaExceededException', 'manual snapshot quota');
    const copy = fake.addSnapshot({ id: targetId, kind, account, kmsKeyId: keyArn, pollsLeft: fake.behaviour.copyPolls ?? 2, engine: source.engine });
    Object.assign(copy, { origin: `copy of ${source.id}` });
    Object.assign(copy.tags, tagsOf([{ Tags: input.Tags }]));
    return { [resultKey]: rdsView(copy) };
  };
}

function ebsModify(fake: FakeAws, account: string, input: Record<string, unknown>): JsonValue {
  const s = fake.find(account, 'EBS', String(input.SnapshotId));
  if (!s || s.account !== account) throw taskError('Ec2.Ec2Exception', `InvalidSnapshot.NotFound: ${input.SnapshotId}`);
  if (input.Attribute !== 'createVolumePermission') throw taskError('Ec2.Ec2Exception', `InvalidParameterValue: Attribute ${input.Attribute}`);
  const users = (input.UserIds as string[]) ?? [];
  if (users.length > 500) throw taskError('Ec2.Ec2Exception', 'InvalidParameterValue: at most 500 changes a call');
  if (input.OperationType === 'add') {
    const key = s.kmsKeyId ? fake.keys.get(s.kmsKeyId) : undefined;
    if (key?.awsManaged) throw taskError('Ec2.Ec2Exception', 'InvalidParameter: snapshots encrypted with the AWS managed key cannot be shared');
    users.forEach((u) => s.sharedWith.add(u));
  } else {
    users.forEach((u) => s.sharedWith.delete(u));
  }
  s.changes.push(`${input.OperationType} ${users.join(',')}`);
  return {};
}

function rdsModify(kind: FakeSnapshotKind): Operation {
  const idParam = kind === 'AURORA_CLUSTER' ? 'DbClusterSnapshotIdentifier' : 'DbSnapshotIdentifier';
  const notFound = kind === 'AURORA_CLUSTER' ? 'Rds.DbClusterSnapshotNotFoundException' : 'Rds.DbSnapshotNotFoundException';
  return (fake, account, input) => {
    const s = fake.snapshots.get(fake.keyOf(account, kind, String(input[idParam])));
    if (!s) throw taskError(notFound, `${input[idParam]} not found`);
    if (input.AttributeName !== 'restore') throw taskError('Rds.InvalidParameterValueException', `AttributeName ${input.AttributeName}`);
    const add = (input.ValuesToAdd as string[] | undefined) ?? [];
    const remove = (input.ValuesToRemove as string[] | undefined) ?? [];
    const key = s.kmsKeyId ? fake.keys.get(s.kmsKeyId) : undefined;
    if (add.length > 0 && key?.awsManaged) throw taskError('Rds.InvalidParameterValueException', 'snapshots encrypted with the default KMS key cannot be shared');
    if (new Set([...s.sharedWith, ...add]).size > 20) throw taskError('Rds.SharedSnapshotQuotaExceededException', 'a snapshot can be shared with at most 20 accounts');
    add.forEach((u) => s.sharedWith.add(u));
    remove.forEach((u) => s.sharedWith.delete(u));
    s.changes.push(`add ${add.join(',')} remove ${remove.join(',')}`);
    return {};
  };
}

function deleteOp(kind: FakeSnapshotKind, param: string, notFound: string): Operation {
  return (fake, account, input) => {
    const key = fake.keyOf(account, kind, String(input[param]));
    if (!fake.snapshots.has(key)) throw taskError(notFound, `${input[param]} not found`);
    fake.snapshots.delete(key);
    return {};
  };
}

/**
 * Redshift (provisioned clusters): manual and automated snapshots of clusters, shares with
 * `AuthorizeSnapshotAccess` one account a call (at most 20 a snapshot: AuthorizationQuotaExceeded;
 * AuthorizationAlreadyExists / AuthorizationNotFound as Redshift answers), restores of a shared
 * snapshot under the restoring account's key, clusters that go from creating to available. Error
 * names are Step Functions' (`Redshift.<fault without Fault>Exception`). A restore that cannot use a
 * key fails with `Redshift.InvalidRestoreException` (the fake's choice: AWS documents no error for it).
 */
function redshiftSnapshot(fake: FakeAws, account: string, id: string, owner: string = account): FakeSnapshot {
  const s = fake.snapshots.get(fake.keyOf(owner, 'REDSHIFT_CLUSTER', id));
  if (!s || (s.account !== account && !s.sharedWith.has(account))) {
    throw taskError('Redshift.ClusterSnapshotNotFoundException', `Snapshot ${id} not found (owner ${owner}, caller ${account})`);
  }
  return s;
}

function redshiftSnapshotView(s: FakeSnapshot): JsonValue {
  return {
    SnapshotIdentifier: s.id,
    ClusterIdentifier: s.clusterIdentifier ?? 'unknown',
    SnapshotArn: `arn:aws:redshift:${REGION}:${s.account}:snapshot:${s.clusterIdentifier ?? 'unknown'}/${s.id}`,
    Status: s.state === 'pending' ? 'creating' : s.state === 'available' ? 'available' : 'failed',
    SnapshotType: s.snapshotType ?? 'manual',
    Encrypted: s.encrypted,
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    OwnerAccount: s.account,
    AccountsWithRestoreAccess: [...s.sharedWith].map((AccountId) => ({ AccountId })),
    Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function redshiftClusterView(c: FakeRedshiftCluster): JsonValue {
  return {
    ClusterIdentifier: c.id,
    ClusterStatus: c.status,
    Encrypted: c.kmsKeyId !== undefined,
    ...(c.kmsKeyId ? { KmsKeyId: c.kmsKeyId } : {}),
    PubliclyAccessible: c.publiclyAccessible,
    Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function redshiftShare(operation: 'add' | 'remove'): Operation {
  return (fake, account, input) => {
    const s = redshiftSnapshot(fake, account, String(input.SnapshotIdentifier));
    if (s.account !== account) throw taskError('Redshift.ClusterSnapshotNotFoundException', 'only the owner shares a snapshot');
    const target = String(input.AccountWithRestoreAccess);
    if (!/^\d{12}$/.test(target)) throw taskError('Redshift.RedshiftException', `InvalidParameterValue: AccountWithRestoreAccess ${target}`);
    if (operation === 'add') {
      if (s.state !== 'available') throw taskError('Redshift.InvalidClusterSnapshotStateException', `snapshot ${s.id} is not available`);
      if ((s.snapshotType ?? 'manual') !== 'manual') throw taskError('Redshift.UnsupportedOperationException', 'automated snapshots cannot be shared');
      if (s.sharedWith.has(target)) throw taskError('Redshift.AuthorizationAlreadyExistsException', `${target} is already authorized`);
      if (s.sharedWith.size >= 20) throw taskError('Redshift.AuthorizationQuotaExceededException', 'at most 20 accounts a snapshot');
      s.sharedWith.add(target);
    } else {
      if (!s.sharedWith.has(target)) throw taskError('Redshift.AuthorizationNotFoundException', `${target} is not authorized`);
      s.sharedWith.delete(target);
    }
    s.changes.push(`${operation} ${target}`);
    return { Snapshot: redshiftSnapshotView(s) };
  };
}

const REDSHIFT_OPERATIONS: Record<string, Operation> = {
  'redshift:describeClusterSnapshots': (fake, account, input) => {
    if (input.SnapshotIdentifier === undefined && input.ClusterIdentifier !== undefined) {
      // The snapshots of a cluster (it need not exist in this Region) that the owner account holds,
      // newest first (the fake's insertion order stands for the creation time), at most MaxRecords,
      // only those of SnapshotType when it is given ("By default, snapshots of all types are
      // returned", https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusterSnapshots.html).
      const owner = String(input.OwnerAccount ?? account);
      if (input.SnapshotType !== undefined && !['manual', 'automated'].includes(String(input.SnapshotType))) {
        throw taskError('Redshift.RedshiftException', `InvalidParameterValue: SnapshotType ${String(input.SnapshotType)}`);
      }
      const all = [...fake.snapshots.values()]
        .filter((x) => x.kind === 'REDSHIFT_CLUSTER' && x.clusterIdentifier === input.ClusterIdentifier && x.account === owner && (owner === account || x.sharedWith.has(account)))
        .filter((x) => input.SnapshotType === undefined || (x.snapshotType ?? 'manual') === input.SnapshotType)
        .reverse()
        .slice(0, Number(input.MaxRecords ?? 100));
      return { Snapshots: all.map(redshiftSnapshotView) };
    }
    if (input.OwnerAccount === undefined) {
      // Without OwnerAccount Redshift also lists the snapshots of that name shared with the caller
      // (the fake lists them first: AWS documents no order).
      const id = String(input.SnapshotIdentifier);
      const all = [...fake.snapshots.values()]
        .filter((x) => x.kind === 'REDSHIFT_CLUSTER' && x.id === id && (x.account === account || x.sharedWith.has(account)))
        .sort((x, y) => Number(x.account === account) - Number(y.account === account));
      if (all.length === 0) throw taskError('Redshift.ClusterSnapshotNotFoundException', `Snapshot ${id} not found (caller ${account})`);
      const views = all.map(redshiftSnapshotView);
      all.forEach((x) => fake.tick(x));
      return { Snapshots: views };
    }
    const s = redshiftSnapshot(fake, account, String(input.SnapshotIdentifier), String(input.OwnerAccount));
    const view = redshiftSnapshotView(s);
    fake.tick(s);
    return { Snapshots: [view] };
  },
  'redshift:createClusterSnapshot': (fake, account, input) => {
    const cluster = fake.redshiftClusters.get(`${account}/${input.ClusterIdentifier}`);
    if (!cluster) throw taskError('Redshift.ClusterNotFoundException', `cluster ${input.ClusterIdentifier} not found`);
    const id = String(input.SnapshotIdentifier);
    if (fake.snapshots.has(fake.keyOf(account, 'REDSHIFT_CLUSTER', id))) throw taskError('Redshift.ClusterSnapshotAlreadyExistsException', `${id} exists`);
    if (fake.snapshotsOf(account, 'REDSHIFT_CLUSTER').length >= (fake.behaviour.maxManualSnapshots ?? 100)) {
      throw taskError('Redshift.ClusterSnapshotQuotaExceededException', 'manual snapshot quota');
    }
    const s = fake.addSnapshot({ id, kind: 'REDSHIFT_CLUSTER', account, kmsKeyId: cluster.kmsKeyId, pollsLeft: 1 });
    Object.assign(s, { origin: `created from ${cluster.id}`, clusterIdentifier: cluster.id, snapshotType: 'manual' });
    Object.assign(s.tags, tagsOf([{ Tags: input.Tags }]));
    return { Snapshot: redshiftSnapshotView(s) };
  },
  // CopyClusterSnapshot: an automated snapshot of the caller to a manual one, same key, same cluster.
  'redshift:copyClusterSnapshot': (fake, account, input) => {
    const source = redshiftSnapshot(fake, account, String(input.SourceSnapshotIdentifier));
    if (source.account !== account) throw taskError('Redshift.ClusterSnapshotNotFoundException', 'only the owner copies a snapshot');
    if (source.state !== 'available' || (source.snapshotType ?? 'manual') !== 'automated') {
      throw taskError('Redshift.InvalidClusterSnapshotStateException', `snapshot ${source.id} must be an available automated snapshot`);
    }
    const id = String(input.TargetSnapshotIdentifier);
    if (!/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}$/.test(id) || id.endsWith('-')) throw taskError('Redshift.RedshiftException', `InvalidParameterValue: TargetSnapshotIdentifier ${id}`);
    if (fake.snapshots.has(fake.keyOf(account, 'REDSHIFT_CLUSTER', id))) throw taskError('Redshift.ClusterSnapshotAlreadyExistsException', `${id} exists`);
    if (fake.snapshotsOf(account, 'REDSHIFT_CLUSTER').filter((x) => x.snapshotType !== 'automated').length >= (fake.behaviour.maxManualSnapshots ?? 100)) {
      throw taskError('Redshift.ClusterSnapshotQuotaExceededException', 'manual snapshot quota');
    }
    const retention = input.ManualSnapshotRetentionPeriod;
    if (retention !== undefined && (typeof retention !== 'number' || !Number.isInteger(retention) || (retention !== -1 && (retention < 1 || retention > 3653)))) {
      throw taskError('Redshift.InvalidRetentionPeriodException', `ManualSnapshotRetentionPeriod ${retention}`);
    }
    const s = fake.addSnapshot({ id, kind: 'REDSHIFT_CLUSTER', account, kmsKeyId: source.kmsKeyId, pollsLeft: 1 });
    Object.assign(s, { origin: `copy of ${source.id}`, clusterIdentifier: source.clusterIdentifier, snapshotType: 'manual', manualRetentionDays: retention ?? -1 });
    return { Snapshot: redshiftSnapshotView(s) };
  },
  'redshift:authorizeSnapshotAccess': redshiftShare('add'),
  'redshift:revokeSnapshotAccess': redshiftShare('remove'),
  'redshift:restoreFromClusterSnapshot': (fake, account, input) => {
    const owner = input.OwnerAccount === undefined ? account : String(input.OwnerAccount);
    const s = redshiftSnapshot(fake, account, String(input.SnapshotIdentifier), owner);
    if (s.state !== 'available') throw taskError('Redshift.InvalidClusterSnapshotStateException', `snapshot ${s.id} is not available`);
    const id = String(input.ClusterIdentifier);
    if (!/^[a-z](?!.*--)[a-z0-9-]{0,62}$/.test(id) || id.endsWith('-')) throw taskError('Redshift.RedshiftException', `InvalidParameterValue: ClusterIdentifier ${id}`);
    if (fake.redshiftClusters.has(`${account}/${id}`)) throw taskError('Redshift.ClusterAlreadyExistsException', `cluster ${id} exists`);
    if (!fake.canUse(account, s.kmsKeyId)) throw taskError('Redshift.InvalidRestoreException', `account ${account} cannot use the key ${s.kmsKeyId} of the snapshot`);
    const kmsKeyId = input.KmsKeyId === undefined ? s.kmsKeyId : String(input.KmsKeyId);
    const key = kmsKeyId ? fake.keys.get(kmsKeyId) : undefined;
    if (kmsKeyId && (!key || key.account !== account || !key.enabled)) throw taskError('Redshift.InvalidRestoreException', `key ${kmsKeyId} cannot be used`);
    const cluster: FakeRedshiftCluster = {
      id,
      account,
      status: 'creating',
      pollsLeft: fake.behaviour.restorePolls ?? 2,
      kmsKeyId,
      publiclyAccessible: input.PubliclyAccessible !== false,
      tags: {},
      restoredFrom: `${s.account}:${s.id}`,
      request: structuredClone(input),
    };
    fake.redshiftClusters.set(`${account}/${id}`, cluster);
    fake.restored.push({ id, account, from: s.id, kmsKeyId, tags: cluster.tags });
    return { Cluster: redshiftClusterView(cluster) };
  },
  'redshift:describeClusters': (fake, account, input) => {
    const c = fake.redshiftClusters.get(`${account}/${input.ClusterIdentifier}`);
    if (!c) throw taskError('Redshift.ClusterNotFoundException', `cluster ${input.ClusterIdentifier} not found`);
    const view = redshiftClusterView(c);
    if (c.status === 'creating' && --c.pollsLeft <= 0) c.status = fake.behaviour.restoresFail ? 'incompatible-restore' : 'available';
    return { Clusters: [view] };
  },
  'redshift:createTags': (fake, account, input) => {
    const snapshotArn = /^arn:aws:redshift:[^:]+:(\d{12}):snapshot:([^/]+)\/(.+)$/.exec(String(input.ResourceName));
    if (snapshotArn) {
      const s = snapshotArn[1] === account ? fake.snapshots.get(fake.keyOf(account, 'REDSHIFT_CLUSTER', snapshotArn[3])) : undefined;
      if (!s || s.clusterIdentifier !== snapshotArn[2]) throw taskError('Redshift.ResourceNotFoundException', `${input.ResourceName} not found`);
      Object.assign(s.tags, tagsOf([{ Tags: input.Tags }]));
      return {};
    }
    const arn = /^arn:aws:redshift:[^:]+:(\d{12}):cluster:(.+)$/.exec(String(input.ResourceName));
    const c = arn && arn[1] === account ? fake.redshiftClusters.get(`${account}/${arn[2]}`) : undefined;
    if (!c) throw taskError('Redshift.ResourceNotFoundException', `${input.ResourceName} not found`);
    Object.assign(c.tags, tagsOf([{ Tags: input.Tags }]));
    return {};
  },
};

/**
 * The completion event of a snapshot that was just made (or failed), as the service emits it:
 * EBS `EBS Snapshot Notification` (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html),
 * RDS `RDS DB Snapshot Event` (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-cloud-watch-events.html,
 * event ids from https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#USER_Events.Messages.snapshot).
 * Aurora cluster snapshots: none (the cluster snapshot events have no copy completion).
 */
export function completionEvent(s: FakeSnapshot): Record<string, JsonValue> | undefined {
  const copy = s.origin.startsWith('copy');
  const failed = s.state === 'error';
  const time = '2026-12-02T03:00:00Z';
  if (s.kind === 'EBS') {
    const arn = `arn:aws:ec2::${REGION}:snapshot/${s.id}`;
    return {
      'version': '0',
      'id': `evt-${s.id}`,
      'detail-type': 'EBS Snapshot Notification',
      'source': 'aws.ec2',
      'account': s.account,
      time,
      'region': REGION,
      'resources': [arn],
      'detail': {
        event: copy ? 'copySnapshot' : 'createSnapshot',
        result: failed ? 'failed' : 'succeeded',
        cause: failed ? 'Snapshot copy failed (fake)' : '',
        request_id: '',
        snapshot_id: arn,
        source: copy ? `arn:aws:ec2::${REGION}:snapshot/${s.origin.replace(/^copy of /, '')}` : `arn:aws:ec2::${REGION}:volume/${s.origin.replace(/^created from /, '')}`,
        startTime: time,
        endTime: time,
      },
    };
  }
  if (s.kind === 'RDS_DB') {
    const arn = `arn:aws:rds:${REGION}:${s.account}:snapshot:${s.id}`;
    const [eventId, message] = !copy ? ['RDS-EVENT-0042', 'Manual snapshot created']
      : failed ? ['RDS-EVENT-0190', `Canceled snapshot copy request of ${s.id} in region ${REGION}.`]
        : ['RDS-EVENT-0197', `Finished copy of snapshot ${s.id} in region ${REGION}.`];
    return {
      'version': '0',
      'id': `evt-${s.id}`,
      'detail-type': 'RDS DB Snapshot Event',
      'source': 'aws.rds',
      'account': s.account,
      time,
      'region': REGION,
      'resources': [arn],
      'detail': { EventCategories: [copy ? 'notification' : 'creation'], SourceType: 'SNAPSHOT', SourceArn: arn, Date: time, Message: message, SourceIdentifier: s.id, EventID: eventId },
    };
  }
  return undefined;
}

const OPERATIONS: Record<string, Operation> = {
  'dynamodb:deleteItem': (fake, account, input) => {
    const k = input.Key as Record<string, { S: string }> | undefined;
    if (typeof input.TableName !== 'string' || !k?.snapshotId?.S || !k.execution?.S || Object.keys(k).length !== 2) {
      throw taskError('DynamoDb.DynamoDbException', `ValidationException: bad deleteItem (the key is snapshotId and execution) ${JSON.stringify(input)}`);
    }
    const key = `${k.snapshotId.S}|${k.execution.S}`;
    const table = fake.tableOf(account);
    const old = table.get(key);
    table.delete(key);
    const result: JsonValue = input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
    return result;
  },
  // Query on the partition key only (`#id = :id`), as the callback asks.
  'dynamodb:query': (fake, account, input) => {
    const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
    const id = (input.ExpressionAttributeValues as Record<string, { S?: string }> | undefined)?.[':id']?.S;
    if (typeof input.TableName !== 'string' || input.KeyConditionExpression !== '#id = :id' || names?.['#id'] !== 'snapshotId' || !id) {
      throw taskError('DynamoDb.DynamoDbException', `ValidationException: bad query ${JSON.stringify(input)}`);
    }
    const items = [...fake.tableOf(account).values()]
      .filter((item) => (item.snapshotId as { S: string }).S === id).map((item) => structuredClone(item));
    return { Items: items, Count: items.length, ScannedCount: items.length };
  },
  'sfn:sendTaskSuccess': (fake, account, input) => {
    const waiter = fake.waiters.get(`${account}|${input.TaskToken}`);
    if (!waiter) throw taskError('Sfn.TaskDoesNotExistException', `task ${input.TaskToken} does not exist`);
    JSON.parse(String(input.Output));
    waiter.output = String(input.Output);
    waiter.end?.();
    return {};
  },
  'sfn:sendTaskFailure': (fake, account, input) => {
    const waiter = fake.waiters.get(`${account}|${input.TaskToken}`);
    if (!waiter) throw taskError('Sfn.TaskDoesNotExistException', `task ${input.TaskToken} does not exist`);
    waiter.error = { name: String(input.Error), cause: String(input.Cause) };
    waiter.end?.();
    return {};
  },
  ...REDSHIFT_OPERATIONS,
  'ec2:describeSnapshots': (fake, account, input) => {
    const filters = (input.Filters as Array<{ Name: string; Values: string[] }>) ?? [];
    const shared = Array.isArray(input.RestorableByUserIds);
    let list = [...fake.snapshots.values()].filter((s) => s.kind === 'EBS' && (shared ? s.sharedWith.has(account) || s.account === account : s.account === account));
    for (const filter of filters) {
      if (filter.Name === 'snapshot-id') list = list.filter((s) => filter.Values.includes(s.id));
      else if (filter.Name.startsWith('tag:')) list = list.filter((s) => filter.Values.includes(s.tags[filter.Name.slice(4)]));
      else throw taskError('Ec2.Ec2Exception', `InvalidParameterValue: filter ${filter.Name}`);
    }
    const views = list.map((s) => ebsView(s));
    list.forEach((s) => fake.tick(s));
    return { Snapshots: views };
  },
  'ec2:copySnapshot': ebsCopy,
  'ec2:modifySnapshotAttribute': ebsModify,
  'ec2:deleteSnapshot': deleteOp('EBS', 'SnapshotId', 'Ec2.Ec2Exception'),
  'ec2:createSnapshot': (fake, account, input) => {
    const id = fake.nextId('snap-');
    const s = fake.addSnapshot({ id, kind: 'EBS', account, kmsKeyId: fake.awsManagedKey(account, 'ebs').arn, pollsLeft: fake.behaviour.createPolls ?? 1 });
    Object.assign(s, { origin: `created from ${input.VolumeId}` });
    Object.assign(s.tags, tagsOf(input.TagSpecifications));
    return { SnapshotId: id, State: 'pending' };
  },
  'ec2:createVolume': (fake, account, input) => {
    const s = fake.find(account, 'EBS', String(input.SnapshotId));
    if (!s || s.state !== 'available') throw taskError('Ec2.Ec2Exception', `InvalidSnapshot.NotFound: ${input.SnapshotId}`);
    if (!fake.canUse(account, String(input.KmsKeyId))) throw taskError('Ec2.Ec2Exception', `key ${input.KmsKeyId} cannot be used`);
    const id = fake.nextId('vol-');
    fake.restored.push({ id, account, from: s.id, kmsKeyId: String(input.KmsKeyId), tags: tagsOf(input.TagSpecifications) });
    return { VolumeId: id };
  },
  'rds:describeDBSnapshots': (fake, account, input) => {
    const s = fake.find(account, 'RDS_DB', String(input.DbSnapshotIdentifier));
    if (!s || (s.account !== account && !input.IncludeShared)) throw taskError('Rds.DbSnapshotNotFoundException', `${input.DbSnapshotIdentifier} not found`);
    const view = rdsView(s);
    fake.tick(s);
    return { DbSnapshots: [view] };
  },
  'rds:describeDBClusterSnapshots': (fake, account, input) => {
    const s = fake.find(account, 'AURORA_CLUSTER', String(input.DbClusterSnapshotIdentifier));
    if (!s || (s.account !== account && !input.IncludeShared)) throw taskError('Rds.DbClusterSnapshotNotFoundException', `${input.DbClusterSnapshotIdentifier} not found`);
    const view = rdsView(s);
    fake.tick(s);
    return { DbClusterSnapshots: [view] };
  },
  'rds:copyDBSnapshot': rdsCopy('RDS_DB'),
  'rds:copyDBClusterSnapshot': rdsCopy('AURORA_CLUSTER'),
  'rds:modifyDBSnapshotAttribute': rdsModify('RDS_DB'),
  'rds:modifyDBClusterSnapshotAttribute': rdsModify('AURORA_CLUSTER'),
  'rds:deleteDBSnapshot': deleteOp('RDS_DB', 'DbSnapshotIdentifier', 'Rds.DbSnapshotNotFoundException'),
  'rds:deleteDBClusterSnapshot': deleteOp('AURORA_CLUSTER', 'DbClusterSnapshotIdentifier', 'Rds.DbClusterSnapshotNotFoundException'),
  'rds:createDBSnapshot': (fake, account, input) => {
    const id = String(input.DbSnapshotIdentifier);
    const s = fake.addSnapshot({ id, kind: 'RDS_DB', account, kmsKeyId: fake.awsManagedKey(account, 'rds').arn, pollsLeft: fake.behaviour.createPolls ?? 1 });
    Object.assign(s, { origin: `created from ${input.DbInstanceIdentifier}` });
    Object.assign(s.tags, tagsOf([{ Tags: input.Tags }]));
    return { DbSnapshot: rdsView(s) };
  },
  'rds:createDBClusterSnapshot': (fake, account, input) => {
    const id = String(input.DbClusterSnapshotIdentifier);
    const s = fake.addSnapshot({ id, kind: 'AURORA_CLUSTER', account, kmsKeyId: fake.awsManagedKey(account, 'rds').arn, pollsLeft: fake.behaviour.createPolls ?? 1 });
    Object.assign(s, { origin: `created from ${input.DbClusterIdentifier}` });
    Object.assign(s.tags, tagsOf([{ Tags: input.Tags }]));
    return { DbClusterSnapshot: rdsView(s) };
  },
  'rds:restoreDBInstanceFromDBSnapshot': (fake, account, input) => {
    const s = fake.find(account, 'RDS_DB', String(input.DbSnapshotIdentifier));
    if (!s || s.account !== account) throw taskError('Rds.DbSnapshotNotFoundException', `${input.DbSnapshotIdentifier} not found (restore a copy, not a shared snapshot)`);
    fake.restored.push({ id: String(input.DbInstanceIdentifier), account, from: s.id, kmsKeyId: s.kmsKeyId, tags: tagsOf([{ Tags: input.Tags }]) });
    return { DbInstance: { DbInstanceIdentifier: input.DbInstanceIdentifier as string } };
  },
  'rds:restoreDBClusterFromSnapshot': (fake, account, input) => {
    const s = fake.find(account, 'AURORA_CLUSTER', String(input.SnapshotIdentifier));
    if (!s) throw taskError('Rds.DbClusterSnapshotNotFoundException', `${input.SnapshotIdentifier} not found`);
    if (!input.Engine) throw taskError('Rds.InvalidParameterValueException', 'Engine is required');
    const kmsKeyId = String(input.KmsKeyId ?? s.kmsKeyId);
    fake.restored.push({ id: String(input.DbClusterIdentifier), account, from: s.id, kmsKeyId, tags: tagsOf([{ Tags: input.Tags }]) });
    return { DbCluster: { DbClusterIdentifier: input.DbClusterIdentifier as string } };
  },
};

