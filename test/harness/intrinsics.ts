/**
 * Offline resolution of CloudFormation intrinsics in synthesized templates.
 *
 * Policy simulation and state machine checks need concrete strings, not `{ "Fn::GetAtt": ... }`.
 * This module turns the intrinsics CDK emits into deterministic placeholder values, so that the
 * same resource always gets the same ARN, whichever stack refers to it (directly, through
 * `Fn::ImportValue`, or through a literal the test writes by hand).
 *
 * Placeholder scheme (account and region are the owning stack's; `aws` partition):
 *
 * | resource type                     | `Ref`                                  | `Fn::GetAtt`                                              |
 * |-----------------------------------|----------------------------------------|-----------------------------------------------------------|
 * | AWS::KMS::Key, AWS::KMS::ReplicaKey | `<logicalId>` (the key id)           | `Arn` = `arn:aws:kms:<region>:<account>:key/<logicalId>`, `KeyId` = `<logicalId>` |
 * | AWS::KMS::Alias                   | the `AliasName` property               | -                                                         |
 * | AWS::IAM::Role / User / Group     | the `RoleName`/`UserName`/`GroupName` property if set, else `<logicalId>` | `Arn` = `arn:aws:iam::<account>:role<Path><name>` (`user`, `group`) |
 * | AWS::IAM::ManagedPolicy           | `arn:aws:iam::<account>:policy<Path><ManagedPolicyName or logicalId>` | `PolicyArn` (same)                  |
 * | AWS::S3::Bucket                   | `BucketName` or the lower-cased logicalId | `Arn` = `arn:aws:s3:::<name>`, domain names             |
 * | AWS::Lambda::Function, AWS::Logs::LogGroup, AWS::SNS::Topic, AWS::SQS::Queue, AWS::StepFunctions::StateMachine, AWS::SecretsManager::Secret, AWS::SSM::Parameter, AWS::DynamoDB::Table, AWS::Events::Rule, AWS::CloudTrail::Trail | what CloudFormation returns, built from the name property or the logicalId | `Arn` and name attributes |
 * | anything else                     | `arn:aws:<service>:<region>:<account>:<logicalId>` where `<service>` is the lower-cased second part of the type (`AWS::EC2::Volume` -> `ec2`) | `Arn`-like attributes: the same placeholder; other attributes: the placeholder followed by `/<Attribute>` |
 *
 * Pseudo parameters: `AWS::Partition` = `aws`, `AWS::URLSuffix` = `amazonaws.com`, `AWS::AccountId`,
 * `AWS::Region`, `AWS::StackName` from the stack, `AWS::StackId` a fixed-uuid stack ARN, `AWS::NoValue`
 * removes the property or list element. Environment-agnostic stacks get {@link DEFAULT_ACCOUNT} and
 * {@link DEFAULT_REGION}.
 *
 * Functions: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` (`${X}`, `${X.Attr}`, `${!Literal}`, with or
 * without a variable map), `Fn::Select`, `Fn::Split`, `Fn::ImportValue` (looked up among the `Outputs`
 * of every stack in the context and resolved in the exporting stack), `Fn::If` with `Conditions`
 * (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`), `Fn::FindInMap`, `Fn::GetAZs`
 * (`<region>a`, `<region>b`, `<region>c`), `Fn::Base64`, `Fn::ToJsonString`. Anything else throws, naming
 * the function and where it was found: a harness that silently guessed would prove nothing.
 */
import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/** Account used for a stack whose `env.account` is not a literal (environment-agnostic stacks). */
export const DEFAULT_ACCOUNT = '123456789012';
/** Region used for a stack whose `env.region` is not a literal (environment-agnostic stacks). */
export const DEFAULT_REGION = 'us-east-1';

/** A resource entry of a synthesized template. */
export interface CfnResourceEntry {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
}

/** An output entry of a synthesized template. */
export interface CfnOutputEntry {
  readonly Value: unknown;
  readonly Export?: { readonly Name: unknown };
  readonly Condition?: string;
}

/** A parameter entry of a synthesized template. */
export interface CfnParameterEntry {
  readonly Type: string;
  readonly Default?: unknown;
}

