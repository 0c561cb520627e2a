/**
 * What every integ app shares: fixed environments, so the snapshots never depend on the machine's
 * credentials, profile or Region, and the declaration of the app's snapshot test.
 *
 * The apps are never deployed from CI. `integ-snapshots.test.ts` (run by `npx projen test` and
 * `npx projen integ`) synthesizes each one and compares its templates with the committed snapshot in
 * `integ.<construct>.ts.snapshot/`. They are `IntegTest` apps, so integ-runner can run them as well
 * once a release that reads aws-cdk-lib 2.271.0's cloud assemblies reaches the registry.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Environment, Stack, Validations } from 'aws-cdk-lib';

/** The account every integ stack lives in. */
export const ACCOUNT = '111111111111';
/** The primary Region. */
export const PRIMARY_REGION = 'eu-west-1';
/** The Region of the replica key. */
export const REPLICA_REGION = 'us-east-1';

/** The primary environment. */
export const PRIMARY_ENV: Environment = { account: ACCOUNT, region: PRIMARY_REGION };
/** The replica environment. */
export const REPLICA_ENV: Environment = { account: ACCOUNT, region: REPLICA_REGION };

/** An app declared by `snapshotTest`, and the stacks its snapshot holds. */
export interface SnapshotApp {
  readonly app: App;
  readonly stacks: Stack[];
}

/** Every app declared in this process, in order: what the snapshot check synthesizes. */
export const snapshotApps: SnapshotApp[] = [];

/**
 * Declares the app's snapshot test: its stacks' templates are compared with the committed snapshot.
 *
 * @param app the integ app
 * @param id the test's id
 * @param stacks the stacks whose templates the snapshot holds
 */
export function snapshotTest(app: App, id: string, stacks: Stack[]): IntegTest {
  const test = new IntegTest(app, id, {
    testCases: stacks,
    // For integ-runner: asset hashes stay out of the diff (a rebundled handler never fails the check),
    // and, never deployed, no update workflow (the snapshot then holds the templates, not the assets).
    diffAssets: false,
    stackUpdateWorkflow: false,
  });
  Validations.of(test).acknowledge({
    id: 'CloudFormation-Validate::F0001',
    reason: 'The assertion stack of a snapshot-only integ test has no assertions, hence no resources',
  });
  snapshotApps.push({ app, stacks });
  return test;
}
