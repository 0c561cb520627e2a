/**
 * An in-memory EC2 / RDS / SSM / EventBridge / SNS of ONE account in the SOURCE Region, for running
 * the `SnapshotRegionCopySchedule` workflow offline with aws-local-stepfunctions.
 *
 * It answers as the services do where the workflow depends on it: `DescribeSnapshots` honours
 * `OwnerIds`, the `volume-id` and `status` filters and pages of `MaxResults` (5 to 1000) with a
 * `NextToken`; `DescribeDBSnapshots` / `DescribeDBClusterSnapshots` take the instance or cluster
 * identifier and pages of `MaxRecords` (20 to 100) with a `Marker`, list snapshots in every status,
 * and fail with `DBInstanceNotFound` / `DBClusterNotFoundFault` for an unknown source. Lists come in
 * an order unrelated to time (the services promise none). Times are ISO 8601 strings. Names are
 * Step Functions' (the AWS SDK for Java 2.x bean names: `DbInstanceIdentifier`, `DbSnapshots`,
 * `DbSnapshotArn`); errors too (`Rds.DbInstanceNotFoundException`, `Ec2.Ec2Exception`).
 * `PutEvents` answers `FailedEntryCount` per entry (it does not throw for a rejected entry).
 */
import { taskOperations, ThrottlePlan } from './fake-sdk';
import { AslDefinition, JsonValue, taskError, TaskHandler } from '../harness/state-machine';

export type SourceKind = 'EBS' | 'RDS_DB' | 'AURORA_CLUSTER';

/** A snapshot of the source Region. */
export interface SourceSnapshot {
  readonly kind: SourceKind;
  /** `snap-...` or the RDS identifier. */
  readonly id: string;
  /** The volume id, DB instance or DB cluster identifier. */
  readonly source: string;
  /** ISO 8601. */
  readonly time: string;
  /** EBS: pending / completed / error; RDS: creating / available / failed. */
  readonly status: string;
  /** Another account's snapshot (EBS: excluded by `OwnerIds: self`). */
  readonly foreign?: boolean;
  /** RDS DB snapshots: `OriginalSnapshotCreateTime` (a copy made in the Region keeps its origin's); `time` when not given. */
  readonly originalTime?: string;
}

/** How the fake misbehaves. */
export interface ScheduleFakeBehaviour {
  /** The first N calls of an operation fail with a throttling error. */
  readonly throttle?: Readonly<Record<string, number>>;
  /** PutEvents rejects every entry (FailedEntryCount 1, no exception). */
  readonly rejectEvents?: boolean;
  /** RDS sources that do not exist (DescribeDBSnapshots fails). */
  readonly missingSources?: readonly string[];
}

export class ScheduleFake {
  public readonly snapshots: SourceSnapshot[] = [];
  public readonly parameters = new Map<string, string>();
  public readonly calls: Array<{ operation: string; input: Record<string, unknown> }> = [];
  /** Entries accepted by PutEvents, with the event EventBridge would make of each. */
  public readonly events: Array<Record<string, JsonValue>> = [];
  public readonly published: JsonValue[] = [];
  private readonly throttles: ThrottlePlan;

  constructor(public readonly account: string, public readonly region: string, public readonly behaviour: ScheduleFakeBehaviour = {}) {
    this.throttles = new ThrottlePlan(behaviour.throttle);
  }

  public add(...snapshots: SourceSnapshot[]): this {
    this.snapshots.push(...snapshots);
    return this;
  }

  public handlers(definition: AslDefinition): Record<string, TaskHandler> {
    return Object.fromEntries(taskOperations(definition).map(([name, operation]) =>
      [name, (input: JsonValue) => this.call(operation, input as Record<string, unknown>)]));
  }

  public call(operation: string, input: Record<string, unknown>): JsonValue {
    this.calls.push({ operation, input: structuredClone(input) });
    this.throttles.check(operation);
    switch (operation) {
      case 'ec2:describeSnapshots': return this.describeEbs(input);
      case 'rds:describeDBSnapshots': return this.describeRds('RDS_DB', input);
      case 'rds:describeDBClusterSnapshots': return this.describeRds('AURORA_CLUSTER', input);
      case 'ssm:getParameter': {
        const value = this.parameters.get(String(input.Name));
        if (value === undefined) throw taskError('Ssm.ParameterNotFoundException', `${String(input.Name)} not found`);
        return { Parameter: { Name: String(input.Name), Value: value, Type: 'String' } };
      }
      case 'ssm:putParameter':
        if (input.Overwrite !== true || !this.parameters.has(String(input.Name))) throw taskError('Ssm.ParameterAlreadyExistsException', 'exists');
        if (typeof input.Value !== 'string') throw taskError('Ssm.SsmException', 'Value must be a string');
        this.parameters.set(String(input.Name), input.Value);
        return { Version: 2, Tier: 'Standard' };
      case 'eventbridge:putEvents': return this.putEvents(input);
      case 'sns:publish':
        this.published.push(input.Message as JsonValue);
        return { MessageId: 'm-1' };
      default:
        throw new Error(`the fake has no operation ${operation}`);
    }
  }

