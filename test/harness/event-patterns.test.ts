import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { matchesEvent, matchEvents } from './event-patterns';

const EVENT = {
  'source': 'aws.kms',
  'detail-type': 'AWS API Call via CloudTrail',
  'detail': { eventName: 'DisableKey', userIdentity: { accountId: '111122223333' }, requestParameters: { keyId: 'k-1' } },
};

describe('event pattern matcher (moto EventPattern, one Python process per batch)', () => {
  test('EventBridge semantics: values, anything-but, wildcard, $or, exists', () => {
    expect(matchEvents([
      { pattern: { source: ['aws.kms'], detail: { eventName: ['DisableKey', 'ScheduleKeyDeletion'] } }, event: EVENT },
      { pattern: { source: ['aws.kms'], detail: { eventName: ['EnableKey'] } }, event: EVENT },
      { pattern: { detail: { userIdentity: { accountId: [{ 'anything-but': ['111122223333'] }] } } }, event: EVENT },
      { pattern: { detail: { userIdentity: { accountId: [{ 'anything-but': ['444455556666'] }] } } }, event: EVENT },
      { pattern: { detail: { requestParameters: { keyId: [{ wildcard: 'k-*' }] } } }, event: EVENT },
      { pattern: { detail: { requestParameters: { keyId: [{ 'anything-but': { wildcard: ['k-*'] } }] } } }, event: EVENT },
      { pattern: { detail: { $or: [{ eventName: ['EnableKey'] }, { requestParameters: { keyId: ['k-1'] } }] } }, event: EVENT },
      { pattern: { detail: { errorCode: [{ exists: false }] } }, event: EVENT },
      { pattern: { detail: { errorCode: [{ exists: true }] } }, event: EVENT },
    ])).toEqual([true, false, false, true, true, false, true, true, false]);
  });

  test('a field the event lacks does not match, even with anything-but', () => {
    expect(matchesEvent({ detail: { granteePrincipal: [{ 'anything-but': ['x'] }] } }, EVENT)).toBe(false);
  });

  test('an empty batch is refused', () => {
    expect(() => matchEvents([])).toThrow(/at least one case/);
  });

  describe('never skipped: a missing Python or moto fails with an install hint', () => {
    const saved = process.env.PYTHON;
    afterEach(() => {
      if (saved === undefined) delete process.env.PYTHON; else process.env.PYTHON = saved;
    });

    test('no Python', () => {
      process.env.PYTHON = '/nonexistent/python3';
      expect(() => matchesEvent({}, EVENT)).toThrow(/cannot run \/nonexistent\/python3 .*install Python 3 and moto/);
    });

    test('Python without moto', () => {
      // -I -S: isolated, without site-packages, where moto lives
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-moto-'));
      const wrapper = path.join(dir, 'python-without-site');
      fs.writeFileSync(wrapper, '#!/bin/sh\nexec python3 -I -S "$@"\n', { mode: 0o755 });
      process.env.PYTHON = wrapper;
      expect(() => matchesEvent({}, EVENT)).toThrow(/moto is missing: .*install Python 3 and moto/);
    });
  });
});
