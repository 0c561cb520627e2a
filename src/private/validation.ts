import { Duration, Token } from 'aws-cdk-lib';

/**
 * Throws a validation error: every error the library's constructs raise at synth goes through here.
 */
export function fail(message: string): never {
  throw new Error(message);
}

/**
 * Throws a validation error: `<prop> <what is wrong>, got <value>`.
 */
export function invalid(prop: string, expectation: string, value: unknown): never {
  fail(`${prop} ${expectation}, got ${formatValue(value)}`);
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value}'`;
  if (value instanceof Duration) return value.toHumanString();
  return JSON.stringify(value) ?? String(value);
}

/** Checks a duration in whole days within bounds; tokens pass through. */
export function validateDays(prop: string, value: Duration | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (Token.isUnresolved(value.toDays({ integral: false }))) return value.toDays();
  const days = value.toDays({ integral: false });
  if (!Number.isInteger(days) || days < min || days > max) {
    fail(`${prop} must be between ${min} and ${max} days, got ${formatDays(days)}`);
  }
  return days;
}

function formatDays(days: number): string {
  return Number.isInteger(days) ? `${days}` : days.toFixed(3);
}

const ALIAS_PREFIX = 'alias/';

/**
 * Normalizes and checks an alias name: adds `alias/`, rejects `alias/aws/`, checks characters and
 * length. Tokens pass through unchecked.
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
 */
export function normalizeAliasName(prop: string, alias: string): string {
  if (Token.isUnresolved(alias)) {
    return alias;
  }
  const name = alias.startsWith(ALIAS_PREFIX) ? alias : `${ALIAS_PREFIX}${alias}`;
  if (name === ALIAS_PREFIX) {
    invalid(prop, 'must name an alias after \'alias/\'', alias);
  }
  if (name.startsWith('alias/aws/')) {
    invalid(prop, 'must not start with \'alias/aws/\' (reserved for AWS managed keys)', alias);
  }
  if (name.length > 256) {
    invalid(prop, `must be at most 256 characters including 'alias/' (is ${name.length})`, alias);
  }
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) {
    invalid(prop, 'may contain only letters, digits, \'/\', \'_\' and \'-\' after \'alias/\'', alias);
  }
  return name;
}

/** An AWS account id: 12 digits. Tokens pass through. */
export function validateAccountId(prop: string, account: string): void {
  if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account)) {
    invalid(prop, 'must be a 12-digit AWS account id', account);
  }
}
