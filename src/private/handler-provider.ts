import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IAM_MINIMIZE_POLICIES } from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, acknowledgeInCompliancePacks } from './acknowledge';
import { ComplianceRules, LAMBDA_BASIC_EXECUTION_POLICY, NagRules, NIST_AND_HIPAA } from './ids';

/**
 * How to build one kind of custom resource handler.
 */
export interface HandlerProviderOptions {
  /** The construct id at the stack's root; one provider per stack per id. */
  readonly id: string;
  /** What the handler does, for its role's description. */
  readonly description: string;
  /** The AWS APIs it calls, for the acknowledgement of LambdaInsideVPC. */
  readonly calls: string;
  /** Creates the bundled function (one of the projen-generated `*Function` classes). */
  readonly createFunction: (scope: Construct, id: string, props: lambda.FunctionOptions) => lambda.Function;
  /**
   * The handler's timeout.
   *
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
}

/**
 * A custom resource handler and its provider, created once per stack: a dedicated role (no
 * managed policies), log groups kept a year, and the acknowledgements for cdk-nag findings that
 * cannot apply to a CloudFormation custom resource handler, each with its reason.
 */
export class HandlerProvider extends Construct {
  /** The provider of the stack for these options, created on first use. */
  public static of(scope: IConstruct, options: HandlerProviderOptions): HandlerProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(options.id) as HandlerProvider | undefined;
    return existing ?? new HandlerProvider(stack, options.id, options);
  }

  /** The provider framework, whose service token custom resources use. */
  public readonly provider: cr.Provider;
  /** The handler function. */
  public readonly handler: lambda.Function;
  /** The handler's role. */
  public readonly role: iam.Role;

  private constructor(scope: Construct, id: string, options: HandlerProviderOptions) {
    super(scope, id);
    // The handler's and the provider's policies are merged where exact (aws-cdk-lib's minimizePolicies,
    // for this construct only): one statement for the same actions and conditions on the resources of
    // every custom resource of the stack, instead of one statement each (and an overflow policy past 10 KB).
    // aws-cdk-lib compares conditions as JSON, where an unencoded token is "<unresolved-token>": conditions of
    // these roles hold strings, encoded tokens or values with a JSON of their own (see OwnedLogicalIds).
    this.node.setContext(IAM_MINIMIZE_POLICIES, true);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cdk-kms-patterns: ${options.description}`,
    });
    logGroup.grantWrite(this.role);
    this.handler = options.createFunction(this, 'Handler', {
      role: this.role,
      logGroup,
      timeout: options.timeout ?? Duration.minutes(2),
      memorySize: 256,
    });
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_YEAR }),
    });

    const stack = Stack.of(this);
    const handlerLogicalId = stack.resolve(stack.getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction));
    acknowledge(this.provider, [NagRules.iam4(LAMBDA_BASIC_EXECUTION_POLICY), NagRules.iam5(`<${handlerLogicalId}.Arn>:*`)], 'The CDK custom resource provider framework\'s own role: AWSLambdaBasicExecutionRole for its logs, and invoke rights on the versions of this one handler');
    acknowledgeInCompliancePacks(this, ComplianceRules.IAM_NO_INLINE_POLICY,
      'Inline policies scoped to the resources this handler manages; they live and die with the handler');
    acknowledgeInCompliancePacks(this, ComplianceRules.LAMBDA_INSIDE_VPC,
      `A CloudFormation custom resource handler that calls only ${options.calls}; it holds no network-reachable state`);
    acknowledgeInCompliancePacks(this, ComplianceRules.LAMBDA_CONCURRENCY, 'Invoked only by CloudFormation during deployments', NIST_AND_HIPAA);
    acknowledgeInCompliancePacks(this, ComplianceRules.LAMBDA_DLQ,
      'Invoked synchronously by the provider framework, which reports failures to CloudFormation', NIST_AND_HIPAA);
    acknowledgeInCompliancePacks(this, ComplianceRules.LOG_GROUP_ENCRYPTED,
      'The logs hold resource ids and step names only, never secret values or key material (tested)');
    acknowledge(this, [NagRules.KMS_CHECKS_LOG_GROUP_CMK],
      'The logs hold resource ids and step names only, never secret values or key material (tested)');
  }
}
