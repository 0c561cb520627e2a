/**
 * Condition builders for key policies and the IAM policies that go with them. Every condition the
 * library writes is built here, never inlined.
 */

/** A policy `Condition` block: operator → key → value(s). */
export type Conditions = { [operator: string]: { [key: string]: string | string[] } };

/** Only through these services' endpoints. */
export function viaService(services: string[]): Conditions {
  return { StringEquals: { 'kms:ViaService': unique(services) } };
}

/** Only callers from these accounts. */
export function callerAccount(accounts: string[]): Conditions {
  return { StringEquals: { 'kms:CallerAccount': unique(accounts) } };
}

/** Only grants that AWS services create for AWS resources. */
export function grantIsForAwsResource(): Conditions {
  return { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
}

/** Exactly these principals (no existence check at key policy time, unlike `Principal`). */
export function principalArnEquals(arns: string[]): Conditions {
  return { ArnEquals: { 'aws:PrincipalArn': unique(arns) } };
}

/** Principals whose ARN matches one of these patterns. */
export function principalArnLike(patterns: string[]): Conditions {
  return { ArnLike: { 'aws:PrincipalArn': unique(patterns) } };
}

/** Principals carrying these tags. */
export function principalTags(tags: { [key: string]: string }): Conditions {
  const values: { [key: string]: string } = {};
  for (const key of Object.keys(tags).sort()) {
    values[`aws:PrincipalTag/${key}`] = tags[key];
  }
  return { StringEquals: values };
}

/** Principals of this organization. */
export function principalOrgId(organizationId: string): Conditions {
  return { StringEquals: { 'aws:PrincipalOrgID': organizationId } };
}

/** Requests on behalf of this account (service principals: confused-deputy protection). */
export function sourceAccount(account: string): Conditions {
  return { StringEquals: { 'aws:SourceAccount': account } };
}

/** Requests on behalf of resources matching these ARNs (service principals). */
export function sourceArnLike(arns: string[]): Conditions {
  return { ArnLike: { 'aws:SourceArn': unique(arns) } };
}

/** Keys carrying this tag (identity policies for keys that cannot be referenced by ARN). */
export function resourceTag(key: string, value: string): Conditions {
  return { StringEquals: { [`aws:ResourceTag/${key}`]: value } };
}

/**
 * An encryption context pair. A value with `*` or `?` matches with `StringLike`, others with
 * `StringEquals`.
 */
export function encryptionContext(context: { [key: string]: string }): Conditions {
  const result: Conditions = {};
  for (const key of Object.keys(context).sort()) {
    const value = context[key];
    const operator = /[*?]/.test(value) ? 'StringLike' : 'StringEquals';
    result[operator] = { ...(result[operator] ?? {}), [`kms:EncryptionContext:${key}`]: value };
  }
  return result;
}

/** Encryption context whose value is an ARN pattern (CloudTrail, CloudWatch Logs). */
export function encryptionContextArnLike(key: string, arnPatterns: string[]): Conditions {
  return { ArnLike: { [`kms:EncryptionContext:${key}`]: unique(arnPatterns) } };
}

/** Merges condition blocks; the same operator and key must not appear twice with different values. */
export function mergeConditions(...blocks: (Conditions | undefined)[]): Conditions {
  const result: Conditions = {};
  for (const block of blocks) {
    if (!block) continue;
    for (const [operator, pairs] of Object.entries(block)) {
      const target = (result[operator] = result[operator] ?? {});
      for (const [key, value] of Object.entries(pairs)) {
        if (key in target && JSON.stringify(target[key]) !== JSON.stringify(value)) {
          throw new Error(`conflicting condition ${operator} ${key}: ${JSON.stringify(target[key])} and ${JSON.stringify(value)}`);
        }
        target[key] = value;
      }
    }
  }
  return canonicalConditions(result);
}

/** The same conditions with operators and keys sorted and single values unwrapped. */
export function canonicalConditions(conditions: Conditions): Conditions {
  const result: Conditions = {};
  for (const operator of Object.keys(conditions).sort()) {
    const pairs = conditions[operator];
    const sortedPairs: { [key: string]: string | string[] } = {};
    for (const key of Object.keys(pairs).sort()) {
      const value = pairs[key];
      sortedPairs[key] = Array.isArray(value) && value.length === 1 ? value[0] : value;
    }
    result[operator] = sortedPairs;
  }
  return result;
}

function unique(values: string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const value of values) {
    const key = typeof value === 'string' ? value : JSON.stringify(value);
    if (!seen.has(key)) {
      seen.add(key);
      result.push(value);
    }
  }
  return result;
}
