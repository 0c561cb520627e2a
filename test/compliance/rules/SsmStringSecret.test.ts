import * as ssm from 'aws-cdk-lib/aws-ssm';
import { findings, newStack, severity } from './rule-test-support';

describe('KmsChecks-SsmStringSecret', () => {
  test.each([
    ['/orders/db-password', undefined],
    ['/orders/api_key', undefined],
    ['/orders/signing', 'The private key of the signer'],
    ['/orders/github', 'GitHub token'],
  ])('String parameter %s (%s) looks like a secret (error)', (name, description) => {
    const stack = newStack();
    new ssm.StringParameter(stack, 'Param', { parameterName: name, stringValue: 'hunter2', description });
    expect(findings(stack, 'SsmStringSecret')).toEqual(['KmsChecks-SsmStringSecret']);
    expect(severity(stack, 'SsmStringSecret')).toBe('error');
  });

  test('ordinary names pass; the patterns are configurable', () => {
    const stack = newStack();
    new ssm.StringParameter(stack, 'Param', { parameterName: '/orders/table-name', stringValue: 'orders' });
    expect(findings(stack, 'SsmStringSecret')).toEqual([]);
    expect(findings(stack, 'SsmStringSecret', { secretPatterns: ['table'] })).toEqual(['KmsChecks-SsmStringSecret']);
  });
});
