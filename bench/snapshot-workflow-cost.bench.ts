/**
 * Step Functions cost of one snapshot copy: the state transitions of the REAL synthesized
 * `SnapshotRegionCopy` definition, counted by executing it with aws-local-stepfunctions against an
 * in-memory account whose copy takes 5, 30 or 120 minutes. Waits are overridden to 0 ms; a
 * simulated clock advances by each Wait state's seconds (read from the state's input as the
 * execution enters it), so the copy is reported available exactly when the simulated time reaches
 * its duration. Compared with the common fixed 30-second polling loop (Wait 30 s -> describe ->
 * Choice), built with aws-cdk-lib and executed the same way.
 *
 * Price: Step Functions standard workflows, $0.025 per 1,000 state transitions (us-east-1, after
 * the free tier of 4,000 a month, which is ignored here). https://aws.amazon.com/step-functions/pricing/
 *
 *   npx ts-node --project bench/tsconfig.json bench/snapshot-workflow-cost.bench.ts
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { printSection, table } from './harness';
import { SnapshotRegionCopy, SnapshotType } from '../src';
import { AslDefinition, AslState, extractDefinition } from '../test/harness/state-machine';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node >= 22); Node 20 needs this polyfill.
const promiseCtor = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseCtor.withResolvers !== 'function') {
  promiseCtor.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
// aws-local-stepfunctions is a devDependency: the benchmark runs in development only.
// eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
const { StateMachine } = require('aws-local-stepfunctions') as { StateMachine: new (definition: unknown, options: unknown) => LocalMachine };
interface LocalMachine {
  run(input: unknown, options: unknown): { result: Promise<unknown>; eventLogs: AsyncGenerator<LocalEvent> };
}
interface LocalEvent {
  readonly type: string;
  readonly state?: { readonly name: string; readonly type: string; readonly input: unknown };
}

const PRICE_PER_TRANSITION = 0.025 / 1000;
const DURATIONS_MINUTES = [5, 30, 120];
const ACCOUNT = '111111111111';

/** The real workflow, EBS only (the RDS and Aurora branches wait the same way). */
function regionCopyDefinition(firstPoll?: Duration): AslDefinition {
  const app = new App();
  const stack = new Stack(app, 'Dr', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const copy = new SnapshotRegionCopy(stack, 'Copy', {
    sourceRegion: 'eu-west-1', copyNamePrefix: 'dr', snapshotTypes: [SnapshotType.EBS], copyOnSourceEvents: false, firstPoll,
  });
  app.synth();
  return extractDefinition(stack, copy.stateMachine);
}

/** The common baseline: copy, then Wait 30 s -> describe -> Choice until completed. */
function fixedPollingDefinition(): AslDefinition {
  const app = new App();
  const stack = new Stack(app, 'Baseline', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const copy = new tasks.CallAwsService(stack, 'CopySnapshot', {
    service: 'ec2',
    action: 'copySnapshot',
    iamResources: ['*'],
    parameters: { 'SourceRegion': 'eu-west-1', 'SourceSnapshotId.$': '$.sourceSnapshotId' },
    resultSelector: { 'id.$': '$.SnapshotId' },
    resultPath: '$.copy',
  });
  const wait = new sfn.Wait(stack, 'Wait30Seconds', { time: sfn.WaitTime.duration(Duration.seconds(30)) });
  const describe = new tasks.CallAwsService(stack, 'DescribeSnapshot', {
    service: 'ec2',
    action: 'describeSnapshots',
    iamResources: ['*'],
    parameters: { 'SnapshotIds.$': 'States.Array($.copy.id)' },
    resultSelector: { 'snapshot.$': '$.Snapshots[0]' },
    resultPath: '$.status',
  });
  const done = new sfn.Choice(stack, 'Completed?')
    .when(sfn.Condition.stringEquals('$.status.snapshot.State', 'completed'), new sfn.Succeed(stack, 'Done'))
    .otherwise(wait);
  const machine = new sfn.StateMachine(stack, 'Baseline', { definitionBody: sfn.DefinitionBody.fromChainable(copy.next(wait).next(describe).next(done)) });
  app.synth();
  return extractDefinition(stack, machine);
}

function allStates(states: Readonly<Record<string, AslState>>): Array<[string, AslState]> {
  return Object.entries(states).flatMap(([name, state]) => {
    const processor = (state.ItemProcessor ?? state.Iterator) as { States?: Record<string, AslState> } | undefined;
    return [[name, state] as [string, AslState], ...(processor?.States ? allStates(processor.States) : [])];
  });
}

function readPath(input: unknown, path: string): unknown {
  return path.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], input);
}

interface Outcome {
  readonly transitions: number;
  readonly polls: number;
  readonly simulatedMinutes: number;
  readonly status: string;
}