/** The parts of a synthesized CloudFormation template the resolver reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResourceEntry>;
  readonly Outputs?: Record<string, CfnOutputEntry>;
  readonly Parameters?: Record<string, CfnParameterEntry>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

/** One synthesized stack: its template and the environment its placeholders use. */
export interface SynthesizedStack {
  /** The CloudFormation stack name (`AWS::StackName`). */
  readonly stackName: string;
  /** The stack's account, or {@link DEFAULT_ACCOUNT} for environment-agnostic stacks. */
  readonly account: string;
  /** The stack's region, or {@link DEFAULT_REGION} for environment-agnostic stacks. */
  readonly region: string;
  /** The synthesized template (the JSON CloudFormation receives). */
  readonly template: CfnTemplate;
  /** The construct the template was synthesized from, when there is one. */
  readonly stack?: Stack;
}

/** Defaults for stacks without a literal environment. */
export interface EnvironmentDefaults {
  /** @default DEFAULT_ACCOUNT */
  readonly defaultAccount?: string;
  /** @default DEFAULT_REGION */
  readonly defaultRegion?: string;
}

/**
 * Synthesizes `stack` (through `Template.fromStack`, which synthesizes its whole app) and returns its
 * template with the environment the placeholders use.
 */
export function synthesizeStack(stack: Stack, defaults: EnvironmentDefaults = {}): SynthesizedStack {
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  return {
    stackName: stack.stackName,
    account: Token.isUnresolved(stack.account) ? defaults.defaultAccount ?? DEFAULT_ACCOUNT : stack.account,
    region: Token.isUnresolved(stack.region) ? defaults.defaultRegion ?? DEFAULT_REGION : stack.region,
    template,
    stack,
  };
}

/**
 * The CloudFormation resource a construct stands for: the construct itself if it is a
 * `CfnResource`, else the first `CfnResource` down its `defaultChild` chain if it has one of
 * `types`, else its only descendant of one of `types`. `what` names the expected kind in errors.
 */
export function findCfnResource(construct: IConstruct, types: readonly string[], what: string): CfnResource {
  if (CfnResource.isCfnResource(construct)) return construct;
  let child = construct.node.defaultChild;
  while (child) {
    if (CfnResource.isCfnResource(child)) {
      if (types.includes(child.cfnResourceType)) return child;
      break;
    }
    child = child.node.defaultChild;
  }
  const matches = construct.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && types.includes(c.cfnResourceType));
  if (matches.length === 1) return matches[0];
  throw new Error(`${construct.node.path} should be ${what} (${types.join(' or ')}), or hold exactly one; it holds ${matches.length}`);
}

