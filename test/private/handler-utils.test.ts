import { errorName, log, stringProp } from '../../src/private/handler-utils';

describe('errorName', () => {
  test('the name of an AWS SDK error', () => {
    // GIVEN an error as the AWS SDK throws it
    const err = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    // WHEN / THEN
    expect(errorName(err)).toBe('AccessDeniedException');
  });

  test('a plain object with a string name counts too', () => {
    expect(errorName({ name: 'ThrottlingException' })).toBe('ThrottlingException');
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'AccessDenied'],
    ['a number', 42],
    ['an object without name', { code: 'X' }],
    ['an object whose name is not a string', { name: 7 }],
  ])('%s is UnknownError', (_what, value) => {
    expect(errorName(value)).toBe('UnknownError');
  });
});

describe('stringProp', () => {
  test('a string property is returned as is', () => {
    expect(stringProp({ Name: '/app/db' }, 'Name')).toBe('/app/db');
  });

  test('numbers and booleans become their text (CloudFormation may pass either)', () => {
    expect(stringProp({ Length: 32 }, 'Length')).toBe('32');
    expect(stringProp({ Enabled: false }, 'Enabled')).toBe('false');
    expect(stringProp({ Zero: 0 }, 'Zero')).toBe('0');
  });

  test.each([
    ['absent', { Other: 'x' }],
    ['undefined', { Name: undefined }],
    ['null', { Name: null }],
    ['empty', { Name: '' }],
  ])('%s is undefined', (_what, props) => {
    expect(stringProp(props, 'Name')).toBeUndefined();
  });

  test('no properties at all is undefined', () => {
    expect(stringProp(undefined, 'Name')).toBeUndefined();
  });
});

describe('log', () => {
  test('writes one JSON line with the step first and the fields after it', () => {
    // GIVEN
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // WHEN
      log('PutParameter', { name: '/app/db', version: 3 });
      // THEN
      expect(spy).toHaveBeenCalledTimes(1);
      const line = spy.mock.calls[0][0] as string;
      expect(line).not.toContain('\n');
      expect(JSON.parse(line)).toEqual({ step: 'PutParameter', name: '/app/db', version: 3 });
      expect(Object.keys(JSON.parse(line))[0]).toBe('step');
    } finally {
      spy.mockRestore();
    }
  });
});
