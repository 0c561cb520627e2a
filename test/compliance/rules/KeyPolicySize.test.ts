import { findings, newStack, rawKey, severity } from './rule-test-support';

function manyRoles(count: number): any[] {
  return Array.from({ length: count }, (_, i) => ({
    Sid: `Reader${i}`,
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::111111111111:role/some/long/path/reader-role-number-${i}` },
    Action: ['kms:Decrypt', 'kms:DescribeKey'],
    Resource: '*',
  }));
}

describe('KmsChecks-KeyPolicySize', () => {
  test('a policy over 90% of 32 KB (warning); a lower threshold reports a smaller one', () => {
    const big = newStack();
    rawKey(big, manyRoles(200));
    expect(findings(big, 'KeyPolicySize')).toEqual(['KmsChecks-KeyPolicySize']);
    expect(severity(big, 'KeyPolicySize')).toBe('warning');

    const medium = newStack();
    rawKey(medium, manyRoles(60));
    expect(findings(medium, 'KeyPolicySize')).toEqual([]);
    expect(findings(medium, 'KeyPolicySize', { policySizeWarningPercent: 25 })).toEqual(['KmsChecks-KeyPolicySize']);
  });

  test('a small policy passes', () => {
    const stack = newStack();
    rawKey(stack, []);
    expect(findings(stack, 'KeyPolicySize')).toEqual([]);
  });
});
