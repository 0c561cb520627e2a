/**
 * A small in-memory EC2 / RDS (and KMS, EventBridge, SNS) for running the snapshot workflows
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
import { AslDefinition, AslState, JsonValue, taskError, TaskHandler } from '../harness/state-machine';

export type SnapshotKind = 'EBS' | 'RDS_DB' | 'AURORA_CLUSTER';

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
  readonly kind: SnapshotKind;
  readonly account: string;
  state: 'pending' | 'available' | 'error';
  /** Describes left before a pending snapshot becomes available. */
  pollsLeft: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly tags: Record<string, string>;
  readonly sharedWith: Set<string>;
  readonly engine?: string;
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
}

const REGION = 'eu-west-1';

export class FakeAws {
  public readonly keys = new Map<string, FakeKey>();
  public readonly snapshots = new Map<string, FakeSnapshot>();
  public readonly restored: FakeRestored[] = [];
  public readonly published: Array<{ account: string; message: JsonValue }> = [];
  public readonly events: Array<{ account: string; entries: JsonValue }> = [];
  /** Every SDK call: account, operation, parameters. */
  public readonly calls: Array<{ account: string; operation: string; input: JsonValue }> = [];
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
  public awsManagedKey(account: string, service: 'ebs' | 'rds'): FakeKey {
    const arn = `arn:aws:kms:${REGION}:${account}:key/aws-managed-${service}`;
    let key = this.keys.get(arn);
    if (!key) {
      key = { arn, account, awsManaged: true, sharedWith: new Set(), enabled: true };
      this.keys.set(arn, key);
    }
    return key;
  }

  /** Adds a snapshot (available unless `pollsLeft` is given). */
  public addSnapshot(s: { id: string; kind: SnapshotKind; account: string; kmsKeyId?: string; pollsLeft?: number; state?: FakeSnapshot['state']; engine?: string }): FakeSnapshot {
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

  /** The snapshots of an account. */
  public snapshotsOf(account: string, kind?: SnapshotKind): FakeSnapshot[] {
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
    const prefix = service === 'ec2' ? 'Ec2' : service === 'rds' ? 'Rds' : service;
    const throttled = this.behaviour.throttle?.[operation] ?? 0;
    if (throttled > 0) {
      this.behaviour.throttle![operation] = throttled - 1;
      throw taskError(service === 'ec2' ? 'Ec2.Ec2Exception' : 'Rds.RdsException', `${prefix} Throttling: Rate exceeded (${operation})`);
    }
    const failure = this.behaviour.failWith?.[operation];
    if (failure) throw taskError(failure, `${operation} failed (${failure})`);
    const handler = OPERATIONS[operation];
    if (!handler) throw new Error(`the fake does not implement ${operation}`);
    return handler(this, account, input);
  }

  /** @internal */
  public keyOf(account: string, kind: SnapshotKind, id: string): string {
    return `${account}/${kind}/${id}`;
  }

  /** @internal */
  public nextId(prefix: string): string {
    return `${prefix}${(++this.counter).toString(16).padStart(17, '0')}`;
  }

  /** A snapshot by id or ARN, visible to `account` (own, or shared with it). */
  public find(account: string, kind: SnapshotKind, idOrArn: string): FakeSnapshot | undefined {
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

function rdsCopy(kind: SnapshotKind): Operation {
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

function rdsModify(kind: SnapshotKind): Operation {
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

function deleteOp(kind: SnapshotKind, param: string, notFound: string): Operation {
  return (fake, account, input) => {
    const key = fake.keyOf(account, kind, String(input[param]));
    if (!fake.snapshots.has(key)) throw taskError(notFound, `${input[param]} not found`);
    fake.snapshots.delete(key);
    return {};
  };
}

const OPERATIONS: Record<string, Operation> = {
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
    const s = fake.addSnapshot({ id, kind: 'EBS', account, kmsKeyId: fake.awsManagedKey(account, 'ebs').arn, pollsLeft: 1 });
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
    const s = fake.addSnapshot({ id, kind: 'RDS_DB', account, kmsKeyId: fake.awsManagedKey(account, 'rds').arn, pollsLeft: 1 });
    Object.assign(s, { origin: `created from ${input.DbInstanceIdentifier}` });
    Object.assign(s.tags, tagsOf([{ Tags: input.Tags }]));
    return { DbSnapshot: rdsView(s) };
  },
  'rds:createDBClusterSnapshot': (fake, account, input) => {
    const id = String(input.DbClusterSnapshotIdentifier);
    const s = fake.addSnapshot({ id, kind: 'AURORA_CLUSTER', account, kmsKeyId: fake.awsManagedKey(account, 'rds').arn, pollsLeft: 1 });
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

function allStates(definition: { States: Readonly<Record<string, AslState>> }): Array<[string, AslState]> {
  const out: Array<[string, AslState]> = [];
  for (const [name, state] of Object.entries(definition.States)) {
    out.push([name, state]);
    for (const sub of [...(Array.isArray(state.Branches) ? state.Branches : []), state.Iterator, state.ItemProcessor]) {
      if (typeof sub === 'object' && sub !== null && 'States' in sub) out.push(...allStates(sub as { States: Record<string, AslState> }));
    }
  }
  return out;
}
