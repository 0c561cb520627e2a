import { fail } from '../private/validation';

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

/** Only through some AWS service's endpoint (`kms:ViaService` present), whichever it is. */
export function throughAnyService(): Conditions {
  return { Null: { 'kms:ViaService': 'false' } };
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

/** Principals of these accounts (`aws:PrincipalAccount`). */
export function principalAccount(accounts: string[]): Conditions {
  return { StringEquals: { 'aws:PrincipalAccount': unique(accounts) } };
}

/** Keys known by this alias (identity policies of keys imported by alias). */
export function resourceAliases(aliasName: string): Conditions {
  return { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliasName } };
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

/** Resources carrying this tag (keys that cannot be referenced by ARN, parameters a handler owns). */
export function resourceTag(key: string, value: string): Conditions {
  return { StringEquals: { [`aws:ResourceTag/${key}`]: value } };
}

/**
 * Requests that set a request key to anything but `value` (and set it at all): what a bucket
 * policy denies to refuse uploads asking for another encryption or another key.
 */
export function requestValueOtherThan(key: string, value: string): Conditions {
  return { StringNotEquals: { [key]: value }, Null: { [key]: 'false' } };
}

/** The S3 request key naming the server-side encryption algorithm. */
export const S3_ENCRYPTION_ALGORITHM_KEY = 's3:x-amz-server-side-encryption';

/** The S3 request key naming the KMS key of server-side encryption. */
export const S3_ENCRYPTION_KEY_ID_KEY = 's3:x-amz-server-side-encryption-aws-kms-key-id';

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

/** Requests that carry an encryption context pair with this key, whatever its value (CloudTrail log readers). */
export function encryptionContextPresent(key: string): Conditions {
  return { Null: { [`kms:EncryptionContext:${key}`]: 'false' } };
}

/** S3 uploads that hand the object to the bucket owner (`s3:x-amz-acl`), as CloudTrail's bucket policy asks. */
export function bucketOwnerFullControl(): Conditions {
  return { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } };
}

/** Merges condition blocks; the same operator and key must not appear twice with different values. */
export function mergeConditions(...blocks: (Conditions | undefined)[]): Conditions {
  const result: Conditions = {};
  for (const block of blocks) {
    if (!block) continue;
    for (const [operator, pairs] of Object.entries(block)) {
      const target = (result[operator] = result[operator] ?? {});
      for (const [key, raw] of Object.entries(pairs)) {
        const value = normalizeValue(raw);
        if (key in target && sameValues(target[key]) !== sameValues(value)) {
          fail(`conflicting condition ${operator} ${key}: ${JSON.stringify(target[key])} and ${JSON.stringify(value)}`);
        }
        target[key] = value;
      }
    }
  }
  return canonicalConditions(result);
}

/**
 * Condition values as IAM reads them: strings. aws-cdk-lib constructs write booleans
 * (`{ Bool: { 'kms:GrantIsForAWSResource': true } }`) where the library writes `'true'`; both mean
 * the same to IAM, so they are compared as strings.
 */
function normalizeValue(value: unknown): string | string[] {
  if (Array.isArray(value)) {
    return value.map(v => (typeof v === 'boolean' || typeof v === 'number' ? String(v) : v));
  }
  return typeof value === 'boolean' || typeof value === 'number' ? String(value) : value as string;
}

/** A condition value compared as a set: `'a'`, `['a']` and `['b', 'a']` against `['a', 'b']`. */
function sameValues(value: string | string[]): string {
  const values = (Array.isArray(value) ? value : [value]).map(v => (typeof v === 'string' ? v : JSON.stringify(v)));
  return JSON.stringify([...new Set(values)].sort());
}

/** The condition keys a block holds, whatever their operators. */
export function conditionKeys(conditions: Conditions | undefined): string[] {
  return Object.values(conditions ?? {}).flatMap(pairs => Object.keys(pairs));
}

/** Whether a block restricts the requests by `kms:ViaService`. */
export function hasViaService(conditions: Conditions | undefined): boolean {
  return Object.entries(conditions ?? {}).some(([operator, pairs]) => operator !== 'Null' && 'kms:ViaService' in pairs)
    || conditions?.Null?.['kms:ViaService'] === 'false';
}

/** Whether a block names the source of a service principal's request (confused-deputy protection). */
export function hasSource(conditions: Conditions | undefined): boolean {
  return conditionKeys(conditions).some(k => ['aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID', 'aws:SourceOrgPaths'].includes(k));
}

/** Whether a block already limits grants to AWS resources. */
export function hasGrantIsForAwsResource(conditions: Conditions | undefined): boolean {
  return conditionKeys(conditions).includes('kms:GrantIsForAWSResource');
}

/** The `kms:ViaService` values of a block, if any. */
export function viaServicesOf(conditions: Conditions | undefined): string | string[] | undefined {
  return conditions?.StringEquals?.['kms:ViaService'];
}

/** Whether a block restricts the encryption context. */
export function hasEncryptionContext(conditions: Conditions | undefined): boolean {
  return conditionKeys(conditions).some(k => k.startsWith('kms:EncryptionContext:'));
}

/**
 * Whether a block pins the principal to an account, organization or ARN, so that `Principal: *`
 * is not public.
 */
export function pinsPrincipal(conditions: Conditions | undefined): boolean {
  return conditionKeys(conditions).some(k => ['kms:CallerAccount', 'aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths', 'aws:SourceAccount', 'aws:SourceArn', 'aws:userid'].includes(k));
}

/** The same conditions with operators and keys sorted and single values unwrapped. */
export function canonicalConditions(conditions: Conditions): Conditions {
  const result: Conditions = {};
  for (const operator of Object.keys(conditions).sort()) {
    const pairs = conditions[operator];
    const sortedPairs: { [key: string]: string | string[] } = {};
    for (const key of Object.keys(pairs).sort()) {
      const value = normalizeValue(pairs[key]);
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
