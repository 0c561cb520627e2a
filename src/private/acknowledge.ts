import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The rule-id prefixes of the cdk-nag 3 packs whose rules share names. */
const COMPLIANCE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/**
 * Acknowledges rule findings on a construct and everything below it, with the reason written
 * where auditors will read it. Used only for the library's own internals and for findings that
 * cannot apply (a rotation rule on a key KMS cannot rotate).
 *
 * aws-cdk-lib records each acknowledgement with a stack trace of the call, mapped through source
 * maps: the most expensive part of an acknowledgement, and for the library's own acknowledgements
 * a trace that points only into the library. They are recorded without one (the metadata entry,
 * the reason and the effect on validation are the same).
 */
export function acknowledge(scope: IConstruct, ids: string[], reason: string): void {
  if (ids.length === 0) return;
  withoutStackTraces(() => Validations.of(scope).acknowledge(...ids.map(id => ({ id, reason }))));
}

/**
 * Acknowledges a rule that the NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs share by
 * name (e.g. `LambdaInsideVPC`), in every one of those packs that has it.
 */
export function acknowledgeInCompliancePacks(scope: IConstruct, rule: string, reason: string, packs: string[] = COMPLIANCE_PACKS): void {
  acknowledge(scope, packs.map(pack => `${pack}-${rule}`), reason);
}

/**
 * Runs `fn` with stack traces switched off (`Error.stackTraceLimit = 0`), restoring the limit
 * afterwards whatever happens. An error thrown inside keeps its message, without frames.
 */
export function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
