/**
 * Checks the `aws-sdk:` tasks of a Step Functions definition against botocore's service models (the
 * JSON models that ship with the preinstalled boto3): the service and operation exist (the
 * operation in lowerCamelCase in the ARN, as Step Functions expects), every parameter name exists in
 * the operation's input shape (`Name.$` is a path whose value cannot be checked, only its name),
 * recursively through structures, lists and maps, literal values have the member's type, and every
 * required member is present. `ResultSelector` paths that read the result (`$.Snapshots[0].State`)
 * are checked against the output shape too, so a misspelt result field fails as well.
 *
 * Member names are checked as Step Functions spells them, which is not botocore's spelling:
 * Step Functions' AWS SDK integrations run on the AWS SDK for Java 2.x and take and return members
 * under that SDK's bean-style names, `capitalize(unCapitalize(<model member name>))`
 * (`sfnMemberName` below): the leading run of capitals is lower-cased but for its last letter when a
 * lower-case letter follows, then the first letter is upper-cased. So `DBSnapshotIdentifier` ->
 * `DbSnapshotIdentifier`, `DBSnapshots` -> `DbSnapshots`, `KMSKeyId` -> `KmsKeyId`, `SSEType` ->
 * `SseType`, `sourceRegion` -> `SourceRegion`; `VolumeId`, `KmsKeyId` and a capital run further in
 * (`SourceDBSnapshotIdentifier`, `MultiAZ`) stay as they are. A botocore-cased `DBSnapshotIdentifier`
 * fails here. Evidence (December 2026):
 * - AWS Step Functions Developer Guide, "Learning to use AWS service SDK integrations in Step
 *   Functions" (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html):
 *   parameters are PascalCase even where the native API is camelCase; errors are
 *   `ServiceName.ErrorName`, both PascalCase, with an `Exception` suffix always
 *   (`AcmPca.ResourceNotFoundException`, `S3.BucketAlreadyExistsException`).
 * - aws-sdk-java-v2 codegen: `AddShapes.generateMemberModel` passes the model's member name to
 *   `DefaultNamingStrategy.getBeanStyleSetterMethodName` = "set" + `Utils.capitalize(Utils.unCapitalize(
 *   memberName))` (https://github.com/aws/aws-sdk-java-v2/blob/master/codegen/src/main/java/software/amazon/awssdk/codegen/AddShapes.java,
 *   .../codegen/naming/DefaultNamingStrategy.java, .../codegen/internal/Utils.java). Class and
 *   exception names use `CodegenNamingUtils.pascalCase` instead (every word: `CopyDbSnapshotRequest`,
 *   `DBSnapshotNotFoundFault` -> `DbSnapshotNotFoundException`), member names do not
 *   (`sourceDBSnapshotIdentifier()`, `multiAZ()`).
 * - AWS's own sample state machine using `aws-sdk:rds:` (aws-samples/step-functions-workflows-collection,
 *   sfn-rds-to-aurora-migrate-postgres-cdk/statemachine/statemachine.asl.json):
 *   `DbInstanceIdentifier`, `DbSnapshotIdentifier`, `DbClusterIdentifier` parameters and
 *   `$.DbSnapshots[0].DbSnapshotArn`, `$.DbSnapshot.DbSnapshotIdentifier`, `$.DbCluster.DbClusterIdentifier`,
 *   `$.DbInstances[0].DbInstanceStatus` results; EventBridge Scheduler's universal targets (same
 *   mechanism) take `DbInstanceIdentifier` for `aws-sdk:rds:stopDBInstance`.
 * No public definition found shows a capital run further in a name (`SourceDBSnapshotIdentifier`);
 * the Java SDK's rule above is followed for those.
 *
 * moto (and botocore) take botocore's names: `toBotocoreNames` rewrites a definition's aws-sdk tasks
 * back to them for tests that run it in moto.
 *
 * The models are found with `python3 -c "import botocore"`; the newest API version of each service is
 * used. A missing Python or botocore fails loudly (never skips).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { AslDefinition, AslState } from './state-machine';

/** A botocore shape. */
interface Shape {
  readonly type: string;
  readonly members?: Readonly<Record<string, { readonly shape: string; readonly locationName?: string }>>;
  readonly required?: readonly string[];
  readonly member?: { readonly shape: string };
  readonly key?: { readonly shape: string };
  readonly value?: { readonly shape: string };
  readonly enum?: readonly string[];
}

