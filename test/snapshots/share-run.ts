/**
 * Runs a share end to end offline: the source workflow against the fake source account; its
 * `TellTarget` task (an EventBridge event with a task token) runs the target workflow against the
 * fake target account with the event the rules would deliver, and returns what the confirmation
 * handler would send back (the target's confirmation as output, or its failure as the task's
 * error).
 */
import { FakeAws } from './fake-aws';
import { ShareWorld, SOURCE_ACCOUNT, TARGET_ACCOUNT } from './share-world';
import { JsonValue, runStateMachine, StateMachineRun, taskError, TaskHandler } from '../harness/state-machine';

/** The Context Object of the offline executions (the runner has no execution id of its own). */
export const CONTEXT = {
  Execution: { Id: 'arn:aws:states:eu-west-1:111111111111:execution:share:offline-1', Name: 'offline-1' },
  Task: { Token: 'token-1' },
};

export interface ShareRun {
  readonly source: StateMachineRun;
  readonly targets: StateMachineRun[];
}

export interface ShareRunOptions {
  /** Replaces the target side: what TellTarget does (e.g. never confirm). */
  readonly tellTarget?: TaskHandler;
  /** Extra handlers of the target workflow, by state name. */
  readonly targetHandlers?: Record<string, TaskHandler>;
}

export async function runShare(world: ShareWorld, fake: FakeAws, input: JsonValue, options: ShareRunOptions = {}): Promise<ShareRun> {
  const targets: StateMachineRun[] = [];
  // The completion events of each account start that account's callback machine.
  fake.onCompletionEvents(SOURCE_ACCOUNT, world.sourceCallbackDefinition);
  fake.onCompletionEvents(TARGET_ACCOUNT, world.targetCallbackDefinition);
  const tellTarget: TaskHandler = options.tellTarget ?? (async (params) => {
    const entry = (params as { Entries: Array<{ Detail: Record<string, JsonValue>; DetailType: string; Source: string }> }).Entries[0];
    const event = { 'version': '0', 'id': 'e1', 'detail-type': entry.DetailType, 'source': entry.Source, 'account': SOURCE_ACCOUNT, 'region': 'eu-west-1', 'detail': entry.Detail };
    const before = fake.events.length;
    const run = await runStateMachine(world.targetDefinition, {
      input: event as unknown as JsonValue,
      taskHandlers: { ...fake.handlers(world.targetDefinition, TARGET_ACCOUNT), ...options.targetHandlers },
      context: CONTEXT,
    });
    targets.push(run);
    const confirmation = fake.events.slice(before).find((e) => e.account === TARGET_ACCOUNT);
    if (!confirmation) throw taskError('States.Timeout', 'the target never confirmed');
    const detail = (confirmation.entries as Array<{ Detail: Record<string, JsonValue> }>)[0].Detail;
    if (detail.taskToken !== entry.Detail.taskToken) throw new Error(`the target confirmed another task token: ${detail.taskToken}`);
    if (detail.status === 'COPIED') return detail;
    throw taskError('TargetCopyFailed', `account ${TARGET_ACCOUNT}: ${detail.cause}`);
  });
  const source = await runStateMachine(world.sourceDefinition, {
    input,
    taskHandlers: fake.handlers(world.sourceDefinition, SOURCE_ACCOUNT, { TellTarget: tellTarget }),
    context: CONTEXT,
  });
  return { source, targets };
}
