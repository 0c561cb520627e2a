import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { AslDefinition, aslValidationErrors, extractDefinition, JsonValue, runStateMachine, taskError, validateAsl } from './state-machine';

/**
 * Route on $.mode: "fast" goes straight to Work, anything else waits an hour first. Work retries
 * "Transient" twice (30 s apart), and any other failure goes to Cleanup and then fails the execution.
 */
const DEFINITION: AslDefinition = {
  StartAt: 'Route',
  States: {
    Route: { Type: 'Choice', Choices: [{ Variable: '$.mode', StringEquals: 'fast', Next: 'Work' }], Default: 'Pause' },
    Pause: { Type: 'Wait', Seconds: 3600, Next: 'Work' },
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Work',
      ResultPath: '$.work',
      Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Cleanup' }],
      Next: 'Done',
    },
    Cleanup: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Cleanup', ResultPath: null, Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'WorkFailed', Cause: 'Work failed and was cleaned up' },
    Done: { Type: 'Succeed' },
  },
};

/** A Work handler that fails with the given errors, in order, then doubles $.n. */
function failingThen(...errors: Error[]) {
  let calls = 0;
  return (input: JsonValue): JsonValue => {
    const error = errors[calls++];
    if (error) throw error;
    return { doubled: 2 * ((input as { n: number }).n) };
  };
}
const cleanup = () => ({ cleaned: true });

