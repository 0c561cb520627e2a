/**
 * Step Functions definitions: extraction from synthesized templates, validation with
 * asl-validator 4, and local execution with aws-local-stepfunctions 3.
 *
 * Local runs never call AWS: every `Task` state must have a handler in `taskHandlers` (the run
 * throws before starting otherwise). A handler receives the task's effective input (after
 * `InputPath` and `Parameters`) and returns its result (before `ResultSelector`/`ResultPath`).
 * To fail a task, throw an error whose `name` is the Step Functions error name, e.g.
 * `throw taskError('KMS.KmsInvalidStateException', 'key is pending deletion')`: `Retry` and `Catch`
 * match on that name (`States.ALL` and `States.TaskFailed` match any handler error).
 *
 * Waits and retry intervals are overridden to 0 ms by default so that tests stay fast; the runner
 * does not support JSONata or Variables/Assign.
 */
import { Stack } from 'aws-cdk-lib';
import type { StateMachine as LocalStateMachine, StateMachineDefinition } from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };
import type { IConstruct } from 'constructs';
import { EnvironmentDefaults, findCfnResource, resolveIntrinsics, ResolveContext, SynthesizedStack, synthesizeStack } from './intrinsics';

// aws-local-stepfunctions is an ES module package with a CommonJS build; its types are ESM-only, so
// TypeScript (module node16, CommonJS tests) only accepts them as a type import. The value is loaded
// through jest's require, which picks the CommonJS build and shares the test setup's polyfills.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const localStepFunctions = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions', { with: { 'resolution-mode': 'import' } });
// asl-validator 4 ships no type declarations; this is the signature of its CommonJS export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as AslValidatorFunction;

type AslValidatorFunction = (definition: unknown, options?: { readonly checkPaths: boolean; readonly checkArn: boolean }) => {
  readonly isValid: boolean;
  readonly errors: ReadonlyArray<{ readonly 'Error code': string; readonly 'Message': string; readonly 'schemaError'?: { readonly instancePath: string } }>;
};

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One state of an Amazon States Language definition. */
export interface AslState {
  readonly Type: string;
  readonly [field: string]: unknown;
}

/** An Amazon States Language definition. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly [field: string]: unknown;
}

/** Options for {@link extractDefinition}. */
export interface ExtractDefinitionOptions extends EnvironmentDefaults {
  /**
   * Other stacks whose exports the definition may import (`Fn::ImportValue`).
   * @default - none
   */
  readonly stacks?: readonly Stack[];
}

const STATE_MACHINE_TYPE = 'AWS::StepFunctions::StateMachine';

/**
 * The ASL definition of a state machine in `stack`'s synthesized template, with every intrinsic
 * resolved to the placeholders of `intrinsics.ts` and `DefinitionSubstitutions` applied.
 * `stateMachine` is the construct (an `sfn.StateMachine`, its `CfnStateMachine`, or a construct
 * holding exactly one) or the logical id.
 */
export function extractDefinition(stack: Stack, stateMachine: IConstruct | string, options: ExtractDefinitionOptions = {}): AslDefinition {
  const own = synthesizeStack(stack, options);
  const others: SynthesizedStack[] = (options.stacks ?? []).filter((s) => s !== stack).map((s) => synthesizeStack(s, options));
  const ctx = { stack: own, stacks: [own, ...others] };
  const logicalId = typeof stateMachine === 'string'
    ? stateMachine
    : stack.resolve(findCfnResource(stateMachine, [STATE_MACHINE_TYPE], 'a Step Functions state machine').logicalId) as string;
  const resource = own.template.Resources?.[logicalId];
  if (!resource || resource.Type !== STATE_MACHINE_TYPE) {
    const machines = Object.entries(own.template.Resources ?? {}).filter(([, r]) => r.Type === STATE_MACHINE_TYPE).map(([id]) => id);
    throw new Error(`stack ${own.stackName} has no state machine ${logicalId}; state machines: ${machines.join(', ') || '(none)'}`);
  }
  return definitionOfResource(resource, ctx, `${own.stackName}/${logicalId}`);
}

/**
 * The ASL definition of a synthesized `AWS::StepFunctions::StateMachine` resource (`name` in error
 * messages), its intrinsics resolved in `ctx` and its `DefinitionSubstitutions` applied.
 */
