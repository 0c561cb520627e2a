import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-StateMachineCmk', () => {
  test('a state machine under an AWS owned key (error)', () => {
    const stack = newStack();
    new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    expect(findings(stack, 'StateMachineCmk')).toEqual(['KmsChecks-StateMachineCmk']);
    expect(severity(stack, 'StateMachineCmk')).toBe('error');
  });

  test('a state machine under a CMK passes', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new sfn.StateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(key),
    });
    expect(findings(stack, 'StateMachineCmk')).toEqual([]);
  });
});