/** Where and how to resolve a value. */
export interface ResolveContext {
  /** The stack the value belongs to: pseudo parameters, `Ref` and `Fn::GetAtt` are resolved in it. */
  readonly stack: SynthesizedStack;
  /**
   * Every stack that can export values: `Fn::ImportValue` looks for the export among their `Outputs`.
   * @default - only `stack`
   */
  readonly stacks?: readonly SynthesizedStack[];
  /**
   * Values for template parameters. A parameter without a value here resolves to its `Default`; one
   * without either (or with an SSM parameter type) resolves to `parameter:<name>`.
   * @default - none
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
type Resolved = unknown;
const MAX_DEPTH = 64;

/**
 * Resolves every CloudFormation intrinsic in `value` (a template fragment, or the output of
 * `stack.resolve(...)`) to concrete values with the placeholder scheme described at the top of
 * this module. Throws for unknown logical ids, unknown exports, unsupported functions and
 * unresolved CDK tokens (call `stack.resolve(value)` first).
 */
export function resolveIntrinsics(value: unknown, ctx: ResolveContext): unknown {
  const out = resolveValue(value, ctx, 0, '$');
  return out === NO_VALUE ? undefined : out;
}

/** Like {@link resolveIntrinsics}, but the result must be a string (numbers are converted). */
export function resolveToString(value: unknown, ctx: ResolveContext): string {
  return asString(resolveIntrinsics(value, ctx), '$', ctx);
}

/**
 * Resolves `{ "Ref": logicalIdOrPseudoParameter }` in the context's stack.
 */
export function resolveRef(name: string, ctx: ResolveContext): string {
  return asString(resolveValue({ Ref: name }, ctx, 0, '$'), '$', ctx);
}

/**
 * Resolves `{ "Fn::GetAtt": [logicalId, attribute] }` in the context's stack.
 */
export function resolveGetAtt(logicalId: string, attribute: string, ctx: ResolveContext): string {
  return asString(resolveValue({ 'Fn::GetAtt': [logicalId, attribute] }, ctx, 0, '$'), '$', ctx);
}

/**
 * Whether the named template condition holds (evaluating `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`
 * and `Condition` with resolved operands).
 */
export function conditionHolds(name: string, ctx: ResolveContext): boolean {
  const conditions = ctx.stack.template.Conditions ?? {};
  if (!(name in conditions)) {
    throw new Error(`condition ${name} is not defined in stack ${ctx.stack.stackName}; defined: ${Object.keys(conditions).join(', ') || '(none)'}`);
  }
  return evaluateCondition(conditions[name], ctx, 0, `Conditions.${name}`);
}

/** Whether a resource exists once deployed: it has no `Condition`, or its condition holds. */
export function isResourceActive(logicalId: string, ctx: ResolveContext): boolean {
  const resource = ctx.stack.template.Resources?.[logicalId];
  if (!resource) return false;
  return resource.Condition === undefined || conditionHolds(resource.Condition, ctx);
}

function resolveValue(value: unknown, ctx: ResolveContext, depth: number, where: string): Resolved {
  if (depth > MAX_DEPTH) {
    throw new Error(`intrinsics nest deeper than ${MAX_DEPTH} levels at ${where} in stack ${ctx.stack.stackName}; is there a circular reference?`);
  }
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) {
      throw new Error(`unresolved CDK token ${JSON.stringify(value)} at ${where}: pass stack.resolve(value) to resolveIntrinsics, not the token`);
    }
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.map((item, i) => resolveValue(item, ctx, depth + 1, `${where}[${i}]`));
    return items.filter((item) => item !== NO_VALUE);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return resolveFunction(keys[0], record[keys[0]], ctx, depth + 1, where);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const resolved = resolveValue(record[key], ctx, depth + 1, `${where}.${key}`);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function resolveFunction(fn: string, arg: unknown, ctx: ResolveContext, depth: number, where: string): Resolved {
  const here = `${where}.${fn}`;
  switch (fn) {
    case 'Ref':
      return ref(asString(resolveValue(arg, ctx, depth, here), here, ctx), ctx, depth, here);
    case 'Fn::GetAtt': {
      let logicalId: string;
      let attribute: string;
      if (typeof arg === 'string') {
        const dot = arg.indexOf('.');
        if (dot < 0) throw new Error(`${here}: expected "LogicalId.Attribute", got ${JSON.stringify(arg)}`);
        logicalId = arg.slice(0, dot);
        attribute = arg.slice(dot + 1);
      } else {
        const parts = expectArray(arg, 2, here, ctx);
        logicalId = asString(resolveValue(parts[0], ctx, depth, `${here}[0]`), here, ctx);
        attribute = asString(resolveValue(parts[1], ctx, depth, `${here}[1]`), here, ctx);
      }
      return getAtt(logicalId, attribute, ctx, depth, here);
    }
    case 'Fn::Join': {
      const [delimiter, list] = expectArray(arg, 2, here, ctx);
      const items = resolveValue(list, ctx, depth, `${here}[1]`);
      if (!Array.isArray(items)) throw new Error(`${here}: the list to join resolved to ${JSON.stringify(items)} in stack ${ctx.stack.stackName}`);
      return items.map((item, i) => asString(item, `${here}[1][${i}]`, ctx)).join(asString(delimiter, `${here}[0]`, ctx));
    }
    case 'Fn::Sub':
      return sub(arg, ctx, depth, here);
    case 'Fn::Select': {
      const [index, list] = expectArray(arg, 2, here, ctx);
      const i = Number(resolveValue(index, ctx, depth, `${here}[0]`));
      const items = resolveValue(list, ctx, depth, `${here}[1]`);
      if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
        throw new Error(`${here}: cannot select index ${i} from ${JSON.stringify(items)} in stack ${ctx.stack.stackName}`);
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = expectArray(arg, 2, here, ctx);
      return asString(resolveValue(source, ctx, depth, `${here}[1]`), here, ctx).split(asString(delimiter, `${here}[0]`, ctx));
    }
    case 'Fn::ImportValue':
      return importValue(asString(resolveValue(arg, ctx, depth, here), here, ctx), ctx, depth, here);
    case 'Fn::If': {
      const [condition, ifTrue, ifFalse] = expectArray(arg, 3, here, ctx);
      const chosen = conditionHoldsAt(asString(condition, `${here}[0]`, ctx), ctx, depth, here) ? ifTrue : ifFalse;
      return resolveValue(chosen, ctx, depth, here);
    }
    case 'Fn::FindInMap': {
      const [mapName, topKey, secondKey] = expectArray(arg, 3, here, ctx).map((part, i) => asString(resolveValue(part, ctx, depth, `${here}[${i}]`), here, ctx));
      const found = ctx.stack.template.Mappings?.[mapName]?.[topKey]?.[secondKey];
      if (found === undefined) throw new Error(`${here}: no mapping ${mapName}.${topKey}.${secondKey} in stack ${ctx.stack.stackName}`);
      return resolveValue(found, ctx, depth, here);
    }
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((suffix) => `${ctx.stack.region}${suffix}`);
    case 'Fn::Base64':
      return Buffer.from(asString(resolveValue(arg, ctx, depth, here), here, ctx)).toString('base64');
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveValue(arg, ctx, depth, here));
    default:
      throw new Error(`${here}: intrinsic ${fn} is not supported by the test harness resolver (stack ${ctx.stack.stackName})`);
  }
}

