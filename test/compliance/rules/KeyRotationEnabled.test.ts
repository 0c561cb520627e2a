import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, newStack, rawKey, severity } from './rule-test-support';

describe('KmsChecks-KeyRotationEnabled', () => {
  test('a symmetric key without rotation (error), aws-cdk-lib or raw', () => {
    const stack = newStack();
    new kms.Key(stack, 'CdkKey');
    rawKey(stack, [], { enableKeyRotation: false }, 'Raw');
    expect(findings(stack, 'KeyRotationEnabled')).toEqual(['KmsChecks-KeyRotationEnabled', 'KmsChecks-KeyRotationEnabled']);
    expect(severity(stack, 'KeyRotationEnabled')).toBe('error');
  });

  test('rotating symmetric keys pass; asymmetric, HMAC and imported-material keys are not concerned', () => {
    const stack = newStack();
    rawKey(stack, []);
    rawKey(stack, [], { enableKeyRotation: undefined, keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }, 'Rsa');
    rawKey(stack, [], { enableKeyRotation: undefined, keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }, 'Hmac');
    rawKey(stack, [], { enableKeyRotation: undefined, origin: 'EXTERNAL' }, 'Byok');
    expect(findings(stack, 'KeyRotationEnabled')).toEqual([]);
  });
});
