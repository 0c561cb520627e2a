/**
 * EventBridge event patterns evaluated offline by a real matcher: moto's `EventPattern` (Python),
 * which implements EventBridge's matching (exact values, prefix, suffix, wildcard, anything-but,
 * numeric, exists, `$or`). One Python process per batch, never per event. There is no maintained
 * matcher on npm.
 *
 * Known limit of the matcher (moto 5.2): it does not descend into arrays of objects (EventBridge
 * does), so patterns here never match fields inside arrays of objects such as CloudTrail's
 * `detail.resources[].ARN`.
 *
 * If Python 3 or moto is missing the harness throws with an install hint: event pattern tests are
 * never skipped.
 */
import { spawnSync } from 'child_process';

/** One evaluation: does `pattern` match `event`? */
export interface PatternCase {
  readonly pattern: unknown;
  readonly event: unknown;
}

const INSTALL_HINT = "install Python 3 and moto (python3 -m pip install 'moto>=5.2'): event pattern tests need moto's EventPattern and are never skipped";

const SCRIPT = `
import json, sys
try:
    from moto.events.models import EventPattern
except Exception as e:
    sys.stderr.write('moto is missing: %s' % e)
    sys.exit(3)
cases = json.load(sys.stdin)
out = []
for case in cases:
    out.append(bool(EventPattern.load(json.dumps(case['pattern'])).matches_event(case['event'])))
json.dump(out, sys.stdout)
`;

/** Evaluates every case in one Python process; returns one boolean per case. */
export function matchEvents(cases: readonly PatternCase[]): boolean[] {
  if (cases.length === 0) throw new Error('matchEvents needs at least one case');
  const python = process.env.PYTHON ?? 'python3';
  const result = spawnSync(python, ['-c', SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw new Error(`cannot run ${python} (${result.error.message}): ${INSTALL_HINT}`);
  }
  if (result.status === 3) {
    throw new Error(`${result.stderr.trim()}: ${INSTALL_HINT}`);
  }
  if (result.status !== 0) {
    throw new Error(`moto's EventPattern failed (exit ${result.status}): ${result.stderr.trim()}`);
  }
  const matches = JSON.parse(result.stdout) as boolean[];
  if (!Array.isArray(matches) || matches.length !== cases.length) {
    throw new Error(`moto's EventPattern answered ${result.stdout.slice(0, 200)} for ${cases.length} cases`);
  }
  return matches;
}

/** Whether one pattern matches one event (prefer `matchEvents` for batches). */
export function matchesEvent(pattern: unknown, event: unknown): boolean {
  return matchEvents([{ pattern, event }])[0];
}
