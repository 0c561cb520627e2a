import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeInCompliancePacks, withoutStackTraces } from '../../src/private/acknowledge';
import { nagFindings } from '../harness/compliance';

/** A bucket without server access logs: AwsSolutions-S1 and S3BucketLoggingEnabled in the three compliance packs. */
function setup() {
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const parent = new Construct(stack, 'Parent');
  const bucket = new s3.Bucket(parent, 'Bucket', { enforceSSL: true });
  return { stack, parent, bucket };
}

function logging(scope: Stack): string[] {
  const packs = [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
  return nagFindings(scope, { packs, synthesize: false })
    .filter(f => /-(S1|S3BucketLoggingEnabled)$/.test(f.ruleId))
    .map(f => f.ruleId);
}

function acknowledged(construct: Construct): Record<string, string> {
  return Object.assign({}, ...construct.node.metadata
    .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .map(m => m.data as Record<string, string>));
}

describe('acknowledge', () => {
  test('an acknowledged finding is no longer reported, and the reason is recorded on the construct', () => {
    const { stack, bucket } = setup();
    expect(logging(stack)).toContain('AwsSolutions-S1');
    acknowledge(bucket, ['AwsSolutions-S1'], 'Logs go to the central account');
    expect(logging(stack)).not.toContain('AwsSolutions-S1');
    expect(Object.values(acknowledged(bucket))).toEqual(['Logs go to the central account']);
  });

  test('an acknowledgement on a parent covers everything below it', () => {
    const { stack, parent } = setup();
    acknowledge(parent, ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled'], 'reason');
    expect(logging(stack)).toEqual(['HIPAA.Security-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketLoggingEnabled']);
  });

  test('no ids, no acknowledgement', () => {
    const { bucket } = setup();
    acknowledge(bucket, [], 'reason');
    expect(acknowledged(bucket)).toEqual({});
  });
});

describe('acknowledgeInCompliancePacks', () => {
  test('a rule the three compliance packs share is acknowledged in each of them, and only there', () => {
    const { stack, bucket } = setup();
    expect(logging(stack).sort()).toEqual([
      'AwsSolutions-S1', 'HIPAA.Security-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketLoggingEnabled',
    ]);
    acknowledgeInCompliancePacks(bucket, 'S3BucketLoggingEnabled', 'reason');
    expect(logging(stack)).toEqual(['AwsSolutions-S1']);
  });

  test('the packs can be narrowed (a rule only some packs have)', () => {
    const { stack, bucket } = setup();
    acknowledgeInCompliancePacks(bucket, 'S3BucketLoggingEnabled', 'reason', ['NIST.800.53.R5', 'HIPAA.Security']);
    expect(logging(stack).sort()).toEqual(['AwsSolutions-S1', 'PCI.DSS.321-S3BucketLoggingEnabled']);
  });
});

describe('acknowledgements take no stack trace', () => {
  test('GIVEN an acknowledgement WHEN recorded THEN every trace aws-cdk-lib asks for is empty, and the limit is restored', () => {
    const { bucket } = setup();
    const limits: number[] = [];
    const original = Error.captureStackTrace;
    const spy = jest.spyOn(Error, 'captureStackTrace').mockImplementation((target: object, ctor?: Function) => {
      limits.push(Error.stackTraceLimit);
      original(target, ctor);
    });
    const before = Error.stackTraceLimit;
    try {
      acknowledge(bucket, ['AwsSolutions-S1', 'AwsSolutions-S10'], 'reason');
    } finally {
      spy.mockRestore();
    }
    expect(limits.length).toBeGreaterThan(0);
    expect(limits.every(l => l === 0)).toBe(true);
    expect(Error.stackTraceLimit).toBe(before);
    // the acknowledgements themselves are recorded as before
    expect(acknowledged(bucket)).toEqual({ 'Annotation::AwsSolutions-S1': 'reason', 'Annotation::AwsSolutions-S10': 'reason' });
  });

  test('withoutStackTraces restores the limit when the function throws, and keeps the message', () => {
    const before = Error.stackTraceLimit;
    expect(() => withoutStackTraces(() => {
      throw new Error('refused');
    })).toThrow('refused');
    expect(Error.stackTraceLimit).toBe(before);
    expect(withoutStackTraces(() => 42)).toBe(42);
  });
});