/** A botocore service model (the parts used here). */
export interface ServiceModel {
  readonly metadata: { readonly serviceId: string; readonly endpointPrefix: string };
  readonly operations: Readonly<Record<string, {
    readonly name: string;
    readonly input?: { readonly shape: string };
    readonly output?: { readonly shape: string };
  }>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

/** Step Functions service names that are not botocore's directory names. */
const SERVICE_DIRECTORIES: Readonly<Record<string, string>> = {
  eventbridge: 'events',
  sfn: 'stepfunctions',
};

let botocoreDataDir: string | undefined;
const modelCache = new Map<string, ServiceModel>();

/** botocore's `data` directory. */
export function botocoreDataDirectory(): string {
  if (botocoreDataDir) return botocoreDataDir;
  let dir: string;
  try {
    dir = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(`botocore's service models are needed to check aws-sdk tasks: install Python 3 and boto3 (pip install boto3): ${(e as Error).message}`);
  }
  botocoreDataDir = path.join(dir, 'data');
  return botocoreDataDir;
}

/** The newest botocore model of a service, by its Step Functions name (`ec2`, `rds`...). */
export function serviceModel(service: string): ServiceModel {
  const cached = modelCache.get(service);
  if (cached) return cached;
  const root = path.join(botocoreDataDirectory(), SERVICE_DIRECTORIES[service] ?? service);
  if (!fs.existsSync(root)) {
    throw new Error(`botocore has no service model for '${service}' (looked in ${root})`);
  }
  const version = fs.readdirSync(root).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort().pop();
  if (!version) throw new Error(`botocore has no API version of '${service}' in ${root}`);
  const file = path.join(root, version, 'service-2.json');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : zlib.gunzipSync(fs.readFileSync(`${file}.gz`)).toString('utf8');
  const model = JSON.parse(text) as ServiceModel;
  modelCache.set(service, model);
  return model;
}

const SDK_RESOURCE = /^arn:[^:]+:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)(\.[A-Za-z]+)?$/;

/** One `aws-sdk:` task of a definition. */
export interface SdkTask {
  readonly state: string;
  readonly service: string;
  /** As written in the ARN (lowerCamelCase). */
  readonly action: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly resultSelector?: Readonly<Record<string, unknown>>;
}

/** Every `aws-sdk:` task of a definition, nested Parallel/Map states included. */
export function sdkTasks(definition: { readonly States: Readonly<Record<string, AslState>> }): SdkTask[] {
  const out: SdkTask[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task' && typeof state.Resource === 'string') {
      const m = SDK_RESOURCE.exec(state.Resource);
      if (m) {
        out.push({
          state: name,
          service: m[1],
          action: m[2],
          parameters: (state.Parameters ?? {}) as Record<string, unknown>,
          resultSelector: state.ResultSelector as Record<string, unknown> | undefined,
        });
      }
    }
    const nested = [...(Array.isArray(state.Branches) ? state.Branches : []), state.Iterator, state.ItemProcessor]
      .filter((d): d is { States: Record<string, AslState> } => typeof d === 'object' && d !== null && 'States' in d);
    for (const sub of nested) out.push(...sdkTasks(sub));
  }
  return out;
}

