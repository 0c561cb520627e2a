import { CfnResource, Duration, Token } from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { KMS_CHECKS_PACK, KMS_RULES } from './kms-rules';
import { KmsRuleOptions } from './rule-support';
import { invalid, validateDays } from '../private/validation';

/**
 * Options of the KmsChecks rule pack.
 */
export interface KmsChecksProps extends NagPackProps {
  /**
   * A rotating symmetric key must rotate at least this often (`KmsChecks-KeyRotationPeriod`).
   * Between 90 and 2560 days, as KMS allows.
   *
   * @default Duration.days(365)
   */
  readonly maxRotationPeriod?: Duration;

  /**
   * A key's pending window must be at least this long (`KmsChecks-KeyPendingWindow`). Between 7
   * and 30 days, as KMS allows.
   *
   * @default Duration.days(30)
   */
  readonly minPendingWindow?: Duration;

  /**
   * A key policy over this percentage of KMS's 32 KB limit is reported (`KmsChecks-KeyPolicySize`).
   * Between 1 and 100.
   *
   * @default 90
   */
  readonly policySizeWarningPercent?: number;

  /**
   * Regular expressions (case-insensitive) that make the name or description of an SSM `String`
   * parameter look like a secret (`KmsChecks-SsmStringSecret`). Replaces the default list.
   *
   * @default - password, passwd, secret, token, private key, api key, credential
   */
  readonly secretPatterns?: string[];
}

/** The default secret-looking words of SSM String parameters. */
const DEFAULT_SECRET_PATTERNS = ['pass(word|wd)', 'secret', 'token', 'private[-_ ./]?key', 'api[-_ ./]?key', 'credential'];

/**
 * A cdk-nag 3 rule pack that reads what KMS key policies say, and checks that data at rest uses
 * customer managed keys.
 *
 * Rules read every `AWS::KMS::Key` and `AWS::KMS::ReplicaKey` of the app (this library's,
 * aws-cdk-lib's `kms.Key`, raw `CfnKey`) through a policy parser that evaluates conditions (a
 * `Principal: *` pinned by `aws:PrincipalAccount`, `kms:CallerAccount`, `aws:PrincipalOrgID`,
 * `aws:SourceAccount`, `aws:SourceArn` or `aws:PrincipalArn` is not public), and resolves
 * intrinsics with the stack (`Fn::Join`, `Fn::Sub`, pseudo parameters, `Fn::GetAtt` of roles).
 * Rule ids are `KmsChecks-<Rule>`, or `KmsChecks-<Rule>[<statement Sid>]` for key policy rules:
 * acknowledge them with `Validations.of(construct).acknowledge({ id, reason })`. RULES.md lists
 * every rule, its level and the AWS control it maps to.
 *
 * @example
 * import { Validations } from 'aws-cdk-lib';
 * import { KmsChecks } from 'cdk-kms-patterns';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new KmsChecks());
 */
export class KmsChecks extends NagPack {
  /** The pack's name. */
  public readonly name: string = KMS_CHECKS_PACK;

  private readonly options: KmsRuleOptions;

  constructor(scope?: IConstruct, props: KmsChecksProps = {}) {
    const maxRotationDays = validateDays('maxRotationPeriod', props.maxRotationPeriod, 90, 2560) ?? 365;
    const minPendingWindowDays = validateDays('minPendingWindow', props.minPendingWindow, 7, 30) ?? 30;
    const percent = props.policySizeWarningPercent ?? 90;
    if (!Token.isUnresolved(percent) && (!Number.isFinite(percent) || percent < 1 || percent > 100)) {
      invalid('policySizeWarningPercent', 'must be between 1 and 100', percent);
    }
    const secretWords = props.secretPatterns ?? DEFAULT_SECRET_PATTERNS;
    if (secretWords.length === 0) invalid('secretPatterns', 'must hold at least one pattern', secretWords);
    for (const pattern of secretWords) {
      try {
        new RegExp(pattern, 'i');
      } catch {
        invalid('secretPatterns', 'must be regular expressions', pattern);
      }
    }
    super(scope, props);
    this.packName = KMS_CHECKS_PACK;
    this.options = { maxRotationDays, minPendingWindowDays, policySizeRatio: percent / 100, secretWords };
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of KMS_RULES) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: rule.level,
        node,
        rule: (resource: CfnResource) => rule.check(resource, this.options),
      });
    }
  }
}