describe('runStateMachine', () => {
  test('happy path: the output and the states visited', async () => {
    const run = await runStateMachine(DEFINITION, { input: { mode: 'fast', n: 21 }, taskHandlers: { Work: failingThen(), Cleanup: cleanup } });

    expect(run).toMatchObject({ status: 'SUCCEEDED', output: { mode: 'fast', n: 21, work: { doubled: 42 } } });
    expect(run.visitedStates).toEqual(['Route', 'Work', 'Done']);
    expect(run.taskCalls).toEqual([{ state: 'Work', input: { mode: 'fast', n: 21 } }]);
  });

  test('a task that fails once with a retryable error is retried and succeeds', async () => {
    const run = await runStateMachine(DEFINITION, { input: { mode: 'fast', n: 1 }, taskHandlers: { Work: failingThen(taskError('Transient', 'throttled')), Cleanup: cleanup } });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retries).toEqual([{ state: 'Work', attempt: 1, error: 'Transient' }]);
    expect(run.taskCalls.map((c) => c.state)).toEqual(['Work', 'Work']);
    expect(run.caught).toEqual([]);
  });

  test('a non-retryable error goes to the Catch branch at once; exhausted retries do too', async () => {
    const denied = await runStateMachine(DEFINITION, { input: { mode: 'fast', n: 1 }, taskHandlers: { Work: failingThen(taskError('AccessDenied', 'not allowed')), Cleanup: cleanup } });

    expect(denied).toMatchObject({ status: 'FAILED', error: 'WorkFailed', cause: 'Work failed and was cleaned up' });
    expect(denied.visitedStates).toEqual(['Route', 'Work', 'Cleanup', 'Failed']);
    expect(denied.retries).toEqual([]);
    expect(denied.caught).toEqual([{ state: 'Work', error: 'AccessDenied', next: 'Cleanup' }]);
    expect(denied.taskCalls[1]).toEqual({ state: 'Cleanup', input: { mode: 'fast', n: 1, error: { Error: 'AccessDenied', Cause: 'not allowed' } } });

    const transient = () => taskError('Transient');
    const exhausted = await runStateMachine(DEFINITION, { input: { mode: 'fast', n: 1 }, taskHandlers: { Work: failingThen(transient(), transient(), transient()), Cleanup: cleanup } });
    expect(exhausted.status).toBe('FAILED');
    expect(exhausted.retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(exhausted.caught).toEqual([{ state: 'Work', error: 'Transient', next: 'Cleanup' }]);
  });

  test('the Choice routes on the input; Waits are overridden to 0 ms', async () => {
    const started = Date.now();
    const slow = await runStateMachine(DEFINITION, { input: { mode: 'slow', n: 1 }, taskHandlers: { Work: failingThen(), Cleanup: cleanup } });

    expect(slow.visitedStates).toEqual(['Route', 'Pause', 'Work', 'Done']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('refuses to run with a missing or misspelled handler', async () => {
    await expect(runStateMachine(DEFINITION, { taskHandlers: { Work: failingThen() } }))
      .rejects.toThrow('Task states without a handler (a local run never calls AWS): Cleanup; Task states: Work, Cleanup');
    await expect(runStateMachine(DEFINITION, { taskHandlers: { Work: failingThen(), Cleanup: cleanup, Clenup: cleanup } }))
      .rejects.toThrow(/handlers for states that are not Task states: Clenup/);
  });
});

describe('validateAsl', () => {
  test('accepts the definition and rejects a Next to a missing state', () => {
    expect(() => validateAsl(DEFINITION)).not.toThrow();

    const broken = { ...DEFINITION, States: { ...DEFINITION.States, Pause: { Type: 'Wait', Seconds: 1, Next: 'Nowhere' } } };
    expect(() => validateAsl(broken)).toThrow(/invalid state machine definition \(1 problem\):\n {2}- MISSING_TRANSITION_TARGET: .*Nowhere/);
    const [first, ...rest] = aslValidationErrors({ StartAt: 'A', States: { A: { Type: 'Tsak', End: true } } });
    expect(first).toEqual('UNKNOWN_STATE_TYPE: state A has Type "Tsak", expected one of Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map');
    expect(rest).toContainEqual(expect.stringMatching(/^SCHEMA_VALIDATION_FAILED/));
    // asl-validator annotates what it checks; the caller's object is left alone
    expect(JSON.stringify(DEFINITION)).not.toContain('QueryLanguage');
  });
});

describe('extractDefinition', () => {
  test('a synthesized CDK state machine with a CallAwsService task is valid ASL and runs locally', async () => {
    // GIVEN a state machine that waits until a key is enabled
    const stack = new Stack(undefined, 'Workflow', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Key');
    const describe = new tasks.CallAwsService(stack, 'DescribeKey', {
      service: 'kms',
      action: 'describeKey',
      parameters: { KeyId: key.keyArn },
      iamResources: [key.keyArn],
      resultSelector: { 'State.$': '$.KeyMetadata.KeyState' },
      resultPath: '$.key',
    });
    const wait = new sfn.Wait(stack, 'WaitForKey', { time: sfn.WaitTime.duration(Duration.minutes(1)) });
    const machine = new sfn.StateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(describe.next(
        new sfn.Choice(stack, 'Enabled?')
          .when(sfn.Condition.stringEquals('$.key.State', 'Enabled'), new sfn.Succeed(stack, 'Ready'))
          .otherwise(wait.next(describe)),
      )),
    });

    // WHEN
    const definition = extractDefinition(stack, machine);

    // THEN
    expect(definition.States.DescribeKey).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:kms:describeKey',
      Parameters: { KeyId: `arn:aws:kms:eu-west-1:111111111111:key/${stack.getLogicalId(key.node.defaultChild as kms.CfnKey)}` },
    });
    expect(() => validateAsl(definition)).not.toThrow();
    let state = 'PendingImport';
    const run = await runStateMachine(definition, {
      taskHandlers: {
        DescribeKey: () => {
          const current = state;
          state = 'Enabled';
          return { KeyMetadata: { KeyState: current } };
        },
      },
    });
    expect(run.visitedStates).toEqual(['DescribeKey', 'Enabled?', 'WaitForKey', 'DescribeKey', 'Enabled?', 'Ready']);
    expect(run.output).toEqual({ key: { State: 'Enabled' } });
    expect(() => extractDefinition(stack, 'NoSuchMachine')).toThrow(/no state machine NoSuchMachine; state machines: Machine[0-9A-F]{8}/);
  });

  test('DefinitionSubstitutions are applied after resolving their values', () => {
    // GIVEN a definition from a string with a substitution that is a token
    const stack = new Stack(undefined, 'Substituted', { env: { account: '111111111111', region: 'eu-west-1' } });
    const topicArn = stack.formatArn({ service: 'sns', resource: 'alerts' });
    new sfn.StateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify({
        StartAt: 'Notify',
        States: { Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { 'TopicArn': '${Topic}', 'Message.$': '$' }, End: true } },
      })),
      definitionSubstitutions: { Topic: topicArn },
    });

    // THEN
    const definition = extractDefinition(stack, stack.node.findChild('Machine'));
    expect(definition.States.Notify.Parameters).toEqual({ 'TopicArn': 'arn:aws:sns:eu-west-1:111111111111:alerts', 'Message.$': '$' });
    validateAsl(definition);
  });
});
