/**
 * Who uses which KMS-encrypted DynamoDB table, read from the synthesized templates of a world: every
 * `AWS::DynamoDB::Table` with a KMS key (`SSESpecification.KMSMasterKeyId`), and every state machine
 * whose definition calls DynamoDB on it (`aws-sdk:dynamodb:<action>` or the optimized
 * `dynamodb:<action>` integration, `TableName` in its parameters), as the state machine's role.
 *
 * The callers come from the definitions (what the workflows really call), not from the grants the
 * library writes, so a workflow that calls a table its role may not use shows up as a denied
 * service request. An unknown DynamoDB action, or a call whose table cannot be told, fails loudly
 * rather than being skipped.
 */
import type { Step } from '../harness/service-requests';
import { PolicyWorld, resolveIntrinsics } from '../harness/simulate';
import type { CfnTemplate, LogicalRef, SynthesizedStack } from '../harness/simulate';
import { allStates, definitionOfResource } from '../harness/state-machine';

/** The model step of each DynamoDB item action (service-requests.ts, `dynamodb` rows). */
export const DYNAMODB_ACTION_STEPS: Readonly<Record<string, Step>> = Object.fromEntries([
  ...['putItem', 'updateItem', 'deleteItem', 'batchWriteItem', 'transactWriteItems'].map((a): [string, Step] => [a, 'write']),
  ...['getItem', 'query', 'scan', 'batchGetItem', 'transactGetItems'].map((a): [string, Step] => [a, 'read']),
]);

/** A state machine that calls DynamoDB on a table. */
export interface TableCaller {
  /** `<stack>/<logical id>` of the state machine. */
  readonly machine: string;
  /** The state machine's role. */
  readonly role: LogicalRef;
  /** The DynamoDB actions it calls on the table (e.g. `putItem`), sorted. */
  readonly actions: string[];
  /** The model steps of those actions. */
  readonly steps: Step[];
}

/** A KMS-encrypted DynamoDB table and the state machines that use it. */
export interface EncryptedTable {
  readonly stack: SynthesizedStack;
  readonly logicalId: string;
  /** The table name as the templates resolve it (`Ref`). */
  readonly tableName: string;
  /** The ARN of the table's KMS key (as `PolicyWorld.keyArn` writes it). */
  readonly keyArn: string;
  readonly callers: TableCaller[];
}

const INTEGRATION = /^arn:aws[\w-]*:states:::(?:aws-sdk:)?dynamodb:([A-Za-z]+)(?:\.[A-Za-z]+)?$/;

/** Every KMS-encrypted table of the world, with the state machines that call DynamoDB on it. */
export function encryptedTables(world: PolicyWorld): EncryptedTable[] {
  const tables: EncryptedTable[] = [];
  for (const entry of world.stacks) {
    const ctx = world.contextOf(entry);
    for (const [logicalId, resource] of Object.entries(entry.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::DynamoDB::Table') continue;
      const sse = resource.Properties?.SSESpecification as { SSEEnabled?: unknown; SSEType?: unknown; KMSMasterKeyId?: unknown } | undefined;
      if (!sse || sse.KMSMasterKeyId === undefined) continue;
      const keyArn = resolveIntrinsics(sse.KMSMasterKeyId, ctx);
      if (typeof keyArn !== 'string' || !keyArn.startsWith('arn:')) throw new Error(`${entry.stackName}/${logicalId}: KMSMasterKeyId resolves to ${JSON.stringify(keyArn)}, not a key ARN`);
      const tableName = resolveIntrinsics({ Ref: logicalId }, ctx) as string;
      tables.push({ stack: entry, logicalId, tableName, keyArn, callers: [] });
    }
  }
  for (const entry of world.stacks) {
    const ctx = world.contextOf(entry);
    for (const [logicalId, resource] of Object.entries(entry.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const machine = `${entry.stackName}/${logicalId}`;
      const definition = definitionOfResource(resource, ctx, machine);
      const byTable = new Map<EncryptedTable, Set<string>>();
      for (const [stateName, state] of allStates(definition)) {
        const match = typeof state.Resource === 'string' ? INTEGRATION.exec(state.Resource) : null;
        if (!match) continue;
        const action = match[1];
        if (DYNAMODB_ACTION_STEPS[action] === undefined) throw new Error(`${machine} state ${stateName}: DynamoDB action ${action} has no step in DYNAMODB_ACTION_STEPS`);
        const tableName = (state.Parameters as Record<string, unknown> | undefined)?.TableName;
        if (typeof tableName !== 'string') throw new Error(`${machine} state ${stateName}: ${action} without a literal TableName: cannot tell which table it uses`);
        const table = tables.find(t => t.tableName === tableName && t.stack.account === entry.account && t.stack.region === entry.region);
        if (!table) continue; // a table without a customer managed key: no KMS request
        byTable.set(table, (byTable.get(table) ?? new Set()).add(action));
      }
      if (byTable.size === 0) continue;
      const roleArn = resource.Properties?.RoleArn as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const roleId = roleArn?.['Fn::GetAtt']?.[0];
      if (!roleId) throw new Error(`${machine}: RoleArn ${JSON.stringify(roleArn)} is not a role of the template`);
      for (const [table, actions] of byTable) {
        const sorted = [...actions].sort();
        table.callers.push({
          machine,
          role: { stackName: entry.stackName, logicalId: roleId },
          actions: sorted,
          steps: [...new Set(sorted.map(a => DYNAMODB_ACTION_STEPS[a]))].sort(),
        });
      }
    }
  }
  return tables;
}

/**
 * A copy of the world's templates with `mutate` applied (for mutation tests: the same rows must
 * then fail). The original world is untouched.
 */
export function mutatedWorld(world: PolicyWorld, mutate: (stackName: string, template: CfnTemplate) => void): PolicyWorld {
  return new PolicyWorld(world.stacks.map((s) => {
    const template = JSON.parse(JSON.stringify(s.template)) as CfnTemplate;
    mutate(s.stackName, template);
    return { stackName: s.stackName, account: s.account, region: s.region, template };
  }));
}