function ref(name: string, ctx: ResolveContext, depth: number, where: string): Resolved {
  const { stack } = ctx;
  switch (name) {
    case 'AWS::Partition': return 'aws';
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::AccountId': return stack.account;
    case 'AWS::Region': return stack.region;
    case 'AWS::StackName': return stack.stackName;
    case 'AWS::StackId': return `arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${stack.stackName}/00000000-0000-0000-0000-000000000000`;
    case 'AWS::NoValue': return NO_VALUE;
    case 'AWS::NotificationARNs': return [];
    default:
      break;
  }
  const parameter = stack.template.Parameters?.[name];
  if (parameter) {
    const given = ctx.parameters?.[name];
    if (given !== undefined) return given;
    if (parameter.Default !== undefined && !parameter.Type.startsWith('AWS::SSM::Parameter::Value')) return parameter.Default;
    return `parameter:${name}`;
  }
  const resource = stack.template.Resources?.[name];
  if (!resource) throw unknownLogicalId(name, ctx, where);
  return physical(name, resource, ctx, depth, where).ref;
}

function getAtt(logicalId: string, attribute: string, ctx: ResolveContext, depth: number, where: string): Resolved {
  const resource = ctx.stack.template.Resources?.[logicalId];
  if (!resource) throw unknownLogicalId(logicalId, ctx, where);
  const names = physical(logicalId, resource, ctx, depth, where);
  const known = names.attributes[attribute];
  if (known !== undefined) return known;
  const placeholder = genericArn(logicalId, resource, ctx);
  return /arn$/i.test(attribute) ? placeholder : `${placeholder}/${attribute}`;
}

function genericArn(logicalId: string, resource: CfnResourceEntry, ctx: ResolveContext): string {
  const service = (resource.Type.split('::')[1] ?? 'unknown').toLowerCase();
  return `arn:aws:${service}:${ctx.stack.region}:${ctx.stack.account}:${logicalId}`;
}