/** The problems found in one task, one readable line each (empty when it is right). */
export function sdkTaskErrors(task: SdkTask): string[] {
  const where = `${task.state} (aws-sdk:${task.service}:${task.action})`;
  let model: ServiceModel;
  try {
    model = serviceModel(task.service);
  } catch (e) {
    return [`${where}: ${(e as Error).message}`];
  }
  if (!/^[a-z]/.test(task.action)) {
    return [`${where}: the operation must be lowerCamelCase in the resource ARN`];
  }
  const operationName = task.action.charAt(0).toUpperCase() + task.action.slice(1);
  const operation = model.operations[operationName];
  if (!operation) {
    const near = Object.keys(model.operations).filter((o) => o.toLowerCase() === operationName.toLowerCase());
    return [`${where}: ${model.metadata.serviceId} has no operation ${operationName}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`];
  }
  const errors: string[] = [];
  if (operation.input) {
    checkValue(model, operation.input.shape, task.parameters, `${where} Parameters`, errors);
  } else if (Object.keys(task.parameters).length > 0) {
    errors.push(`${where}: ${operationName} takes no parameters, got ${Object.keys(task.parameters).join(', ')}`);
  }
  if (task.resultSelector && operation.output) {
    for (const [field, value] of Object.entries(task.resultSelector)) {
      collectResultPaths(field, value).forEach((p) => {
        const problem = resultPathProblem(model, operation.output!.shape, p);
        if (problem) errors.push(`${where} ResultSelector ${field}: ${problem}`);
      });
    }
  }
  return errors;
}

/** Every problem of every `aws-sdk:` task of a definition. */
export function sdkModelErrors(definition: AslDefinition): string[] {
  return sdkTasks(definition).flatMap(sdkTaskErrors);
}

/** Throws, listing every problem, unless every `aws-sdk:` task matches botocore's models. */
export function validateSdkTasks(definition: AslDefinition): void {
  const errors = sdkModelErrors(definition);
  if (errors.length > 0) {
    throw new Error(`aws-sdk tasks that do not match botocore's service models (${errors.length}):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
}

/**
 * The AWS SDK for Java 2.x codegen's `Utils.unCapitalize`: lower-cases the first letter and the
 * capitals that follow it, but not a capital followed by a lower-case letter (`DBSnapshot` -> `dbSnapshot`).
 */
export function javaUnCapitalize(name: string): string {
  if (name.trim() === '') throw new Error('Name cannot be null or empty');
  const isUpper = (c: string | undefined) => c !== undefined && c !== c.toLowerCase() && c === c.toUpperCase();
  const isLower = (c: string | undefined) => c !== undefined && c !== c.toUpperCase() && c === c.toLowerCase();
  let out = '';
  let i = 0;
  do {
    out += name.charAt(i++).toLowerCase();
  } while (i < name.length && isUpper(name.charAt(i)) && !(i < name.length - 1 && isLower(name.charAt(i + 1))));
  return out + name.slice(i);
}

/** The name Step Functions gives a botocore member: `capitalize(unCapitalize(name))` (`DBSnapshots` -> `DbSnapshots`). */
export function sfnMemberName(botocoreName: string): string {
  const java = javaUnCapitalize(botocoreName);
  return java.charAt(0).toUpperCase() + java.slice(1);
}

/** The member of a structure named exactly as Step Functions names it, with its botocore name. */
function memberOf(shape: Shape, name: string): { readonly shape: string; readonly botocoreName: string } | undefined {
  const match = Object.entries(shape.members ?? {}).find(([m]) => sfnMemberName(m) === name);
  return match ? { shape: match[1].shape, botocoreName: match[0] } : undefined;
}

/** The Step Functions names of a structure's members. */
function sfnMembers(shape: Shape): string[] {
  return Object.keys(shape.members ?? {}).map(sfnMemberName);
}

/** " (did you mean X?)" when a member differs only in case, else the list of members. */
function suggestion(shape: Shape, name: string): string {
  const near = sfnMembers(shape).filter((m) => m.toLowerCase() === name.toLowerCase());
  return near.length ? ` (did you mean ${near.join(', ')}?)` : `; members: ${sfnMembers(shape).join(', ')}`;
}

function checkValue(model: ServiceModel, shapeName: string, value: unknown, where: string, errors: string[]): void {
  const shape = model.shapes[shapeName];
  if (!shape) {
    errors.push(`${where}: the model has no shape ${shapeName}`);
    return;
  }
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push(`${where}: expected an object (${shapeName}), got ${JSON.stringify(value)}`);
        return;
      }
      const given = new Set<string>();
      for (const [rawName, child] of Object.entries(value)) {
        const isPath = rawName.endsWith('.$');
        const name = isPath ? rawName.slice(0, -2) : rawName;
        given.add(name);
        if (!/^[A-Z]/.test(name)) {
          errors.push(`${where}: parameter ${rawName} must be PascalCase (Step Functions capitalises SDK parameter names)`);
        }
        const member = memberOf(shape, name);
        if (!member) {
          errors.push(`${where}: ${shapeName} has no member ${name} as Step Functions names it${suggestion(shape, name)}`);
          continue;
        }
        if (isPath) {
          if (typeof child !== 'string' || !/^(\$|States\.)/.test(child)) {
            errors.push(`${where}.${name}: a '.$' parameter takes a path or an intrinsic function, got ${JSON.stringify(child)}`);
          }
          continue;
        }
        checkValue(model, member.shape, child, `${where}.${name}`, errors);
      }
      for (const required of shape.required ?? []) {
        const name = sfnMemberName(required);
        if (!given.has(name)) errors.push(`${where}: required member ${name} of ${shapeName} is missing`);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) {
        errors.push(`${where}: expected a list (${shapeName}), got ${JSON.stringify(value)}`);
        return;
      }
      value.forEach((v, i) => checkValue(model, shape.member!.shape, v, `${where}[${i}]`, errors));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push(`${where}: expected a map (${shapeName}), got ${JSON.stringify(value)}`);
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        if (k.endsWith('.$')) continue;
        checkValue(model, shape.value!.shape, v, `${where}.${k}`, errors);
      }
      return;
    case 'string':
      if (typeof value !== 'string') errors.push(`${where}: expected a string (${shapeName}), got ${JSON.stringify(value)}`);
      else if (shape.enum && !shape.enum.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${where}: expected a boolean (${shapeName}), got ${JSON.stringify(value)}`);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) errors.push(`${where}: expected an integer (${shapeName}), got ${JSON.stringify(value)}`);
      return;
    case 'double':
    case 'float':
      if (typeof value !== 'number') errors.push(`${where}: expected a number (${shapeName}), got ${JSON.stringify(value)}`);
      return;
    case 'timestamp':
      if (typeof value !== 'string' && typeof value !== 'number') errors.push(`${where}: expected a timestamp (${shapeName}), got ${JSON.stringify(value)}`);
      return;
    default:
      return;
  }
}