/** Executes a definition against one copy that takes `minutes`; counts every state entered. */
async function execute(definition: AslDefinition, minutes: number): Promise<Outcome> {
  const states = allStates(definition.States);
  const waitSeconds = new Map(states.filter(([, s]) => s.Type === 'Wait').map(([name, s]) => [name, s]));
  let clock = 0;
  let polls = 0;
  const readyAt = minutes * 60;
  const parameters = new Map<string, string>([['/cdk-kms-patterns/snapshot-region-copy/dr/EBS_SNAPSHOT', '0']]);
  const byResource: Record<string, (input: Record<string, unknown>) => unknown> = {
    'ssm:getParameter': (i) => ({ Parameter: { Value: parameters.get(String(i.Name)) } }),
    'ssm:putParameter': (i) => (parameters.set(String(i.Name), String(i.Value)), {}),
    'ec2:copySnapshot': () => ({ SnapshotId: 'snap-0fedcba9876543210' }),
    'ec2:describeSnapshots': (i) => {
      if (Array.isArray(i.SnapshotIds)) {
        polls++;
        return { Snapshots: [{ SnapshotId: 'snap-0fedcba9876543210', State: clock >= readyAt ? 'completed' : 'pending' }] };
      }
      // pruning: the copy made keepCopies copies earlier (steady state: one to delete)
      return { Snapshots: [{ SnapshotId: 'snap-0aaaaaaaaaaaaaaaa' }] };
    },
    'ec2:deleteSnapshot': () => ({}),
    'sns:publish': () => ({}),
  };
  const handlers = Object.fromEntries(states.filter(([, s]) => s.Type === 'Task').map(([name, s]) => {
    const operation = String(s.Resource).replace(/^arn:[^:]+:states:::(aws-sdk:)?/, '');
    const handler = byResource[operation];
    if (!handler) throw new Error(`no handler for ${operation} (${name})`);
    // Let the event consumer catch up first, so the clock includes the Wait just entered.
    return [name, async (input: Record<string, unknown>) => {
      await new Promise(resolve => setImmediate(resolve));
      return handler(input);
    }];
  }));
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  const execution = machine.run({ snapshotType: 'EBS_SNAPSHOT', sourceSnapshotId: 'snap-0123456789abcdef0' }, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      waitTimeOverrides: Object.fromEntries([...waitSeconds.keys()].map(name => [name, 0])),
    },
    context: { Execution: { Id: 'bench', Input: {} } },
  });
  let transitions = 0;
  const counting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type !== 'StateEntered' || !event.state) continue;
      transitions++;
      const wait = waitSeconds.get(event.state.name);
      if (wait) {
        const seconds = typeof wait.Seconds === 'number' ? wait.Seconds : Number(readPath(event.state.input, String(wait.SecondsPath)));
        if (!Number.isFinite(seconds)) throw new Error(`cannot read the wait of ${event.state.name}`);
        clock += seconds;
      }
    }
  })();
  let status = 'SUCCEEDED';
  try {
    await execution.result;
  } catch (e) {
    status = `FAILED (${(e as Error).message})`;
  }
  await counting;
  return { transitions, polls, simulatedMinutes: clock / 60, status };
}

async function main(): Promise<void> {
  const ours = regionCopyDefinition();
  const slower = regionCopyDefinition(Duration.minutes(10));
  const baseline = fixedPollingDefinition();
  const rows: Array<Array<string | number>> = [];
  const ratios: number[] = [];
  for (const minutes of DURATIONS_MINUTES) {
    const a = await execute(ours, minutes);
    const b = await execute(baseline, minutes);
    const c = await execute(slower, minutes);
    if ([a, b, c].some(o => o.status !== 'SUCCEEDED')) throw new Error(`an execution failed: ${a.status} / ${b.status} / ${c.status}`);
    if (a.simulatedMinutes < minutes || b.simulatedMinutes < minutes) throw new Error('the simulated clock did not reach the copy time');
    ratios.push(a.transitions / b.transitions);
    rows.push([
      `${minutes} min`,
      `${a.transitions} (polls: ${a.polls}; seen done at ${a.simulatedMinutes.toFixed(0)} min)`,
      `$${(a.transitions * PRICE_PER_TRANSITION).toFixed(5)}`,
      `${b.transitions} (polls: ${b.polls})`,
      `$${(b.transitions * PRICE_PER_TRANSITION).toFixed(5)}`,
      `${(100 * a.transitions / b.transitions).toFixed(1)} %`,
      `${c.transitions} (${(100 * c.transitions / b.transitions).toFixed(1)} %; seen done at ${c.simulatedMinutes.toFixed(0)} min)`,
    ]);
  }
  printSection('Snapshot Region copy: Step Functions cost per copy', [
    'State transitions of one EBS copy by the synthesized `SnapshotRegionCopy` definition (capped exponential backoff: first check after 5 min, '
    + 'then 10, 20, 30, 30... min; sequence bump, copy and pruning included), counted by executing it with aws-local-stepfunctions '
    + 'against a copy that takes the given time, versus a fixed 30-second polling loop. $0.025 per 1,000 transitions (standard workflows).',
    '',
    table(['copy takes', 'SnapshotRegionCopy transitions (defaults)', 'cost', 'fixed 30 s loop transitions', 'cost', 'ratio',
      'with firstPoll 10 min'], rows),
    '',
    `Goal: at most one tenth of the fixed loop. Met for: ${DURATIONS_MINUTES.filter((_, i) => ratios[i] <= 0.1).map(m => `${m} min`).join(', ') || 'none'}; `
    + `not met for: ${DURATIONS_MINUTES.filter((_, i) => ratios[i] > 0.1).map(m => `${m} min`).join(', ') || 'none'} `
    + '(a short copy costs a few fixed transitions, sequence, copy, pruning, that the loop does not have, and the first check waits 5 minutes).',
  ]);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