interface PhysicalNames {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

function physical(logicalId: string, resource: CfnResourceEntry, ctx: ResolveContext, depth: number, where: string): PhysicalNames {
  const { account, region } = ctx.stack;
  const prop = (name: string): string | undefined => {
    const raw = resource.Properties?.[name];
    if (raw === undefined) return undefined;
    const resolved = resolveValue(raw, ctx, depth + 1, `Resources.${logicalId}.Properties.${name}`);
    return resolved === NO_VALUE ? undefined : asString(resolved, `${where} (${logicalId}.${name})`, ctx);
  };
  const nameOr = (property: string, fallback: string = logicalId): string => prop(property) ?? fallback;
  const iamPath = (): string => prop('Path') ?? '/';
  switch (resource.Type) {
    case 'AWS::KMS::Key':
    case 'AWS::KMS::ReplicaKey':
      return { ref: logicalId, attributes: { Arn: `arn:aws:kms:${region}:${account}:key/${logicalId}`, KeyId: logicalId } };
    case 'AWS::KMS::Alias': {
      const alias = nameOr('AliasName', `alias/${logicalId}`);
      return { ref: alias, attributes: {} };
    }
    case 'AWS::IAM::Role': {
      const name = nameOr('RoleName');
      return { ref: name, attributes: { Arn: `arn:aws:iam::${account}:role${iamPath()}${name}`, RoleId: `AROA${logicalId.toUpperCase()}` } };
    }
    case 'AWS::IAM::User': {
      const name = nameOr('UserName');
      return { ref: name, attributes: { Arn: `arn:aws:iam::${account}:user${iamPath()}${name}` } };
    }
    case 'AWS::IAM::Group': {
      const name = nameOr('GroupName');
      return { ref: name, attributes: { Arn: `arn:aws:iam::${account}:group${iamPath()}${name}` } };
    }
    case 'AWS::IAM::ManagedPolicy': {
      const arn = `arn:aws:iam::${account}:policy${iamPath()}${nameOr('ManagedPolicyName')}`;
      return { ref: arn, attributes: { PolicyArn: arn } };
    }
    case 'AWS::IAM::InstanceProfile': {
      const name = nameOr('InstanceProfileName');
      return { ref: name, attributes: { Arn: `arn:aws:iam::${account}:instance-profile${iamPath()}${name}` } };
    }
    case 'AWS::S3::Bucket': {
      const name = nameOr('BucketName', logicalId.toLowerCase());
      return {
        ref: name,
        attributes: {
          Arn: `arn:aws:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
          WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
        },
      };
    }
    case 'AWS::Lambda::Function': {
      const name = nameOr('FunctionName');
      return { ref: name, attributes: { Arn: `arn:aws:lambda:${region}:${account}:function:${name}` } };
    }
    case 'AWS::Logs::LogGroup': {
      const name = nameOr('LogGroupName');
      return { ref: name, attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` } };
    }
    case 'AWS::SNS::Topic': {
      const name = nameOr('TopicName');
      const arn = `arn:aws:sns:${region}:${account}:${name}`;
      return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    case 'AWS::SQS::Queue': {
      const name = nameOr('QueueName');
      const url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      return { ref: url, attributes: { Arn: `arn:aws:sqs:${region}:${account}:${name}`, QueueName: name, QueueUrl: url } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const name = nameOr('StateMachineName');
      const arn = `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      return { ref: arn, attributes: { Arn: arn, Name: name } };
    }
    case 'AWS::SecretsManager::Secret': {
      const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${nameOr('Name')}-AbCdEf`;
      return { ref: arn, attributes: { Id: arn } };
    }
    case 'AWS::SSM::Parameter': {
      const name = nameOr('Name');
      return { ref: name, attributes: {} };
    }
    case 'AWS::DynamoDB::Table': {
      const name = nameOr('TableName');
      return { ref: name, attributes: { Arn: `arn:aws:dynamodb:${region}:${account}:table/${name}` } };
    }
    case 'AWS::Events::Rule': {
      const name = nameOr('Name');
      return { ref: name, attributes: { Arn: `arn:aws:events:${region}:${account}:rule/${name}` } };
    }
    case 'AWS::CloudTrail::Trail': {
      const name = nameOr('TrailName');
      return { ref: name, attributes: { Arn: `arn:aws:cloudtrail:${region}:${account}:trail/${name}` } };
    }
    default:
      return { ref: genericArn(logicalId, resource, ctx), attributes: {} };
  }
}

function sub(arg: unknown, ctx: ResolveContext, depth: number, where: string): string {
  let template: unknown = arg;
  let variables: Record<string, unknown> = {};
  if (Array.isArray(arg)) {
    const [body, vars] = expectArray(arg, 2, where, ctx);
    template = body;
    if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) {
      throw new Error(`${where}: the variable map must be an object in stack ${ctx.stack.stackName}`);
    }
    variables = vars as Record<string, unknown>;
  }
  const body = asString(template, `${where}[0]`, ctx);
  return body.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
    if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
    const name = expression.trim();
    if (name in variables) return asString(resolveValue(variables[name], ctx, depth, `${where}.${name}`), `${where}.${name}`, ctx);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      return asString(getAtt(name.slice(0, dot), name.slice(dot + 1), ctx, depth, where), where, ctx);
    }
    return asString(ref(name, ctx, depth, where), where, ctx);
  });
}

