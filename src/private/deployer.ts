import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The principal that deploys a stack: the CloudFormation execution role of the default
 * synthesizer, or undefined for other synthesizers. Never exported from the package.
 */
export function deploymentRoleArn(scope: IConstruct): string | undefined {
  // A nested stack is deployed by its parent's execution role.
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) {
    stack = stack.nestedStackParent;
  }
  const synthesizer = stack.synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // The synthesizer writes ${AWS::Partition} and friends for Fn::Sub.
    return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
  }
  return undefined;
}