/** The `$.`-paths a ResultSelector field reads from the result (intrinsics' path arguments included). */
function collectResultPaths(field: string, value: unknown): string[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => collectResultPaths(k, v));
  }
  if (!field.endsWith('.$') || typeof value !== 'string') return [];
  return value.match(/\$(\.[A-Za-z0-9_]+|\[[0-9*]+\])+|\$(?![.[\w$])/g) ?? [];
}

/** Why a JSONPath into the result of an operation cannot exist, or undefined when it can. */
function resultPathProblem(model: ServiceModel, outputShape: string, jsonPath: string): string | undefined {
  let shape: Shape | undefined = model.shapes[outputShape];
  let shapeName = outputShape;
  const steps = jsonPath.slice(1).match(/\.[A-Za-z0-9_]+|\[[0-9*]+\]/g) ?? [];
  for (const step of steps) {
    if (!shape) return `the model has no shape ${shapeName}`;
    if (step.startsWith('[')) {
      if (shape.type !== 'list') return `${jsonPath}: ${shapeName} is not a list`;
      shapeName = shape.member!.shape;
    } else {
      const name = step.slice(1);
      if (shape.type === 'map') {
        shapeName = shape.value!.shape;
      } else if (shape.type === 'structure') {
        const member = memberOf(shape, name);
        if (!member) return `${jsonPath}: ${shapeName} has no member ${name} as Step Functions names it${suggestion(shape, name)}`;
        shapeName = member.shape;
      } else {
        return `${jsonPath}: ${shapeName} is a ${shape.type}, it has no member ${name}`;
      }
    }
    shape = model.shapes[shapeName];
  }
  return undefined;
}

