import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HandlerProvider, HandlerProviderOptions } from '../../src/private/handler-provider';
import { nagFindings } from '../harness/compliance';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** Options with an inline function standing in for a projen-bundled one. */
function options(overrides: Partial<HandlerProviderOptions> = {}): HandlerProviderOptions {
  return {
    id: 'TestHandlerProvider',
    description: 'sets something up',
    calls: 'the Example API',
    createFunction: (scope, id, props) => new lambda.Function(scope, id, {
      ...props,
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    }),
    ...overrides,
  };
}

describe('HandlerProvider.of', () => {
  test('one provider per stack and id, at the stack\'s root, whatever scope asks', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const first = HandlerProvider.of(new Construct(stack, 'A'), options());
    expect(HandlerProvider.of(new Construct(stack, 'B'), options())).toBe(first);
    expect(first.node.path).toBe('S/TestHandlerProvider');
    expect(HandlerProvider.of(stack, options({ id: 'Other' }))).not.toBe(first);
    expect(HandlerProvider.of(new Stack(app, 'T', { env: ENV }), options())).not.toBe(first);
  });
});

describe('HandlerProvider', () => {
  const stack = new Stack(new App(), 'S', { env: ENV });
  const provider = HandlerProvider.of(stack, options());
  const template = Template.fromStack(stack);

  test('a dedicated role for Lambda, described, with no managed policy', () => {
    const roleId = stack.getLogicalId(provider.role.node.defaultChild as any);
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.Description).toBe('cdk-kms-patterns: sets something up');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the handler: that role, 2 minutes, 256 MB, logging to a log group kept a year that the role may write', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [stack.getLogicalId(provider.role.node.defaultChild as any), 'Arn'] },
      Timeout: 120,
      MemorySize: 256,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^TestHandlerProviderLogs') } },
    });
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 365 }, 2);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(provider.role.node.defaultChild as any) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] })]) },
    });
  });

  test('the provider framework invokes that handler', () => {
    expect(provider.provider.serviceToken).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { USER_ON_EVENT_FUNCTION_ARN: { 'Fn::GetAtt': [stack.getLogicalId(provider.handler.node.defaultChild as any), 'Arn'] } } },
    });
  });

  test('a timeout can be given', () => {
    const other = new Stack(new App(), 'T', { env: ENV });
    HandlerProvider.of(other, options({ timeout: Duration.minutes(10) }));
    Template.fromStack(other).hasResourceProperties('AWS::Lambda::Function', { Timeout: 600, MemorySize: 256 });
  });

  test('the cdk-nag findings that cannot apply to a custom resource handler are acknowledged, with the APIs it calls as reason', () => {
    const findings = nagFindings(stack, { synthesize: false }).map(f => f.ruleId);
    // the same function outside a HandlerProvider is reported for these rules
    const bare = new Stack(new App(), 'Bare', { env: ENV });
    options().createFunction(bare, 'Handler', {});
    const bareFindings = nagFindings(bare, { synthesize: false }).map(f => f.ruleId);
    expect(bareFindings).toEqual(expect.arrayContaining(['NIST.800.53.R5-LambdaInsideVPC', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]']));
    for (const rule of ['IAMNoInlinePolicy', 'LambdaInsideVPC', 'LambdaConcurrency', 'LambdaDLQ', 'CloudWatchLogGroupEncrypted']) {
      expect(findings.filter(id => id.endsWith(`-${rule}`))).toEqual([]);
    }
    expect(findings.filter(id => /AwsSolutions-IAM[45]/.test(id))).toEqual([]);
    const reasons = JSON.stringify(provider.node.metadata);
    expect(reasons).toContain('A CloudFormation custom resource handler that calls only the Example API');
  });
});
