/**
 * cdk-nag 3 rule packs as a test assertion.
 *
 * cdk-nag 3 packs are `IPolicyValidationPlugin`s; `NagPack.validateScope(scope)` walks the construct
 * tree, honours acknowledgements made with `Validations.of(construct).acknowledge({ id, reason })`
 * (on the resource or any ancestor) and returns a report whose violations group every offending
 * resource under one rule id. Rule ids are `<pack>-<rule>`, or `<pack>-<rule>[<finding>]` for rules
 * with granular findings (acknowledge that exact id). A rule that throws (typically on an
 * unresolvable intrinsic) is reported as a violation with the description "Rule threw an error
 * during validation": it is listed here like any other finding.
 */
import { Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { KmsChecks } from '../../src/compliance/kms-checks';

/** The severity cdk-nag reports. */
export type NagLevel = 'error' | 'warning';

/** One unacknowledged finding: one rule on one resource. */
export interface NagFinding {
  /** Pack name, e.g. `AwsSolutions`, `NIST.800.53.R5`. */
  readonly pack: string;
  /** Rule id as acknowledged, e.g. `AwsSolutions-S1` or `AwsSolutions-IAM5[Action::kms:*]`. */
  readonly ruleId: string;
  readonly level: NagLevel;
  /** Construct path of the offending CloudFormation resource. */
  readonly resourcePath: string;
  /** The rule's description (with its explanation when `verbose`). */
  readonly message: string;
}

/** Options for {@link nagFindings} and {@link expectNoNagFindings}. */
export interface NagOptions {
  /**
   * The packs to run.
   * @default - {@link defaultNagPacks}: AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, KmsChecks
   */
  readonly packs?: readonly NagPack[];
  /**
   * Which levels to report.
   * @default ['error', 'warning']
   */
  readonly levels?: readonly NagLevel[];
  /**
   * Synthesize the app first, so that Aspects and lazy values have run as they do before cdk-nag's
   * plugin runs in `cdk synth`. An app synthesizes once (later calls return the cached assembly), so
   * build the whole app before the first check.
   * @default true
   */
  readonly synthesize?: boolean;
}

/** Fresh instances of the four packs the project's users run, and the library's own KmsChecks. */
export function defaultNagPacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks(), new KmsChecks()];
}

/**
 * Runs the packs on `scope` (an app, stage, stack or any construct) and returns every unacknowledged
 * finding, one per rule and resource, sorted by pack, rule id and path.
 */
export function nagFindings(scope: IConstruct, options: NagOptions = {}): NagFinding[] {
  if (options.synthesize ?? true) {
    const root = scope.node.root;
    if (Stage.isStage(root)) root.synth();
  }
  const levels = options.levels ?? ['error', 'warning'];
  const findings: NagFinding[] = [];
  for (const pack of options.packs ?? defaultNagPacks()) {
    const report = pack.validateScope(scope);
    for (const violation of report.violations) {
      const level: NagLevel = violation.severity === 'error' ? 'error' : 'warning';
      if (!levels.includes(level)) continue;
      for (const resource of violation.violatingResources) {
        findings.push({ pack: pack.readPackName, ruleId: violation.ruleName, level, resourcePath: resource.constructPath ?? '(unknown)', message: violation.description });
      }
    }
  }
  return findings.sort((a, b) => a.pack.localeCompare(b.pack) || a.ruleId.localeCompare(b.ruleId) || a.resourcePath.localeCompare(b.resourcePath));
}

/**
 * Formats findings one per line, `[level] ruleId  path  short message`, grouped under their pack;
 * messages are cut at their first sentence (at most 140 characters).
 */
export function formatFindings(findings: readonly NagFinding[]): string {
  if (findings.length === 0) return 'no cdk-nag findings';
  const lines: string[] = [];
  let pack: string | undefined;
  const ruleWidth = Math.max(...findings.map((f) => f.ruleId.length));
  const pathWidth = Math.max(...findings.map((f) => f.resourcePath.length));
  for (const f of findings) {
    if (f.pack !== pack) {
      pack = f.pack;
      const count = findings.filter((x) => x.pack === pack).length;
      lines.push(`${pack} (${count} finding${count === 1 ? '' : 's'}):`);
    }
    lines.push(`  [${f.level.padEnd(7)}] ${f.ruleId.padEnd(ruleWidth)}  ${f.resourcePath.padEnd(pathWidth)}  ${shortMessage(f.message)}`);
  }
  return lines.join('\n');
}

/**
 * Throws, listing every finding, unless the packs find nothing on `scope`. Acknowledge accepted
 * findings in the code under test with `Validations.of(construct).acknowledge({ id, reason })`.
 */
export function expectNoNagFindings(scope: IConstruct, options: NagOptions = {}): void {
  const findings = nagFindings(scope, options);
  if (findings.length > 0) {
    throw new Error(`cdk-nag reported ${findings.length} unacknowledged finding${findings.length === 1 ? '' : 's'} under ${scope.node.path || '(app)'}:\n${formatFindings(findings)}`);
  }
}

function shortMessage(message: string): string {
  const firstSentence = message.split(/(?<=\.)\s/)[0];
  return firstSentence.length > 140 ? `${firstSentence.slice(0, 137)}...` : firstSentence;
}
