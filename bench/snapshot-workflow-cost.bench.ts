/**
 * Step Functions cost of one snapshot copy: the state transitions of the REAL synthesized
 * `SnapshotRegionCopy` definitions, counted by executing them with aws-local-stepfunctions against
 * an in-memory account whose copy takes 5, 30 or 120 minutes. Waits are overridden to 0 ms; a
 * simulated clock advances by each Wait state's seconds (read from the state's input as the
 * execution enters it), so the copy is reported available exactly when the simulated time reaches
 * its duration. Compared with the common fixed 30-second polling loop (Wait 30 s -> describe ->
 * Choice), built with aws-cdk-lib and executed the same way.
 *
 * With completion events (the default): the workflow stores its task token and waits
 * (`putItem.waitForTaskToken`, at most the event timeout); the simulated clock jumps to the copy's
 * end (or by one event timeout, when the copy is not done by then or the event is lost), and the
 * copy's completion event runs the REAL callback definition (EXPRESS), whose transitions are
 * counted too.
 *
 * Price: Step Functions standard workflows, $0.025 per 1,000 state transitions; express workflows,
 * $1.00 per million requests plus $0.00001667 per GB-second (64 MB billed, 100 ms minimum) (us-east-1, free
 * tier ignored). https://aws.amazon.com/step-functions/pricing/
 *
 *   npx ts-node --project bench/tsconfig.json bench/snapshot-workflow-cost.bench.ts
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { printSection, table } from './harness';
import { SnapshotRegionCopy, SnapshotType } from '../src';
import { CompletionWaits } from '../src/snapshots/private/event-wait';
import { AslDefinition, AslState, extractDefinition } from '../test/harness/state-machine';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node >= 22): the shared polyfill.
import '../test/harness/promise-polyfill';
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
/** One express execution: the request, and 100 ms at 64 MB. */
const PRICE_PER_EXPRESS_RUN = 1 / 1_000_000 + 0.1 * (64 / 1024) * 0.00001667;
const DURATIONS_MINUTES = [5, 30, 120];
const ACCOUNT = '111111111111';

/** A synthesized workflow and, with completion events, its callback machine and event timeout. */
interface Workflow {
  readonly definition: AslDefinition;
  readonly callback?: AslDefinition;
  readonly eventTimeoutSeconds?: number;
}

/** The real workflow, EBS only (RDS DB snapshots wait the same way; Aurora cluster snapshots poll). */
function regionCopyWorkflow(options: { firstPoll?: Duration; completionEvents?: boolean } = {}): Workflow {
  const app = new App();
  const stack = new Stack(app, 'Dr', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const copy = new SnapshotRegionCopy(stack, 'Copy', {
    sourceRegion: 'eu-west-1', copyNamePrefix: 'dr', snapshotTypes: [SnapshotType.EBS], copyOnSourceEvents: false, ...options,
  });
  app.synth();
  const waits = copy.node.tryFindChild('CompletionEvents') as CompletionWaits | undefined;
  return {
    definition: extractDefinition(stack, copy.stateMachine),
    callback: waits?.callback ? extractDefinition(stack, waits.callback) : undefined,
    eventTimeoutSeconds: waits?.callback ? waits.eventTimeout.toSeconds() : undefined,
  };
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
  /** Transitions of the main (standard) execution. */
  readonly transitions: number;
  /** Transitions of the callback (express) executions, and how many there were. */
  readonly callbackTransitions: number;
  readonly callbackRuns: number;
  readonly polls: number;
  readonly simulatedMinutes: number;
  readonly status: string;
}

/** Runs a definition locally; counts the states entered; `onEnter` sees each state as it is entered. */
async function runCounting(definition: AslDefinition, input: unknown, handlers: Record<string, (input: Record<string, unknown>) => unknown>,
  onEnter: (state: { name: string; input: unknown }) => void = () => undefined): Promise<{ transitions: number; status: string }> {
  const waits = allStates(definition.States).filter(([, s]) => s.Type === 'Wait').map(([name]) => name);
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: Object.fromEntries(waits.map(name => [name, 0])) },
    context: { Execution: { Id: 'bench', Input: {} }, Task: { Token: 'bench-token' } },
  });
  let transitions = 0;
  const counting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type !== 'StateEntered' || !event.state) continue;
      transitions++;
      onEnter(event.state);
    }
  })();
  let status = 'SUCCEEDED';
  try {
    await execution.result;
  } catch (e) {
    status = `FAILED (${(e as Error).message})`;
  }
  await counting;
  return { transitions, status };
}

