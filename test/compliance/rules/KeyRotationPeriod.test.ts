import { CfnParameter, Duration } from 'aws-cdk-lib';
import { findings, newStack, rawKey, severity } from './rule-test-support';
import { KmsChecks } from '../../../src';

describe('KmsChecks-KeyRotationPeriod', () => {
  test('a period above the threshold (warning); the threshold is configurable', () => {
    const stack = newStack();
    rawKey(stack, [], { rotationPeriodInDays: 730 });
    expect(findings(stack, 'KeyRotationPeriod')).toEqual(['KmsChecks-KeyRotationPeriod']);
    expect(severity(stack, 'KeyRotationPeriod')).toBe('warning');
    expect(findings(stack, 'KeyRotationPeriod', { maxRotationPeriod: Duration.days(1000) })).toEqual([]);
  });

  test('the default period (365 days) passes the default threshold, not a stricter one', () => {
    const stack = newStack();
    rawKey(stack, []);
    expect(findings(stack, 'KeyRotationPeriod')).toEqual([]);
    expect(findings(stack, 'KeyRotationPeriod', { maxRotationPeriod: Duration.days(180) })).toEqual(['KmsChecks-KeyRotationPeriod']);
  });

  test('a period given as a parameter cannot be told: reported as a rule error, never guessed', () => {
    const stack = newStack();
    const days = new CfnParameter(stack, 'Days', { type: 'Number' });
    rawKey(stack, [], { rotationPeriodInDays: days.valueAsNumber });
    const violation = new KmsChecks().validateScope(stack).violations.find(v => v.ruleName === 'KmsChecks-KeyRotationPeriod');
    expect(violation?.description).toMatch(/Rule threw an error during validation/);
  });
});
