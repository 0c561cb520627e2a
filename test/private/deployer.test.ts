import {
  App, BootstraplessSynthesizer, CfnResource, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, IStackSynthesizer, LegacyStackSynthesizer,
  NestedStack, Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { deploymentRoleArn } from '../../src/private/deployer';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** The role the deployment of `stack` will use, as the cloud assembly tells the CDK CLI. */
function manifestRole(app: App, stack: Stack): string | undefined {
  new CfnResource(stack, 'Placeholder', { type: 'AWS::CloudFormation::WaitConditionHandle' });
  return (app.synth().getStackByName(stack.stackName).manifest.properties as any)?.cloudFormationExecutionRoleArn;
}

describe('deploymentRoleArn', () => {
  test.each<[string, () => IStackSynthesizer, string]>([
    ['the default synthesizer', () => new DefaultStackSynthesizer(),
      'arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1'],
    ['a custom qualifier', () => new DefaultStackSynthesizer({ qualifier: 'team1' }),
      'arn:${AWS::Partition}:iam::111111111111:role/cdk-team1-cfn-exec-role-111111111111-eu-west-1'],
    ['a custom execution role', () => new DefaultStackSynthesizer({ cloudFormationExecutionRole: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/deployers/${Qualifier}' }),
      'arn:${AWS::Partition}:iam::111111111111:role/deployers/hnb659fds'],
    ['the bootstrapless synthesizer with a role', () => new BootstraplessSynthesizer({ cloudFormationExecutionRoleArn: 'arn:aws:iam::111111111111:role/cfn' }),
      'arn:aws:iam::111111111111:role/cfn'],
  ])('%s: the execution role of the cloud assembly, for Fn::Sub', (_what, synthesizer, expected) => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV, synthesizer: synthesizer() });
    // WHEN
    const arn = deploymentRoleArn(stack);
    // THEN
    expect(stack.resolve(arn)).toEqual({ 'Fn::Sub': expected });
    expect(manifestRole(app, stack)).toBe(expected);
  });

  test('an environment-agnostic stack keeps the account and Region as pseudo parameters', () => {
    const stack = new Stack(new App(), 'S');
    expect(stack.resolve(deploymentRoleArn(stack))).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}',
    });
  });

  test.each<[string, () => IStackSynthesizer]>([
    ['CLI credentials', () => new CliCredentialsStackSynthesizer()],
    ['the legacy synthesizer', () => new LegacyStackSynthesizer()],
  ])('%s: unknown, and the assembly names no role either', (_what, synthesizer) => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV, synthesizer: synthesizer() });
    expect(deploymentRoleArn(stack)).toBeUndefined();
    expect(manifestRole(app, stack)).toBeUndefined();
  });

  test('any construct of the stack answers for its stack', () => {
    const stack = new Stack(new App(), 'S', { env: ENV, synthesizer: new DefaultStackSynthesizer({ qualifier: 'x1' }) });
    const child = new Construct(new Construct(stack, 'A'), 'B');
    expect(stack.resolve(deploymentRoleArn(child))).toEqual(stack.resolve(deploymentRoleArn(stack)));
  });

  // CloudFormation deploys a nested stack with its parent's execution role, but the nested stack's
  // own synthesizer is not a DefaultStackSynthesizer, so the deployer is reported unknown: an
  // EncryptionKey with default props in a NestedStack fails synth ("nobody could ever administer").
  test('a nested stack is deployed by its parent\'s execution role', () => {
    const parent = new Stack(new App(), 'S', { env: ENV });
    const nested = new NestedStack(parent, 'Nested');
    const arn = deploymentRoleArn(nested);
    expect(arn).toBeDefined();
    expect(parent.resolve(arn)).toEqual(parent.resolve(deploymentRoleArn(parent)));
  });
});
