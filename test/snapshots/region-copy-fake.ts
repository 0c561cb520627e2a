/**
 * An in-memory EC2 / RDS / SSM / SNS of ONE account in TWO Regions, for running the
 * `SnapshotRegionCopy` workflow offline with aws-local-stepfunctions. The share workflows' fake
 * (`fake-aws.ts`) models accounts in one Region and no SSM, so the Region copy has its own (see the
 * report of issue #14).
 *
 * Copies go from `pending` to available after `pollsLeft` describes, or, with a clock, once the
 * simulated time reaches their ready time. RDS parameters and results use the names Step Functions
 * uses (the AWS SDK for Java 2.x bean names: `DbSnapshotIdentifier`, `DbSnapshots`, and
 * `SourceDBSnapshotIdentifier` whose capitals are not leading; see `test/harness/sdk-models.ts`);
 * errors use Step Functions' error names (`Rds.DbSnapshotNotFoundException`, `Ec2.Ec2Exception`).
 */
import { taskOperations, ThrottlePlan } from './fake-sdk';
import { AslDefinition, JsonValue, runStateMachine, StateMachineRun, taskError, TaskHandler } from '../harness/state-machine';

export type RegionSnapshotKind = 'EBS' | 'RDS_DB' | 'AURORA_CLUSTER';

/** A snapshot of the fake account. */
export interface RegionSnapshot {
  readonly id: string;
  readonly kind: RegionSnapshotKind;
  readonly region: string;
  state: 'pending' | 'available' | 'error';
  pollsLeft: number;
  /** Simulated second at which it becomes available (with a clock). */
  readyAt?: number;
  readonly kmsKeyId?: string;
  readonly tags: Record<string, string>;
  readonly copiedFrom?: string;
}

/** How the fake misbehaves. */
export interface RegionFakeBehaviour {
  /** Describes before a copy is available. @default 2 */
  readonly pollsToComplete?: number;
  /** Copies end in the error state. */
  readonly copyFails?: boolean;
  /** The first N calls of an operation fail with a throttling error. */
  readonly throttle?: Readonly<Record<string, number>>;
  /** Seconds a copy takes (with `clock`). */
  readonly copySeconds?: number;
  /**
   * While the workflow waits for a copy's completion event (`putItem.waitForTaskToken`): the copy
   * completes and its event (EBS `copySnapshot`, RDS-EVENT-0060 / -0061) runs the callback
   * (`deliver`), or the event is lost and the wait times out (`lose`).
   * @default 'deliver'
   */
  readonly completionEvents?: 'deliver' | 'lose';
}

/** The fake account. */
export class RegionFake {
  public readonly snapshots = new Map<string, RegionSnapshot>();
  public readonly parameters = new Map<string, string>();
  public readonly published: JsonValue[] = [];
  public readonly calls: Array<{ operation: string; input: JsonValue }> = [];
  public readonly deleted: string[] = [];
  /** Simulated seconds (advanced by the caller from the Wait states entered). */
  public clock = 0;
  /** The callback state machine the completion events start (the construct's). */
  public callback?: AslDefinition;
  /** The token table: `<copy id>|<execution id>` -> item. */
  public readonly tokens = new Map<string, Record<string, JsonValue>>();
  /** The completion events emitted, and the callback runs they started. */
  public readonly emitted: JsonValue[] = [];
  public readonly callbackRuns: StateMachineRun[] = [];
  private readonly waiters = new Map<string, { output?: string; error?: { name: string; cause: string } }>();
  private counter = 0;
  private readonly throttles: ThrottlePlan;

  constructor(public readonly account: string, public readonly region: string, public readonly behaviour: RegionFakeBehaviour = {}) {
    this.throttles = new ThrottlePlan(behaviour.throttle);
  }

  /** Adds a snapshot (a source in another Region, or an unrelated one). */
  public add(s: { id: string; kind: RegionSnapshotKind; region: string; kmsKeyId?: string; tags?: Record<string, string>; state?: RegionSnapshot['state'] }): RegionSnapshot {
    const snapshot: RegionSnapshot = { state: 'available', pollsLeft: 0, ...s, tags: { ...(s.tags ?? {}) } };
    this.snapshots.set(`${s.region}/${s.id}`, snapshot);
    return snapshot;
  }

  /** The snapshots of a Region. */
  public in(region: string, kind?: RegionSnapshotKind): RegionSnapshot[] {
    return [...this.snapshots.values()].filter(s => s.region === region && (kind === undefined || s.kind === kind));
  }

