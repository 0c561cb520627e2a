/**
 * Small helpers shared by the custom resource handlers (bundled into each by esbuild). Nothing
 * here imports aws-cdk-lib.
 */

/** The `name` of an AWS SDK error, or `UnknownError`. */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof err.name === 'string') {
    return err.name;
  }
  return 'UnknownError';
}

/** A resource property as a string, or undefined when absent or empty. */
export function stringProp(props: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = props?.[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  return String(value);
}

/** One JSON log line per step. Callers pass identifiers only, never secret values or key material. */
export function log(step: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ step, ...fields }));
}