/**
 * Executes a workflow against one copy that takes `minutes`; counts every state entered, of the
 * main execution and of the callback executions the copy's completion event starts. With
 * `loseEvents` no event is ever delivered (every wait times out: the worst case).
 */
async function execute(workflow: Workflow, minutes: number, loseEvents = false): Promise<Outcome> {
  const definition = workflow.definition;
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
    'sns:publish': (i) => { throw new Error(`the workflow failed: ${JSON.stringify(i.Message)}`); },
    'dynamodb:deleteItem': () => ({}),
  };
  let callbackTransitions = 0;
  let callbackRuns = 0;
  // The wait for the completion event: the copy ends within this wait, or the wait times out.
  const awaitEvent = async (): Promise<unknown> => {
    const timeout = workflow.eventTimeoutSeconds!;
    if (loseEvents || clock + timeout < readyAt) {
      clock += timeout;
      throw Object.assign(new Error('no completion event within the event timeout'), { name: 'States.Timeout' });
    }
    clock = Math.max(clock, readyAt);
    // EC2 emits the copy's event; the rule starts the callback, which resumes this task.
    let output: unknown;
    const event = {
      'source': 'aws.ec2',
      'detail-type': 'EBS Snapshot Notification',
      'account': ACCOUNT,
      'region': 'us-east-1',
      'detail': { event: 'copySnapshot', result: 'succeeded', cause: '', snapshot_id: 'arn:aws:ec2::us-east-1:snapshot/snap-0fedcba9876543210' },
    };
    const callbackHandlers = Object.fromEntries(allStates(workflow.callback!.States).filter(([, s]) => s.Type === 'Task').map(([name, s]) => {
      const operation = String(s.Resource).replace(/^arn:[^:]+:states:::(aws-sdk:)?/, '');
      // One execution waits: the query finds its item, the Map takes it (deleteItem) and resumes it.
      const item = { snapshotId: { S: 'snap-0fedcba9876543210' }, execution: { S: 'bench' }, taskToken: { S: 'bench-token' } };
      const handler = operation === 'dynamodb:query' ? () => ({ Items: [item], Count: 1 })
        : operation === 'dynamodb:deleteItem' ? () => ({ Attributes: item })
          : operation === 'sfn:sendTaskSuccess' ? (i: Record<string, unknown>) => (output = JSON.parse(String(i.Output)), {})
            : operation === 'sfn:sendTaskFailure' ? () => { throw new Error('the copy succeeded: no failure to send'); } : undefined;
      if (!handler) throw new Error(`no callback handler for ${operation}`);
      return [name, async (i: Record<string, unknown>) => handler(i)];
    }));
    const run = await runCounting(workflow.callback!, event, callbackHandlers);
    if (run.status !== 'SUCCEEDED' || output === undefined) throw new Error(`the callback did not resume the task: ${run.status}`);
    callbackTransitions += run.transitions;
    callbackRuns++;
    return output;
  };
  const handlers = Object.fromEntries(states.filter(([, s]) => s.Type === 'Task').map(([name, s]) => {
    const operation = String(s.Resource).replace(/^arn:[^:]+:states:::(aws-sdk:)?/, '');
    const handler = operation === 'dynamodb:putItem.waitForTaskToken' ? awaitEvent : byResource[operation];
    if (!handler) throw new Error(`no handler for ${operation} (${name})`);
    // Let the event consumer catch up first, so the clock includes the Wait just entered.
    return [name, async (input: Record<string, unknown>) => {
      await new Promise(resolve => setImmediate(resolve));
      return handler(input);
    }];
  }));
  const run = await runCounting(definition, { snapshotType: 'EBS', sourceSnapshotId: 'snap-0123456789abcdef0' }, handlers, (state) => {
    const wait = waitSeconds.get(state.name);
    if (wait) {
      const seconds = typeof wait.Seconds === 'number' ? wait.Seconds : Number(readPath(state.input, String(wait.SecondsPath)));
      if (!Number.isFinite(seconds)) throw new Error(`cannot read the wait of ${state.name}`);
      clock += seconds;
    }
  });
  const { transitions, status } = run;
  return { transitions, callbackTransitions, callbackRuns, polls, simulatedMinutes: clock / 60, status };
}

