/**
 * What the in-memory fakes of the Region copy and its schedule share: the aws-sdk operation of each
 * Task state, and throttling by plan (each operation fails with its service's throttling error the
 * planned number of times, then succeeds).
 */
import { AslDefinition, allStates, taskError } from '../harness/state-machine';

/** Every Task state of a definition (Map processors and Parallel branches included) with its operation, e.g. `ec2:copySnapshot`. */
export function taskOperations(definition: AslDefinition): Array<[string, string]> {
  return allStates(definition)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name, state]) => [name, String(state.Resource).replace(/^arn:[^:]+:states:::(aws-sdk:)?/, '')]);
}

/** Throttles each operation the number of times a plan says, with the error its service's Step Functions integration raises. */
export class ThrottlePlan {
  private readonly done = new Map<string, number>();

  constructor(private readonly plan: Readonly<Record<string, number>> | undefined) {}

  /** Throws the throttling error of `operation` while it has throttles left in the plan. */
  public check(operation: string): void {
    const done = this.done.get(operation) ?? 0;
    if (done >= (this.plan?.[operation] ?? 0)) return;
    this.done.set(operation, done + 1);
    throw operation.startsWith('ec2:') ? taskError('Ec2.Ec2Exception', 'Request limit exceeded. (RequestLimitExceeded)')
      : operation.startsWith('rds:') ? taskError('Rds.RdsException', 'Rate exceeded (Throttling)')
        : operation.startsWith('eventbridge:') ? taskError('EventBridge.EventBridgeException', 'Rate exceeded (ThrottlingException)')
          : taskError('Ssm.ThrottlingException', 'Rate exceeded');
  }
}
