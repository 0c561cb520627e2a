import { awscdk, javascript } from 'projen';
import { RunBundleTask, UpdateSnapshot } from 'projen/lib/javascript';

/**
 * The oldest aws-cdk-lib the library supports, and the one its tests run against.
 *
 * - cdk-nag 3 needs >= 2.257.0;
 * - acknowledging granular cdk-nag findings (`AwsSolutions-IAM5[Resource::...]`) with
 *   `Validations.of(x).acknowledge` is rejected as an invalid rule id up to 2.268.0;
 * - Python and Java users must be able to install it: in November 2026 npm had up to 2.276.0
 *   (no 2.272.0), PyPI up to 2.275.0, Maven Central up to 2.272.0.
 * So 2.271.0: the newest version every registry serves.
 */
const CDK_VERSION = '2.271.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-kms-patterns',
  description:
    'AWS KMS done right: customer managed keys of every kind with least-privilege key policies, encrypted storage, key audit and snapshot workflows.',
  author: 'cdk-kms-patterns contributors',
  authorAddress: 'cdk-kms-patterns@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-kms-patterns/cdk-kms-patterns.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'kms', 'encryption'],
  stability: 'experimental',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.3',
  minNodeVersion: '20.0.0',

  // No GitHub workflows and no release tooling: CI is .ci/run, and the release tooling wants Node 22.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  publishToPypi: {
    distName: 'cdk-kms-patterns',
    module: 'cdk_kms_patterns',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkkmspatterns',
    mavenGroupId: 'io.github.cdkkmspatterns',
    mavenArtifactId: 'cdk-kms-patterns',
  },

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
  },
  // The handler bundles (assets/) are part of the package: compile bundles them (below), so that
  // every path to a package (build, compile then package, compile then package:js) ships them.
  bundlerOptions: {
    runBundleTask: RunBundleTask.MANUAL,
  },

  // KmsChecks (src/compliance/kms-checks.ts) is a cdk-nag 3 NagPack: cdk-nag is part of the public API.
  peerDeps: ['cdk-nag@^3.0.2'],

  devDeps: [
    // Test harness: see README "Dependencies" for why each one is here.
    // The compliance gate (test/compliance/gate.test.ts): cfn-guard binary and the Control Tower rules.
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
    '@cloud-copilot/iam-simulate@^0.1.173',
    'asl-validator@^4.0.0',
    'aws-local-stepfunctions@^3.0.0',
    'fast-check@^4.11.0',
    'aws-sdk-client-mock@^4.1.0',
    '@aws-sdk/client-kms@^3',
    '@aws-sdk/client-secrets-manager@^3',
    '@aws-sdk/client-ec2@^3',
    '@aws-sdk/client-ssm@^3',
    '@types/aws-lambda@^8',
    'ts-node@^10',
    // Integ apps (test/integ/): IntegTest, so they stay integ-runner apps. Pinned: the registry serves it up
    // to 2.245.0-alpha.0 (no 2.271.0-alpha.0); it accepts aws-cdk-lib ^2.245.0. Not @aws-cdk/integ-runner:
    // its newest release here (2.197.10) reads cloud assembly schema 53 at most and aws-cdk-lib 2.271.0
    // writes 54, so test/integ/integ-snapshots.test.ts checks the snapshots instead.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
  ],

  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    extraCliOptions: ['--maxWorkers=2'],
    jestConfig: {
      setupFiles: ['<rootDir>/test/setup.ts'],
      // Synthesis and simulation are CPU-bound; on a shared, loaded machine they take long.
      testTimeout: 180_000,
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '/test/consumers/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/', '/examples/'],
      // Coverage triples the CPU time of a suite (v8 instrumentation and report) and no threshold reads
      // it; CI runs the tests twice (the README's test command, then the full build), so it is opt-in:
      // `npx projen coverage`.
      collectCoverage: false,
    },
  },

  gitignore: ['cdk.out/', '.jsii.tabl.json', '*.tabl.json', '.venv/'],
});

// Keep jsii quiet about Node 20 (the machine's Node) reaching end of life.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
// Never reach for AWS credentials or the network during synth or tests.
project.tasks.addEnvironment('AWS_EC2_METADATA_DISABLED', 'true');
project.tasks.addEnvironment('CDK_DISABLE_VERSION_CHECK', '1');