async function main(): Promise<void> {
  const events = regionCopyWorkflow();
  const polling = regionCopyWorkflow({ completionEvents: false });
  const baseline: Workflow = { definition: fixedPollingDefinition() };
  if (!events.callback) throw new Error('the default SnapshotRegionCopy has no completion-event callback');
  const rows: Array<Array<string | number>> = [];
  const ratios: number[] = [];
  const cost = (o: Outcome) => o.transitions * PRICE_PER_TRANSITION + o.callbackRuns * PRICE_PER_EXPRESS_RUN;
  for (const minutes of DURATIONS_MINUTES) {
    const a = await execute(events, minutes);
    const lost = await execute(events, minutes, true);
    const b = await execute(baseline, minutes);
    const c = await execute(polling, minutes);
    if ([a, lost, b, c].some(o => o.status !== 'SUCCEEDED')) throw new Error(`an execution failed: ${[a, lost, b, c].map(o => o.status).join(' / ')}`);
    if ([a, lost, b, c].some(o => o.simulatedMinutes < minutes)) throw new Error('the simulated clock did not reach the copy time');
    if (a.callbackRuns !== 1) throw new Error(`expected one callback run, got ${a.callbackRuns}`);
    const total = a.transitions + a.callbackTransitions;
    // The goal is on cost: the callback is an EXPRESS workflow, billed per request, not per transition.
    ratios.push(cost(a) / cost(b));
    rows.push([
      `${minutes} min`,
      `${a.transitions} + ${a.callbackTransitions} callback = ${total}`,
      `$${cost(a).toFixed(5)}`,
      `${b.transitions} (polls: ${b.polls})`,
      `$${cost(b).toFixed(5)}`,
      `${(100 * cost(a) / cost(b)).toFixed(1)} % (transitions ${(100 * total / b.transitions).toFixed(1)} %)`,
      `${lost.transitions} (${(100 * lost.transitions / b.transitions).toFixed(1)} %; seen done at ${lost.simulatedMinutes.toFixed(0)} min)`,
      `${c.transitions} (${(100 * c.transitions / b.transitions).toFixed(1)} %; seen done at ${c.simulatedMinutes.toFixed(0)} min)`,
    ]);
  }
  printSection('Snapshot Region copy: Step Functions cost per copy', [
    'State transitions of one EBS copy by the synthesized `SnapshotRegionCopy` definition (sequence bump, copy and pruning included), '
    + 'counted by executing it with aws-local-stepfunctions against a copy that takes the given time, versus a fixed 30-second polling loop. '
    + 'Default: the workflow waits for the copy\'s completion event (`putItem.waitForTaskToken`, 30-minute event timeout) and the event runs the '
    + 'callback state machine (EXPRESS, its transitions counted too). Also shown: every event lost (each wait times out after 30 minutes, then '
    + 'the copy is described), and `completionEvents: false` (capped exponential backoff: first check after 5 min, then 10, 20, 30, 30... min). '
    + 'Standard: $0.025 per 1,000 transitions; express: $1.00 per million requests plus duration.',
    '',
    table(['copy takes', 'transitions (events, default)', 'cost', 'fixed 30 s loop transitions', 'cost', 'cost ratio',
      'every event lost', 'completionEvents: false'], rows),
    '',
    `Goal: a copy costs at most one tenth of the fixed loop. Met for: ${DURATIONS_MINUTES.filter((_, i) => ratios[i] <= 0.1).map(m => `${m} min`).join(', ') || 'none'}; `
    + `not met for: ${DURATIONS_MINUTES.filter((_, i) => ratios[i] > 0.1).map(m => `${m} min`).join(', ') || 'none'} `
    + '(a short copy costs a few fixed transitions, sequence, copy, pruning, that the loop does not have).',
  ]);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
