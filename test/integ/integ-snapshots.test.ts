/**
 * The integ snapshot check: synthesizes every integ app (test/integ/integ.<construct>.ts) and
 * compares the templates of its test stacks with the committed snapshot,
 * test/integ/integ.<construct>.ts.snapshot/<stack>.template.json.
 *
 * Asset hashes are replaced by the assets' names on both sides (`[asset:<display name>]`), as
 * integ-runner does by default: a rebundled handler never fails the check, a changed template always
 * does. A missing snapshot, a snapshot of a stack the app no longer has, or a stack without a snapshot
 * fails it too.
 *
 * The check never writes a snapshot. `npx projen integ:update` sets INTEG_UPDATE_SNAPSHOTS=1 to
 * rewrite them on purpose (refused when CI is set); review the diff and commit it.
 *
 * Why not integ-runner: its newest release on the registry (2.197.10) reads cloud assembly schema 53
 * at most, and aws-cdk-lib 2.271.0 writes schema 54 ("You need at least CLI version 2.1144.0").
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { snapshotApps } from './support';

/** The integ apps: the file names integ-runner's TypeScript preset picks up. */
const APP_PATTERN = /^integ\.(?!.*\.d\.ts$).*\.ts$/;
const APP_FILES = fs.readdirSync(__dirname).filter(f => APP_PATTERN.test(f)).sort();

const UPDATE = isSet(process.env.INTEG_UPDATE_SNAPSHOTS);
const HOW_TO_UPDATE = 'if the change is intended, run `npx projen integ:update`, review the snapshot diff and commit it';

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** The snapshot directory of an app, as integ-runner names it. */
function snapshotDir(appFile: string): string {
  return path.join(__dirname, `${appFile}.snapshot`);
}

/** Loads an integ app and returns what it declared with `snapshotTest`. */
function loadApp(appFile: string) {
  const before = snapshotApps.length;
  // An integ app is a script (it builds its app when loaded): load it for its side effect.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(__dirname, appFile));
  const declared = snapshotApps.slice(before);
  if (declared.length !== 1) {
    throw new Error(`${appFile} must call snapshotTest() exactly once, got ${declared.length}`);
  }
  return declared[0];
}

/**
 * Replaces the hashes of the stack's assets (listed in its asset manifest) by the assets' names:
 * `[asset:<display name>]`, so templates compare equal whatever the assets' contents.
 */
function assetHashSubstitutions(stack: cxapi.CloudFormationStackArtifact): Array<[string, string]> {
  const substitutions: Array<[string, string]> = [];
  const manifests = stack.dependencies.filter(cxapi.AssetManifestArtifact.isAssetManifestArtifact);
  for (const manifest of manifests) {
    const entries: Array<[string, { displayName?: string; source?: { path?: string; directory?: string } }]> = [
      ...Object.entries(manifest.contents.files ?? {}),
      ...Object.entries(manifest.contents.dockerImages ?? {}),
    ];
    entries.forEach(([hash, asset], i) => {
      const name = asset.displayName ?? asset.source?.path ?? asset.source?.directory ?? `#${i + 1}`;
      substitutions.push([hash, `[asset:${name.split(hash).join('<hash>')}]`]);
    });
  }
  return substitutions;
}

function substitute(value: unknown, substitutions: Array<[string, string]>): unknown {
  if (typeof value === 'string') {
    return substitutions.reduce((s, [from, to]) => s.split(from).join(to), value);
  }
  if (Array.isArray(value)) {
    return value.map(v => substitute(v, substitutions));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [substitute(k, substitutions) as string, substitute(v, substitutions)]));
  }
  return value;
}

/** Synthesizes an app: its test stacks' templates, asset hashes normalized, by snapshot file name. */
function synthesize(appFile: string): Map<string, unknown> {
  const { app, stacks } = loadApp(appFile);
  const assembly = app.synth();
  try {
    const templates = new Map<string, unknown>();
    for (const stack of stacks) {
      const artifact = assembly.getStackArtifact(stack.artifactId);
      templates.set(`${artifact.id}.template.json`, substitute(artifact.template, assetHashSubstitutions(artifact)));
    }
    return templates;
  } finally {
    // The app wrote its assembly to a fresh temporary directory; leave nothing behind.
    if (path.resolve(assembly.directory).startsWith(path.resolve(os.tmpdir()) + path.sep)) {
      fs.rmSync(assembly.directory, { recursive: true, force: true });
    }
  }
}

function render(template: unknown): string {
  return `${JSON.stringify(template, undefined, 1)}\n`;
}

function committedTemplates(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f.endsWith('.template.json')).sort() : [];
}

/** Rewrites an app's snapshot; returns what changed. */
function updateSnapshot(dir: string, actual: Map<string, unknown>): string[] {
  const changes: string[] = [];
  fs.mkdirSync(dir, { recursive: true });
  for (const stale of committedTemplates(dir).filter(f => !actual.has(f))) {
    fs.rmSync(path.join(dir, stale));
    changes.push(`removed ${stale}`);
  }
  for (const [file, template] of actual) {
    const target = path.join(dir, file);
    const text = render(template);
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) {
      changes.push(`${fs.existsSync(target) ? 'updated' : 'created'} ${file}`);
      fs.writeFileSync(target, text);
    }
  }
  return changes;
}

describe('integ snapshots', () => {
  test('every construct exported by the library has an integ app', () => {
    expect(APP_FILES).toEqual([
      'integ.ebs-encryption-by-default.ts',
      'integ.encrypted-bucket.ts',
      'integ.encrypted-databases.ts',
      'integ.encrypted-secret.ts',
      'integ.encrypted-volume.ts',
      'integ.encryption-key.ts',
      'integ.replica-key.ts',
      'integ.secure-string-parameter.ts',
    ]);
  });

  test('snapshots are never rewritten in CI', () => {
    if (UPDATE && isSet(process.env.CI)) {
      throw new Error('INTEG_UPDATE_SNAPSHOTS is set while CI is set: CI only verifies the integ snapshots');
    }
  });

  test.each(APP_FILES)('%s matches its committed snapshot', (appFile) => {
    // GIVEN the committed snapshot
    const dir = snapshotDir(appFile);
    const relativeDir = path.relative(process.cwd(), dir);

    // WHEN the app is synthesized
    const actual = synthesize(appFile);

    if (UPDATE && !isSet(process.env.CI)) {
      const changes = updateSnapshot(dir, actual);
      if (changes.length > 0) {
        console.log(`${relativeDir}: ${changes.join(', ')}`);
      }
      return;
    }

    // THEN every stack has a snapshot, every snapshot a stack, and the templates are equal
    const committed = committedTemplates(dir);
    if (committed.length === 0) {
      throw new Error(`${relativeDir} has no snapshot: ${HOW_TO_UPDATE}`);
    }
    const missing = [...actual.keys()].filter(f => !committed.includes(f));
    const stale = committed.filter(f => !actual.has(f));
    if (missing.length > 0 || stale.length > 0) {
      throw new Error(`${relativeDir}: stacks without a snapshot: [${missing.join(', ')}]; snapshots of stacks the app no longer has: [${stale.join(', ')}]; ${HOW_TO_UPDATE}`);
    }
    for (const [file, template] of actual) {
      const expected = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      try {
        expect(template).toEqual(expected);
      } catch (e) {
        (e as Error).message = `${path.join(relativeDir, file)} differs from the synthesized template (- snapshot, + app); ${HOW_TO_UPDATE}\n\n${(e as Error).message}`;
        throw e;
      }
    }
  });
});
