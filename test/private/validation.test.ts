import { Duration, Lazy, Token } from 'aws-cdk-lib';
import { fail, invalid, normalizeAliasName, validateAccountId, validateDays } from '../../src/private/validation';

describe('fail', () => {
  test('throws an Error with exactly the message given', () => {
    expect(() => fail('keySpec must be one of X, got \'Y\'')).toThrow(new Error('keySpec must be one of X, got \'Y\''));
  });
});

describe('invalid', () => {
  test.each([
    ['a string is quoted', 'x', "p must be y, got 'x'"],
    ['a number is written as JSON', 42, 'p must be y, got 42'],
    ['undefined is named', undefined, 'p must be y, got undefined'],
    ['a list is written as JSON', ['a', 1], 'p must be y, got ["a",1]'],
    ['a Duration is human readable', Duration.days(3), 'p must be y, got 3 days'],
  ])('%s', (_what, value, message) => {
    expect(() => invalid('p', 'must be y', value)).toThrow(new Error(message));
  });
});

describe('validateDays', () => {
  test('undefined stays undefined', () => {
    expect(validateDays('pendingWindow', undefined, 7, 30)).toBeUndefined();
  });

  test('the bounds are inclusive', () => {
    expect(validateDays('pendingWindow', Duration.days(7), 7, 30)).toBe(7);
    expect(validateDays('pendingWindow', Duration.days(30), 7, 30)).toBe(30);
  });

  test('a duration given in another unit counts in whole days', () => {
    expect(validateDays('pendingWindow', Duration.hours(24 * 10), 7, 30)).toBe(10);
  });

  test.each([
    [Duration.days(6), /pendingWindow must be between 7 and 30 days, got 6$/],
    [Duration.days(31), /pendingWindow must be between 7 and 30 days, got 31$/],
    [Duration.hours(36 * 5), /pendingWindow must be between 7 and 30 days, got 7\.500$/],
  ])('%s is refused with the days received', (value, message) => {
    expect(() => validateDays('pendingWindow', value, 7, 30)).toThrow(message);
  });

  test('a token passes unchecked', () => {
    // GIVEN a number of days known only at deployment
    const days = Duration.days(Token.asNumber(Lazy.number({ produce: () => 3 })));
    // WHEN / THEN no range check happens at synth
    expect(() => validateDays('pendingWindow', days, 7, 30)).not.toThrow();
  });
});

describe('normalizeAliasName', () => {
  test('adds alias/ when missing and keeps it when present', () => {
    expect(normalizeAliasName('aliasName', 'app/data')).toBe('alias/app/data');
    expect(normalizeAliasName('aliasName', 'alias/app/data')).toBe('alias/app/data');
  });

  test('letters, digits, /, _ and - are accepted', () => {
    expect(normalizeAliasName('aliasName', 'A-z_0/9')).toBe('alias/A-z_0/9');
  });

  test('256 characters including alias/ are accepted, 257 are not', () => {
    expect(normalizeAliasName('aliasName', `alias/${'a'.repeat(250)}`)).toHaveLength(256);
    expect(() => normalizeAliasName('aliasName', 'a'.repeat(251)))
      .toThrow(/aliasName must be at most 256 characters including 'alias\/' \(is 257\)/);
  });

  test.each([
    ['alias/', /aliasName must name an alias after 'alias\/', got 'alias\/'/],
    ['aws/ebs', /aliasName must not start with 'alias\/aws\/' \(reserved for AWS managed keys\), got 'aws\/ebs'/],
    ['alias/aws/s3', /must not start with 'alias\/aws\/'/],
    ['app data', /aliasName may contain only letters, digits, '\/', '_' and '-' after 'alias\/', got 'app data'/],
    ['app.data', /may contain only letters/],
  ])('%s is refused', (alias, message) => {
    expect(() => normalizeAliasName('aliasName', alias)).toThrow(message);
  });

  test('a token passes through unchanged', () => {
    const token = Lazy.string({ produce: () => 'aws/bad' });
    expect(normalizeAliasName('aliasName', token)).toBe(token);
  });
});

describe('validateAccountId', () => {
  test('12 digits pass', () => {
    expect(() => validateAccountId('accounts', '111122223333')).not.toThrow();
  });

  test.each(['11112222333', '1111222233334', '11112222333a', ''])('%j is refused', (account) => {
    expect(() => validateAccountId('accounts', account)).toThrow(`accounts must be a 12-digit AWS account id, got '${account}'`);
  });

  test('a token passes', () => {
    expect(() => validateAccountId('accounts', Lazy.string({ produce: () => 'x' }))).not.toThrow();
  });
});
