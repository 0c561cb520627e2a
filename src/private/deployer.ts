import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { EncryptionKeyBase, IEncryptionKey } from '../keys/encryption-key-base';
import { KeyCapability } from '../policy/key-capability';
import { KeyService } from '../policy/key-service';

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

/**
 * Lets the stack's deployment role use a key through one service, for resources CloudFormation
 * creates with it (an EBS volume: EC2 creates a grant for the volume on the deployer's behalf).
 * Does nothing for synthesizers whose deployer is not known.
 *
 * @param label the Sid stem of the statement
 */
export function grantDeployer(scope: IConstruct, key: IEncryptionKey, service: KeyService, capabilities: KeyCapability[],
  label: string): void {
  const arn = deploymentRoleArn(scope);
  if (!arn) return;
  const deployer = new iam.ArnPrincipal(arn);
  if (key instanceof EncryptionKeyBase) {
    key._grants.withService(service, key).grantCapabilities(deployer, capabilities, label, { label });
  } else {
    key.grantThroughService(deployer, service, ...capabilities);
  }
}