  /** A handler for every Task state of a definition, chosen by its Resource. */
  public handlers(definition: AslDefinition): Record<string, TaskHandler> {
    return Object.fromEntries(taskOperations(definition).map(([name, operation]) => [name, operation === 'dynamodb:putItem.waitForTaskToken'
      ? (input: JsonValue) => this.awaitCompletion(input as Record<string, unknown>)
      : (input: JsonValue) => this.call(operation, input as Record<string, unknown>)]));
  }

  /** One API call. */
  public call(operation: string, input: Record<string, unknown>): JsonValue {
    this.calls.push({ operation, input: structuredClone(input) as JsonValue });
    this.throttles.check(operation);
    switch (operation) {
      case 'ssm:getParameter': {
        const value = this.parameters.get(String(input.Name));
        if (value === undefined) throw taskError('Ssm.ParameterNotFoundException', `${String(input.Name)} not found`);
        return { Parameter: { Name: input.Name as string, Value: value, Type: 'String' } };
      }
      case 'ssm:putParameter':
        if (!this.parameters.has(String(input.Name)) && input.Overwrite) throw taskError('Ssm.ParameterNotFoundException', 'not found');
        this.parameters.set(String(input.Name), String(input.Value));
        return { Version: 2 };
      case 'ec2:copySnapshot': return this.copyEbs(input);
      case 'ec2:describeSnapshots': return this.describeEbs(input);
      case 'ec2:deleteSnapshot': {
        const id = String(input.SnapshotId);
        if (!this.snapshots.delete(`${this.region}/${id}`)) throw taskError('Ec2.Ec2Exception', `The snapshot '${id}' does not exist. (InvalidSnapshot.NotFound)`);
        this.deleted.push(id);
        return {};
      }
      case 'rds:copyDBSnapshot': return this.copyRds('RDS_DB', input);
      case 'rds:copyDBClusterSnapshot': return this.copyRds('AURORA_CLUSTER', input);
      case 'rds:describeDBSnapshots': return this.describeRds('RDS_DB', input);
      case 'rds:describeDBClusterSnapshots': return this.describeRds('AURORA_CLUSTER', input);
      case 'rds:deleteDBSnapshot': return this.deleteRds('RDS_DB', input);
      case 'rds:deleteDBClusterSnapshot': return this.deleteRds('AURORA_CLUSTER', input);
      case 'dynamodb:deleteItem': {
        const k = input.Key as { snapshotId?: { S: string }; execution?: { S: string } } | undefined;
        if (!k?.snapshotId?.S || !k.execution?.S || typeof input.TableName !== 'string') throw taskError('DynamoDb.DynamoDbException', 'ValidationException');
        const key = `${k.snapshotId.S}|${k.execution.S}`;
        const old = this.tokens.get(key);
        this.tokens.delete(key);
        const result: JsonValue = input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
        return result;
      }
      case 'dynamodb:query': {
        const id = (input.ExpressionAttributeValues as Record<string, { S?: string }> | undefined)?.[':id']?.S;
        if (!id || input.KeyConditionExpression !== '#id = :id' || typeof input.TableName !== 'string') throw taskError('DynamoDb.DynamoDbException', 'ValidationException');
        const items = [...this.tokens.values()].filter((item) => (item.snapshotId as { S: string }).S === id).map((item) => structuredClone(item));
        return { Items: items, Count: items.length, ScannedCount: items.length };
      }
      case 'sfn:sendTaskSuccess':
      case 'sfn:sendTaskFailure': {
        const waiter = this.waiters.get(String(input.TaskToken));
        if (!waiter) throw taskError('Sfn.TaskDoesNotExistException', `task ${String(input.TaskToken)} does not exist`);
        if (operation === 'sfn:sendTaskSuccess') waiter.output = String(input.Output);
        else waiter.error = { name: String(input.Error), cause: String(input.Cause) };
        return {};
      }
      case 'sns:publish':
        this.published.push(input.Message as JsonValue);
        return { MessageId: 'm-1' };
      default:
        throw new Error(`the fake has no operation ${operation}`);
    }
  }

