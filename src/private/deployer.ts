import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The principal that deploys a stack: the CloudFormation execution role of the default
 * synthesizer, or undefined for other synthesizers. Never exported from the package.
 */
export function deploymentRoleArn(scope: IConstruct): string | undefined {
  const synthesizer = Stack.of(scope).synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // The synthesizer writes ${AWS::Partition} and friends for Fn::Sub.
    return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
  }
  return undefined;
}