  /** A page of `list` after `token` (a position); the order is a fixed shuffle, unrelated to time. */
  private page<T>(list: T[], size: number, token: unknown): { items: T[]; next?: string } {
    const start = token === undefined ? 0 : Number(String(token).replace(/^page-/, ''));
    if (token !== undefined && (!/^page-\d+$/.test(String(token)) || start >= list.length)) throw new Error(`the fake got a token it never gave: ${String(token)}`);
    const items = list.slice(start, start + size);
    return { items, next: start + size < list.length ? `page-${start + size}` : undefined };
  }

  private shuffled(list: SourceSnapshot[]): SourceSnapshot[] {
    // Odd positions first, then even ones, each reversed: never sorted by time in the tests' data.
    return [...list.filter((_, i) => i % 2 === 1).reverse(), ...list.filter((_, i) => i % 2 === 0).reverse()];
  }

  private describeEbs(input: Record<string, unknown>): JsonValue {
    const size = input.MaxResults as number | undefined;
    if (size !== undefined && (size < 5 || size > 1000)) throw taskError('Ec2.Ec2Exception', 'MaxResults must be from 5 to 1000 (InvalidParameterValue)');
    if (input.SnapshotIds !== undefined && size !== undefined) throw taskError('Ec2.Ec2Exception', 'MaxResults cannot be used with SnapshotIds');
    let found = this.snapshots.filter(s => s.kind === 'EBS');
    if (JSON.stringify(input.OwnerIds) === '["self"]') found = found.filter(s => !s.foreign);
    for (const filter of (input.Filters as Array<{ Name: string; Values: string[] }> | undefined) ?? []) {
      if (filter.Name === 'volume-id') found = found.filter(s => filter.Values.includes(s.source));
      else if (filter.Name === 'status') found = found.filter(s => filter.Values.includes(s.status));
      else throw new Error(`the fake has no filter ${filter.Name}`);
    }
    const { items, next } = this.page(this.shuffled(found), size ?? 1000, input.NextToken);
    return {
      Snapshots: items.map(s => ({
        SnapshotId: s.id, VolumeId: s.source, StartTime: s.time, State: s.status, Encrypted: true, OwnerId: this.account,
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  private describeRds(kind: 'RDS_DB' | 'AURORA_CLUSTER', input: Record<string, unknown>): JsonValue {
    const cluster = kind === 'AURORA_CLUSTER';
    const sourceField = cluster ? 'DbClusterIdentifier' : 'DbInstanceIdentifier';
    const source = input[sourceField];
    if (typeof source !== 'string') throw new Error(`the fake needs ${sourceField}, got ${JSON.stringify(input)}`);
    const size = (input.MaxRecords as number | undefined) ?? 100;
    if (size < 20 || size > 100) throw taskError('Rds.InvalidParameterValueException', 'MaxRecords must be from 20 to 100');
    if (this.behaviour.missingSources?.includes(source)) {
      throw cluster ? taskError('Rds.DbClusterNotFoundException', `DBCluster ${source} not found`) : taskError('Rds.DbInstanceNotFoundException', `DBInstance ${source} not found`);
    }
    const found = this.shuffled(this.snapshots.filter(s => s.kind === kind && s.source === source));
    const { items, next } = this.page(found, size, input.Marker);
    const single = cluster ? 'DbClusterSnapshot' : 'DbSnapshot';
    const arnKind = cluster ? 'cluster-snapshot' : 'snapshot';
    return {
      [`${single}s`]: items.map(s => ({
        [`${single}Identifier`]: s.id,
        [`${single}Arn`]: `arn:aws:rds:${this.region}:${this.account}:${arnKind}:${s.id}`,
        [cluster ? 'DbClusterIdentifier' : 'DbInstanceIdentifier']: s.source,
        Status: s.status,
        // RDS gives a snapshot still being created no creation time yet in the tests' data.
        ...(s.status === 'creating' ? {} : { SnapshotCreateTime: s.time }),
        // DB snapshots only: a copy gets a new SnapshotCreateTime and keeps the original's time here.
        ...(s.status === 'creating' || cluster ? {} : { OriginalSnapshotCreateTime: s.originalTime ?? s.time }),
        SnapshotType: s.id.startsWith('rds:') ? 'automated' : 'manual',
        Encrypted: true,
      })),
      ...(next ? { Marker: next } : {}),
    };
  }

  private putEvents(input: Record<string, unknown>): JsonValue {
    const entries = input.Entries as Array<Record<string, unknown>>;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) throw taskError('EventBridge.EventBridgeException', 'Entries: 1 to 10');
    if (this.behaviour.rejectEvents) {
      return { FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'fake rejection' })) };
    }
    const results = entries.map((e) => {
      if (typeof e.Detail !== 'string') throw taskError('EventBridge.EventBridgeException', 'Detail must be a JSON string');
      const id = `evt-${this.events.length + 1}`;
      this.events.push({
        'version': '0',
        id,
        'detail-type': String(e.DetailType),
        'source': String(e.Source),
        'account': this.account,
        'time': '2026-12-02T06:00:00Z',
        'region': this.region,
        'resources': [],
        'detail': JSON.parse(e.Detail) as JsonValue,
      });
      return { EventId: id };
    });
    return { FailedEntryCount: 0, Entries: results };
  }
}