  /**
   * The workflow stores its token and waits: the copy completes (or fails), EC2 or RDS emits its
   * completion event in this Region, and the callback state machine resumes the workflow; with a
   * lost event the wait ends in `States.Timeout`.
   */
  private async awaitCompletion(input: Record<string, unknown>): Promise<JsonValue> {
    this.calls.push({ operation: 'dynamodb:putItem.waitForTaskToken', input: structuredClone(input) as JsonValue });
    const item = input.Item as { snapshotId: { S: string }; execution: { S: string }; taskToken: { S: string } };
    const id = item.snapshotId.S;
    const token = item.taskToken.S;
    this.tokens.set(`${id}|${item.execution.S}`, structuredClone(item) as unknown as Record<string, JsonValue>);
    const waiter: { output?: string; error?: { name: string; cause: string } } = {};
    this.waiters.set(token, waiter);
    try {
      const copy = this.snapshots.get(`${this.region}/${id}`);
      if (copy && copy.state === 'pending') {
        copy.state = this.behaviour.copyFails ? 'error' : 'available';
        const event = regionCopyEvent(copy, this.account, this.region);
        this.emitted.push(event);
        if ((this.behaviour.completionEvents ?? 'deliver') === 'deliver' && this.callback) {
          this.callbackRuns.push(await runStateMachine(this.callback, { input: event, taskHandlers: this.handlers(this.callback) }));
        }
      }
    } finally {
      this.waiters.delete(token);
    }
    if (waiter.error) throw taskError(waiter.error.name, waiter.error.cause);
    if (waiter.output !== undefined) return JSON.parse(waiter.output) as JsonValue;
    throw taskError('States.Timeout', 'no completion event within the event timeout');
  }

  private tick(s: RegionSnapshot): void {
    if (s.state !== 'pending') return;
    if (s.readyAt !== undefined) {
      if (this.clock >= s.readyAt) s.state = this.behaviour.copyFails ? 'error' : 'available';
      return;
    }
    if (s.pollsLeft <= 0) s.state = this.behaviour.copyFails ? 'error' : 'available';
    else s.pollsLeft--;
  }

  private newCopy(kind: RegionSnapshotKind, id: string, kmsKeyId: string, tags: Record<string, string>, copiedFrom: string): RegionSnapshot {
    const copy = this.add({ id, kind, region: this.region, kmsKeyId, tags, state: 'pending' });
    copy.pollsLeft = (this.behaviour.pollsToComplete ?? 2) - 1;
    if (this.behaviour.copySeconds !== undefined) copy.readyAt = this.clock + this.behaviour.copySeconds;
    (copy as { copiedFrom?: string }).copiedFrom = copiedFrom;
    return copy;
  }

  private copyEbs(input: Record<string, unknown>): JsonValue {
    const source = this.snapshots.get(`${String(input.SourceRegion)}/${String(input.SourceSnapshotId)}`);
    if (!source || source.kind !== 'EBS') {
      throw taskError('Ec2.Ec2Exception', `The snapshot '${String(input.SourceSnapshotId)}' does not exist. (InvalidSnapshot.NotFound)`);
    }
    if (String(input.SourceRegion) === this.region) throw new Error('a Region copy must come from another Region');
    if (typeof input.KmsKeyId !== 'string' || !input.KmsKeyId.includes(`:kms:${this.region}:`)) {
      throw taskError('Ec2.Ec2Exception', 'Must specify new KMS key for cross region encrypted snapshot copy');
    }
    const specs = (input.TagSpecifications as Array<{ Tags: Array<{ Key: string; Value: string }> }> | undefined) ?? [];
    const tags = Object.fromEntries(specs.flatMap(s => s.Tags).map(t => [t.Key, t.Value]));
    const id = `snap-${(++this.counter).toString(16).padStart(17, '0')}`;
    this.newCopy('EBS', id, input.KmsKeyId, tags, source.id);
    return { SnapshotId: id };
  }

  private describeEbs(input: Record<string, unknown>): JsonValue {
    let found = this.in(this.region, 'EBS');
    if (Array.isArray(input.SnapshotIds)) found = found.filter(s => (input.SnapshotIds as string[]).includes(s.id));
    for (const filter of (input.Filters as Array<{ Name: string; Values: string[] }> | undefined) ?? []) {
      if (!filter.Name.startsWith('tag:')) throw new Error(`the fake filters only by tag, got ${filter.Name}`);
      const key = filter.Name.slice(4);
      found = found.filter(s => filter.Values.includes(s.tags[key]));
    }
    if (Array.isArray(input.SnapshotIds) && found.length === 0) {
      throw taskError('Ec2.Ec2Exception', 'The snapshot does not exist. (InvalidSnapshot.NotFound)');
    }
    found.forEach(s => this.tick(s));
    return {
      Snapshots: found.map(s => ({
        SnapshotId: s.id,
        State: s.state === 'available' ? 'completed' : s.state,
        Encrypted: true,
        KmsKeyId: s.kmsKeyId ?? '',
        Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      })),
    };
  }

  private names(kind: RegionSnapshotKind): { single: string; id: string; api: string; arnKind: string } {
    return kind === 'RDS_DB' ? { single: 'DbSnapshot', id: 'DbSnapshotIdentifier', api: 'DBSnapshotIdentifier', arnKind: 'snapshot' }
      : { single: 'DbClusterSnapshot', id: 'DbClusterSnapshotIdentifier', api: 'DBClusterSnapshotIdentifier', arnKind: 'cluster-snapshot' };
  }