/** A result path with Step Functions' member names turned into botocore's (unknown names kept). */
function botocorePath(model: ServiceModel, outputShape: string, jsonPath: string): string {
  let shapeName = outputShape;
  let out = '$';
  for (const step of jsonPath.slice(1).match(/\.[A-Za-z0-9_]+|\[[0-9*]+\]/g) ?? []) {
    const shape: Shape | undefined = model.shapes[shapeName];
    if (step.startsWith('[')) {
      out += step;
      shapeName = shape?.type === 'list' ? shape.member!.shape : '';
      continue;
    }
    const name = step.slice(1);
    if (shape?.type === 'map') {
      out += step;
      shapeName = shape.value!.shape;
    } else if (shape?.type === 'structure') {
      const member = memberOf(shape, name);
      out += `.${member ? member.botocoreName : name}`;
      shapeName = member ? member.shape : '';
    } else {
      out += step;
      shapeName = '';
    }
  }
  return out;
}

/** A parameter value with Step Functions' member names turned into botocore's. */
function botocoreValue(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (!shape) return value;
  if (shape.type === 'structure' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([rawName, child]) => {
      const isPath = rawName.endsWith('.$');
      const member = memberOf(shape, isPath ? rawName.slice(0, -2) : rawName);
      if (!member) return [rawName, child];
      return [`${member.botocoreName}${isPath ? '.$' : ''}`, isPath ? child : botocoreValue(model, member.shape, child)];
    }));
  }
  if (shape.type === 'list' && Array.isArray(value)) return value.map((v) => botocoreValue(model, shape.member!.shape, v));
  if (shape.type === 'map' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k.endsWith('.$') ? v : botocoreValue(model, shape.value!.shape, v)]));
  }
  return value;
}

/** ResultSelector values with their result paths in botocore's names. */
function botocoreSelector(model: ServiceModel, outputShape: string, field: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, botocoreSelector(model, outputShape, k, v)]));
  }
  if (!field.endsWith('.$') || typeof value !== 'string') return value;
  return value.replace(/\$(\.[A-Za-z0-9_]+|\[[0-9*]+\])+/g, (p) => botocorePath(model, outputShape, p));
}

/**
 * A copy of a definition whose aws-sdk tasks use botocore's member names (parameters and the
 * result paths of their ResultSelectors), for moto, which hands Step Functions' names to botocore
 * unnormalised (moto 5.2.x). Never for the product: Step Functions itself needs its own names.
 */
export function toBotocoreNames<T extends { readonly States: Readonly<Record<string, AslState>> }>(definition: T): T {
  const rewrite = (states: Record<string, AslState>): void => {
    for (const state of Object.values(states) as Array<Record<string, unknown>>) {
      const m = typeof state.Resource === 'string' ? SDK_RESOURCE.exec(state.Resource) : null;
      if (state.Type === 'Task' && m) {
        const model = serviceModel(m[1]);
        const operation = model.operations[m[2].charAt(0).toUpperCase() + m[2].slice(1)];
        if (operation?.input && state.Parameters) state.Parameters = botocoreValue(model, operation.input.shape, state.Parameters);
        if (operation?.output && state.ResultSelector) {
          state.ResultSelector = botocoreSelector(model, operation.output.shape, '', state.ResultSelector);
        }
      }
      const nested = [...(Array.isArray(state.Branches) ? state.Branches : []), state.Iterator, state.ItemProcessor]
        .filter((d): d is { States: Record<string, AslState> } => typeof d === 'object' && d !== null && 'States' in d);
      for (const sub of nested) rewrite(sub.States);
    }
  };
  const copy = JSON.parse(JSON.stringify(definition)) as T & { States: Record<string, AslState> };
  rewrite(copy.States);
  return copy;
}