// The handler bundles are part of the package (assets/ in the npm tarball, and in the Python and
// Java packages that embed it): compile bundles first, so `npx projen compile` followed by
// `npx projen package` or `package:js` never ships a library whose constructs fail at synth for a
// missing asset. (Bundling only in pre-compile, projen's default, covers `build` but not `compile`.)
project.compileTask.prependSpawn(project.bundler.bundleTask);

// README examples must compile: strict rosetta after every compile.
project.postCompileTask.exec('jsii-rosetta extract --strict');

// Tests synthesize stacks with the bundled handlers: bundle first, so a fresh clone passes.
project.testTask.prependSpawn(project.bundler.bundleTask);

// The main job: synthesize the bundled example app offline and print a summary.
const example = project.addTask('example', {
  description: 'Synthesizes the example app into cdk.out/ (offline, fixed accounts and Regions) and prints a summary',
});
example.spawn(project.bundler.bundleTask);
example.exec('ts-node --project test/tsconfig.json examples/main.ts', {
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});

// Coverage on demand (off in `test`: see jestConfig.collectCoverage above): the whole suite with the v8 report.
const coverage = project.addTask('coverage', {
  description: 'Runs the tests with the coverage report (coverage/); not part of `test` or `build`',
});
coverage.spawn(project.bundler.bundleTask);
coverage.exec('jest --maxWorkers=2 --passWithNoTests --coverage', { receiveArgs: true });

// Integration snapshots: one app per construct in test/integ/integ.<construct>.ts, its templates committed
// in test/integ/integ.<construct>.ts.snapshot/ with asset hashes replaced by the assets' names (a rebundled
// handler never fails the check). test/integ/integ-snapshots.test.ts synthesizes each app and compares;
// it is part of `npx projen test`. Nothing here ever deploys.
const INTEG_JEST = 'jest --maxWorkers=2 --coverage=false test/integ/';
// `integ` only verifies: any difference, a missing snapshot or a stack without one fails it.
const integ = project.addTask('integ', {
  description: 'Verifies the committed integ snapshots (test/integ/*.snapshot) offline; never deploys, never updates them',
});
integ.spawn(project.bundler.bundleTask);
integ.exec(`${INTEG_JEST} --ci`);
// `integ:update` rewrites the snapshots on purpose (refused when CI is set); review and commit the result.
const integUpdate = project.addTask('integ:update', {
  description: 'Rewrites the integ snapshots from the apps (synthesizes only, never deploys); review and commit the result',
  env: { INTEG_UPDATE_SNAPSHOTS: '1' },
});
integUpdate.spawn(project.bundler.bundleTask);
integUpdate.exec(INTEG_JEST);

// Benchmarks (bench/): synth time and memory against plain aws-cdk-lib and raw L1, template size, key policy
// capacity, snapshot workflow cost. Runs every bench/*.bench.ts and writes BENCHMARKS.md; never part of the
// tests (test/bench/ only checks that the quick mode works). `npx projen bench -- --quick` for a smoke run.
const bench = project.addTask('bench', {
  description: 'Runs the benchmarks (bench/*.bench.ts) and writes BENCHMARKS.md; `-- --quick` for a smoke run',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});
bench.spawn(project.bundler.bundleTask);
// receiveArgs on the step: projen passes a task's arguments only to steps that ask for them.
bench.exec('ts-node --project bench/tsconfig.json bench/run.ts', { receiveArgs: true });

// Workflow diagrams (docs/diagrams/*.mmd): rendered as Mermaid from the synthesized state machine definitions,
// never drawn by hand. test/snapshots/diagrams.test.ts fails when a committed diagram is stale.
const diagrams = project.addTask('diagrams', {
  description: 'Renders every snapshot workflow diagram (share, Redshift, Region copy, completion callback: docs/diagrams/*.mmd) from the real state machine definitions',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});
diagrams.exec('ts-node --project test/tsconfig.json scripts/render-diagrams.ts', { receiveArgs: true });

// bench/ and scripts/ are linted and type-checked with the tests (tsconfig.dev.json), never packaged.
project.tsconfigDev.addInclude('../bench/**/*.ts');
project.tsconfigDev.addInclude('../scripts/**/*.ts');
project.eslint?.addLintPattern('bench');
project.eslint?.addLintPattern('scripts');

for (const ignored of ['/examples/', '/cdk.out/', '/.ci/', '/bench/', '/BENCHMARKS.md', '/scripts/']) {
  project.addPackageIgnore(ignored);
}

project.synth();