  private copyRds(kind: RegionSnapshotKind, input: Record<string, unknown>): JsonValue {
    const n = this.names(kind);
    const sourceArn = String(input[`Source${n.api}`]);
    const target = String(input[`Target${n.api}`]);
    const m = new RegExp(`^arn:aws:rds:([a-z0-9-]+):(\\d{12}):${n.arnKind}:(.+)$`).exec(sourceArn);
    if (!m) throw taskError('Rds.InvalidParameterValueException', `${sourceArn} is not a ${n.arnKind} ARN`);
    const source = this.snapshots.get(`${m[1]}/${m[3]}`);
    if (!source || source.kind !== kind || m[2] !== this.account) throw taskError(`Rds.${n.single}NotFoundException`, `${sourceArn} not found`);
    if (this.snapshots.has(`${this.region}/${target}`)) throw taskError(`Rds.${n.single}AlreadyExistsException`, `${target} exists`);
    if (!/^[a-z][a-z0-9-]{0,254}$/.test(target) || target.includes('--') || target.endsWith('-')) {
      throw taskError('Rds.InvalidParameterValueException', `${target} is not a valid identifier`);
    }
    if (typeof input.KmsKeyId !== 'string' || !input.KmsKeyId.includes(`:kms:${this.region}:`)) {
      throw taskError('Rds.InvalidParameterValueException', 'KmsKeyId must be a key of the destination Region');
    }
    const tags = Object.fromEntries(((input.Tags as Array<{ Key: string; Value: string }> | undefined) ?? []).map(t => [t.Key, t.Value]));
    this.newCopy(kind, target, input.KmsKeyId, tags, source.id);
    return { [n.single]: { [n.id]: target, Status: 'creating' } };
  }

  private describeRds(kind: RegionSnapshotKind, input: Record<string, unknown>): JsonValue {
    const n = this.names(kind);
    const s = this.snapshots.get(`${this.region}/${String(input[n.id])}`);
    if (!s || s.kind !== kind) throw taskError(`Rds.${n.single}NotFoundException`, `${String(input[n.id])} not found`);
    this.tick(s);
    return { [`${n.single}s`]: [{ [n.id]: s.id, Status: s.state === 'pending' ? 'creating' : s.state === 'error' ? 'failed' : 'available' }] };
  }

  private deleteRds(kind: RegionSnapshotKind, input: Record<string, unknown>): JsonValue {
    const n = this.names(kind);
    const id = String(input[n.id]);
    const s = this.snapshots.get(`${this.region}/${id}`);
    if (!s || s.kind !== kind) throw taskError(`Rds.${n.single}NotFoundException`, `${id} not found`);
    this.snapshots.delete(`${this.region}/${id}`);
    this.deleted.push(id);
    return { [n.single]: { [n.id]: id } };
  }
}

/**
 * The completion event of a copy made in `region`: EBS `copySnapshot` (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html),
 * RDS RDS-EVENT-0060 "Finished copy of snapshot ... from region" / RDS-EVENT-0061 canceled
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#USER_Events.Messages.snapshot).
 */
export function regionCopyEvent(copy: RegionSnapshot, account: string, region: string): JsonValue {
  const failed = copy.state === 'error';
  if (copy.kind === 'EBS') {
    const arn = `arn:aws:ec2::${region}:snapshot/${copy.id}`;
    return {
      'version': '0',
      'id': `evt-${copy.id}`,
      'detail-type': 'EBS Snapshot Notification',
      'source': 'aws.ec2',
      account,
      region,
      'resources': [arn],
      'detail': { event: 'copySnapshot', result: failed ? 'failed' : 'succeeded', cause: failed ? 'Snapshot copy failed (fake)' : '', snapshot_id: arn, source: `arn:aws:ec2::eu-west-1:snapshot/${copy.copiedFrom}` },
    };
  }
  const arn = `arn:aws:rds:${region}:${account}:snapshot:${copy.id}`;
  return {
    'version': '0',
    'id': `evt-${copy.id}`,
    'detail-type': 'RDS DB Snapshot Event',
    'source': 'aws.rds',
    account,
    region,
    'resources': [arn],
    'detail': {
      SourceType: 'SNAPSHOT',
      SourceArn: arn,
      SourceIdentifier: copy.id,
      EventID: failed ? 'RDS-EVENT-0061' : 'RDS-EVENT-0060',
      Message: failed ? `Canceled snapshot copy request of ${copy.id} from region eu-west-1.` : `Finished copy of snapshot ${copy.id} from region eu-west-1 in 12 minutes.`,
    },
  };
}
