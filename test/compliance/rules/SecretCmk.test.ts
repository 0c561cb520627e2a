import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-SecretCmk', () => {
  test('a secret under aws/secretsmanager (error)', () => {
    const stack = newStack();
    new secretsmanager.Secret(stack, 'Secret');
    expect(findings(stack, 'SecretCmk')).toEqual(['KmsChecks-SecretCmk']);
    expect(severity(stack, 'SecretCmk')).toBe('error');
  });

  test('a secret under a CMK passes', () => {
    const stack = newStack();
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(findings(stack, 'SecretCmk')).toEqual([]);
  });
});
