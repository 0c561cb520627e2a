import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { flatten, resolveResource } from '../rule-support';

/** The actions Security Hub KMS.1 and KMS.2 look for. */
const SENSITIVE_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant'];

/**
 * The operators under which `aws:ResourceTag/<tag>` limits a statement to the keys carrying the tag
 * (positive string operators, no `IfExists`, no set operator: the key is single-valued).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html
 */
const TAG_NARROWING_OPERATORS = /^(StringEquals|StringEqualsIgnoreCase|StringLike)$/;

/**
 * The operators under which `kms:ResourceAliases` (multivalued) limits a statement to keys with a
 * matching alias: `ForAnyValue:` only. `ForAllValues:` alone also matches keys that have no alias.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
 */
const ALIAS_NARROWING_OPERATORS = /^ForAnyValue:(StringEquals|StringEqualsIgnoreCase|StringLike)$/;

/** Whether a condition value matches anything (`*`, `**`, `?*`, or for aliases `alias/*`). */
function matchesAnything(value: string, prefix = ''): boolean {
  const rest = value.toLowerCase().startsWith(prefix) ? value.slice(prefix.length) : value;
  return /^[*?]*$/.test(rest) && rest.includes('*');
}

/**
 * Whether the conditions limit a statement to some keys (attribute-based access): a positive
 * operator gives `aws:ResourceTag/<tag>` or `kms:ResourceAliases` values that do not match
 * everything. `StringNotEquals`, `Null`, `...IfExists`, `ForAllValues:` and `StringLike "*"` do not.
 */
function narrowsToSomeKeys(stack: Stack, conditions: any): boolean {
  for (const [operator, pairs] of Object.entries<any>(conditions ?? {})) {
    for (const [key, raw] of Object.entries<any>(pairs ?? {})) {
      const values = ([] as any[]).concat(raw).map(v => flatten(stack, v));
      if (values.length === 0) continue;
      if (/^aws:ResourceTag\/.+/i.test(key) && TAG_NARROWING_OPERATORS.test(operator) && values.every(v => !matchesAnything(v))) return true;
      if (/^kms:ResourceAliases$/i.test(key) && ALIAS_NARROWING_OPERATORS.test(operator) && values.every(v => !matchesAnything(v, 'alias/'))) return true;
    }
  }
  return false;
}

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

function allKeys(resource: string): boolean {
  return resource === '*' || /^arn:[^:]*:kms:[^:]*:[^:]*:(key\/)?\*$/i.test(resource) || /^arn:[^:]*:kms:\*/i.test(resource);
}

/** The IAM resources that hold identity policies. */
const IAM_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'];

/** The policy documents of an IAM resource. */
function documentsOf(type: string, properties: any): any[] {
  switch (type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return [properties.PolicyDocument];
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      return ([] as any[]).concat(properties.Policies ?? []).map(p => p?.PolicyDocument);
    default:
      return [];
  }
}

/**
 * An identity policy (IAM policy, managed policy, inline policies of roles, users and groups)
 * allows `kms:Decrypt`, `kms:ReEncryptFrom` or `kms:CreateGrant` (directly, by wildcard or by
 * `NotAction`) on every key (`Resource: *` or a KMS ARN with a wildcard key). Statements limited by
 * a positive `aws:ResourceTag/...` condition, or `ForAnyValue:` on `kms:ResourceAliases`, to values
 * that do not match everything name some keys, not all. `kms:GenerateRandom`
 * has no resource and is not concerned.
 * @param node the CfnResource to check
 */
export function IamKmsAllKeys(node: CfnResource): NagRuleResult {
  if (!IAM_TYPES.includes(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const { type, properties } = resolveResource(node);
  const findings = new Set<string>();
  for (const document of documentsOf(type, properties)) {
    for (const statement of ([] as any[]).concat(document?.Statement ?? [])) {
      if (!statement || statement.Effect !== 'Allow') continue;
      const resources = ([] as any[]).concat(statement.Resource ?? []).map(r => flatten(stack, r));
      if (statement.NotResource !== undefined || !resources.some(allKeys)) continue;
      if (narrowsToSomeKeys(stack, statement.Condition)) continue;
      const actions = ([] as any[]).concat(statement.Action ?? []).filter(a => typeof a === 'string');
      const notActions = ([] as any[]).concat(statement.NotAction ?? []).filter(a => typeof a === 'string');
      for (const sensitive of SENSITIVE_ACTIONS) {
        const allowed = statement.NotAction !== undefined
          ? !notActions.some(p => matches(p, sensitive))
          : actions.some(p => matches(p, sensitive));
        if (allowed) findings.add(`Action::${sensitive}`);
      }
    }
  }
  return findings.size > 0 ? [...findings].sort() : NagRuleCompliance.COMPLIANT;
}