export function definitionOfResource(resource: { readonly Properties?: Record<string, unknown> }, ctx: ResolveContext, name: string): AslDefinition {
  const props = resource.Properties ?? {};
  let text: string;
  if (props.DefinitionString !== undefined) {
    const resolved = resolveIntrinsics(props.DefinitionString, ctx);
    text = typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(resolveIntrinsics(props.Definition, ctx));
  } else {
    throw new Error(`${name} has neither DefinitionString nor Definition (a DefinitionS3Location cannot be read offline)`);
  }
  const substitutions = resolveIntrinsics(props.DefinitionSubstitutions ?? {}, ctx) as Record<string, unknown>;
  for (const [variable, value] of Object.entries(substitutions)) {
    const replacement = typeof value === 'string' ? value : JSON.stringify(value);
    text = text.split(`\${${variable}}`).join(replacement.replace(/["\\]/g, (c) => `\\${c}`));
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (e) {
    throw new Error(`the definition of ${name} is not JSON once resolved (${(e as Error).message}): ${text.slice(0, 500)}`);
  }
  if (!isAslDefinition(definition)) {
    throw new Error(`the definition of ${name} has no StartAt/States: ${text.slice(0, 500)}`);
  }
  return definition;
}

/** Options for {@link validateAsl}. */
export interface AslValidationOptions {
  /**
   * Check that `Resource` fields are ARNs.
   * @default true
   */
  readonly checkArn?: boolean;
  /**
   * Check the syntax of `InputPath`, `OutputPath`, `ResultPath` and other paths.
   * @default true
   */
  readonly checkPaths?: boolean;
}

/**
 * The problems asl-validator finds in a definition, one readable line each (empty when valid).
 * The definition is not modified (asl-validator annotates the object it checks, so it gets a copy).
 */
export function aslValidationErrors(definition: unknown, options: AslValidationOptions = {}): string[] {
  const result = aslValidator(structuredClone(definition), { checkArn: options.checkArn ?? true, checkPaths: options.checkPaths ?? true });
  const errors = result.errors.map((e) => `${e['Error code']}: ${e.Message}${e.schemaError?.instancePath ? ` (at ${e.schemaError.instancePath})` : ''}`);
  // asl-validator reports an unknown state Type as an unrelated schema failure (for example
  // "QueryLanguage is invalid"); name the real cause first.
  if (isAslDefinition(definition)) {
    const unknownTypes = allStates(definition).filter(([, state]) => !STATE_TYPES.includes(state.Type));
    errors.unshift(...unknownTypes.map(([name, state]) => `UNKNOWN_STATE_TYPE: state ${name} has Type ${JSON.stringify(state.Type)}, expected one of ${STATE_TYPES.join(', ')}`));
  }
  return errors;
}

const STATE_TYPES = ['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'];

/** Throws, listing every problem asl-validator finds, unless the definition is valid ASL. */
export function validateAsl(definition: unknown, options: AslValidationOptions = {}): void {
  const errors = aslValidationErrors(definition, options);
  if (errors.length > 0) {
    throw new Error(`invalid state machine definition (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
}

/**
 * An error for a task handler to throw: Step Functions sees `name` as the error (matched by `Retry`
 * and `Catch`) and `message` as the cause.
 */
export function taskError(name: string, message: string = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A local replacement for a `Task` state's resource. */
export type TaskHandler = (input: JsonValue) => Promise<JsonValue> | JsonValue;

/** Options for {@link runStateMachine}. */
export interface RunStateMachineOptions {
  /** @default {} */
  readonly input?: JsonValue;
  /** A handler for every `Task` state (nested ones included), by state name. */
  readonly taskHandlers: Readonly<Record<string, TaskHandler>>;
  /**
   * Milliseconds every `Wait` state waits (a number), or per state name (others wait 0 ms).
   * @default 0
   */
  readonly overrideWaitTime?: number | Readonly<Record<string, number>>;
  /**
   * Milliseconds between retries for every state with `Retry` (a number), or per state name (a
   * number, or one per retrier); states not named wait 0 ms.
   * @default 0
   */
  readonly overrideRetryInterval?: number | Readonly<Record<string, number | readonly number[]>>;
  /** The Context Object (`$$`) to use, e.g. `{ Execution: { Id: '...' } }`. @default - the runner's */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Validate the definition with {@link validateAsl} first.
   * @default true
   */
  readonly validate?: boolean;
}

/** What a local execution did. */
export interface StateMachineRun {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** The execution output (when it succeeded). */
  readonly output?: JsonValue;
  /** The error name (when it failed). */
  readonly error?: string;
  /** The error cause (when it failed). */
  readonly cause?: string;
  /** Every state entered, in order, nested (Map/Parallel) states included. */
  readonly visitedStates: readonly string[];
  /** Every task handler call with its input, in order. */
  readonly taskCalls: ReadonlyArray<{ readonly state: string; readonly input: JsonValue }>;
  /** Every retry: the state, the retry attempt (1 for the first retry) and the error retried. */
  readonly retries: ReadonlyArray<{ readonly state: string; readonly attempt: number; readonly error?: string }>;
  /** Every caught error: the state, the error name and the state the catcher went to. */
  readonly caught: ReadonlyArray<{ readonly state: string; readonly error?: string; readonly next: string }>;
  /** The runner's raw event log. */
  readonly events: readonly ExecutionEvent[];
}

type ExecutionEvent = ReturnType<LocalStateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/**
 * Runs a definition locally with aws-local-stepfunctions, replacing every `Task` by its handler.
 * Resolves with the outcome (a failed execution is a result, not a rejection); rejects when the
 * definition is invalid, a task has no handler, or a handler names no task state.
 */
export async function runStateMachine(definition: AslDefinition, options: RunStateMachineOptions): Promise<StateMachineRun> {
  if (options.validate ?? true) validateAsl(definition);
  const states = allStates(definition);
  const taskNames = states.filter(([, s]) => s.Type === 'Task').map(([name]) => name);
  const missing = taskNames.filter((name) => !(name in options.taskHandlers));
  const unknown = Object.keys(options.taskHandlers).filter((name) => !taskNames.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error([
      missing.length > 0 ? `Task states without a handler (a local run never calls AWS): ${missing.join(', ')}` : '',
      unknown.length > 0 ? `handlers for states that are not Task states: ${unknown.join(', ')}` : '',
      `Task states: ${taskNames.join(', ') || '(none)'}`,
    ].filter(Boolean).join('; '));
  }

  const taskCalls: Array<{ state: string; input: JsonValue }> = [];
  const handlers = Object.fromEntries(Object.entries(options.taskHandlers).map(([name, handler]) => [name, async (input: JsonValue) => {
    taskCalls.push({ state: name, input: structuredClone(input) });
    return handler(input);
  }]));
  const waitStates = states.filter(([, s]) => s.Type === 'Wait').map(([name]) => name);
  const retryStates = states.filter(([, s]) => Array.isArray(s.Retry)).map(([name]) => name);
  const waits = typeof options.overrideWaitTime === 'object' ? options.overrideWaitTime : {};
  const retries = typeof options.overrideRetryInterval === 'object' ? options.overrideRetryInterval : {};
  const waitAll = typeof options.overrideWaitTime === 'number' ? options.overrideWaitTime : 0;
  const retryAll = typeof options.overrideRetryInterval === 'number' ? options.overrideRetryInterval : 0;

  // A JSON copy, not structuredClone: under jest, structuredClone builds objects of the host realm,
  // whose prototype the runner's isPlainObj does not recognise, so nested `.$` fields (an
  // EventBridge entry's Detail, EC2 TagSpecifications) would be passed through unresolved.
  const machine = new localStepFunctions.StateMachine(JSON.parse(JSON.stringify(definition)) as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const execution = machine.run(JSON.parse(JSON.stringify(options.input ?? {})) as Parameters<LocalStateMachine['run']>[0], {
    overrides: {
      taskResourceLocalHandlers: handlers as NonNullable<NonNullable<Parameters<LocalStateMachine['run']>[1]>['overrides']>['taskResourceLocalHandlers'],
      waitTimeOverrides: Object.fromEntries(waitStates.map((name) => [name, waits[name] ?? waitAll])),
      retryIntervalOverrides: Object.fromEntries(retryStates.map((name) => {
        const value = retries[name] ?? retryAll;
        return [name, typeof value === 'number' ? value : [...value]];
      })),
    },
    context: options.context as Record<string, unknown> | undefined,
  });

  const events: ExecutionEvent[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  let output: JsonValue | undefined;
  let failure: Error | undefined;
  try {
    output = await execution.result as JsonValue;
  } catch (e) {
    failure = e as Error;
  }
  await collecting;

  const failed = events.find((e) => e.type === 'ExecutionFailed');
  if (failure && !failed) throw failure;
  const lastErrorOf = (index: number, state: string): string | undefined => {
    for (let i = index - 1; i >= 0; i--) {
      const e = events[i];
      if (e.type === 'StateFailed' && e.state.name === state) return e.Error;
    }
    return undefined;
  };
  return {
    status: failed ? 'FAILED' : 'SUCCEEDED',
    output: failed ? undefined : output,
    error: failed?.type === 'ExecutionFailed' ? failed.Error : undefined,
    cause: failed?.type === 'ExecutionFailed' ? String(failed.Cause) : undefined,
    visitedStates: events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : [])),
    taskCalls,
    retries: events.flatMap((e, i) => (e.type === 'StateRetried' ? [{ state: e.state.name, attempt: e.retry.attempt, error: lastErrorOf(i, e.state.name) }] : [])),
    caught: events.flatMap((e, i) => (e.type === 'StateCaught' ? [{ state: e.state.name, error: lastErrorOf(i, e.state.name), next: e.catch.catcher.Next }] : [])),
    events,
  };
}

/** Every state of a definition with its name, nested Parallel branches and Map processors included. */
export function allStates(definition: { readonly States: Readonly<Record<string, AslState>> }): Array<[string, AslState]> {
  const out: Array<[string, AslState]> = [];
  for (const [name, state] of Object.entries(definition.States)) {
    out.push([name, state]);
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      state.Iterator,
      state.ItemProcessor,
    ].filter((d): d is { States: Record<string, AslState> } => typeof d === 'object' && d !== null && 'States' in d);
    for (const sub of nested) out.push(...allStates(sub));
  }
  return out;
}

function isAslDefinition(value: unknown): value is AslDefinition {
  return typeof value === 'object' && value !== null && typeof (value as AslDefinition).StartAt === 'string' &&
    typeof (value as AslDefinition).States === 'object' && (value as AslDefinition).States !== null;
}