function importValue(exportName: string, ctx: ResolveContext, depth: number, where: string): Resolved {
  const stacks = ctx.stacks ?? [ctx.stack];
  const available: string[] = [];
  for (const candidate of stacks) {
    const candidateCtx: ResolveContext = { ...ctx, stack: candidate, stacks };
    for (const [outputId, output] of Object.entries(candidate.template.Outputs ?? {})) {
      if (output.Export === undefined) continue;
      const name = asString(resolveValue(output.Export.Name, candidateCtx, depth, `Outputs.${outputId}.Export.Name`), where, candidateCtx);
      if (name === exportName) {
        return resolveValue(output.Value, candidateCtx, depth, `${candidate.stackName}.Outputs.${outputId}.Value`);
      }
      available.push(`${name} (${candidate.stackName})`);
    }
  }
  throw new Error(
    `${where}: no stack exports ${JSON.stringify(exportName)} (import in stack ${ctx.stack.stackName}); ` +
    `exports available: ${available.join(', ') || '(none)'}. Include the exporting stack in the context's stacks`,
  );
}

function conditionHoldsAt(name: string, ctx: ResolveContext, depth: number, where: string): boolean {
  const conditions = ctx.stack.template.Conditions ?? {};
  if (!(name in conditions)) throw new Error(`${where}: condition ${name} is not defined in stack ${ctx.stack.stackName}`);
  return evaluateCondition(conditions[name], ctx, depth + 1, `Conditions.${name}`);
}

function evaluateCondition(expression: unknown, ctx: ResolveContext, depth: number, where: string): boolean {
  if (depth > MAX_DEPTH) throw new Error(`${where}: conditions nest too deeply in stack ${ctx.stack.stackName}`);
  if (typeof expression === 'boolean') return expression;
  if (expression === null || typeof expression !== 'object' || Array.isArray(expression)) {
    throw new Error(`${where}: not a condition: ${JSON.stringify(expression)}`);
  }
  const [fn, arg] = Object.entries(expression as Record<string, unknown>)[0] ?? [];
  switch (fn) {
    case 'Condition':
      return conditionHoldsAt(asString(arg, where, ctx), ctx, depth, where);
    case 'Fn::Equals': {
      const [left, right] = expectArray(arg, 2, where, ctx).map((operand) => resolveValue(operand, ctx, depth + 1, where));
      return JSON.stringify(left) === JSON.stringify(right);
    }
    case 'Fn::Not':
      return !evaluateCondition(expectArray(arg, 1, where, ctx)[0], ctx, depth + 1, where);
    case 'Fn::And':
      return expectArray(arg, 1, where, ctx).every((operand) => evaluateCondition(operand, ctx, depth + 1, where));
    case 'Fn::Or':
      return expectArray(arg, 1, where, ctx).some((operand) => evaluateCondition(operand, ctx, depth + 1, where));
    default:
      throw new Error(`${where}: condition function ${String(fn)} is not supported by the test harness resolver`);
  }
}

function expectArray(value: unknown, length: number, where: string, ctx: ResolveContext): unknown[] {
  if (!Array.isArray(value) || value.length < length) {
    throw new Error(`${where}: expected a list of ${length} arguments, got ${JSON.stringify(value)} in stack ${ctx.stack.stackName}`);
  }
  return value;
}

function asString(value: unknown, where: string, ctx: ResolveContext): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${where}: expected a string, got ${value === NO_VALUE ? 'AWS::NoValue' : JSON.stringify(value)} in stack ${ctx.stack.stackName}`);
}

function unknownLogicalId(name: string, ctx: ResolveContext, where: string): Error {
  const known = Object.keys(ctx.stack.template.Resources ?? {});
  return new Error(
    `${where}: ${name} is neither a pseudo parameter, a parameter nor a resource of stack ${ctx.stack.stackName} ` +
    `(resources: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''})`,
  );
}
