/**
 * Helpers shared by the custom resource handler tests.
 */
import { inspect } from 'node:util';

/** The error a promise rejects with; fails the test when it resolves. */
export async function captureError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the handler to throw');
}

/** Every text an error carries (message, stack, cause, properties), to check nothing secret leaks. */
export function everythingAbout(err: Error): string {
  return [String(err), err.stack ?? '', inspect(err, { depth: 10 }), JSON.stringify(err)].join('\n');
}

/** Everything the handler wrote through the given console spies, as text. */
export function consoleOutput(...spies: jest.SpyInstance[]): string {
  return spies
    .flatMap((spy) => spy.mock.calls)
    .map((args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' '))
    .join('\n');
}
