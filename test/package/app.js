// A user's app, run by test/package/run.sh against the installed package (never against src/):
// it synthesizes the constructs that need the bundled handlers (SecureStringParameter, and
// EncryptionKey with imported key material), then checks that the cloud assembly staged those
// handlers from the package's assets/ directory. Plain JavaScript, so nothing but node is needed.
//
// Usage: node app.js <outdir>
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { App, Stack } = require('aws-cdk-lib');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const { EncryptionKey, SecureStringParameter, SecureStringValue } = require('cdk-kms-patterns');

const outdir = process.argv[2];
if (!outdir) {
  throw new Error('usage: node app.js <outdir>');
}

const app = new App({ outdir });
const stack = new Stack(app, 'PackageCheck', { env: { account: '111111111111', region: 'eu-west-1' } });
const key = new EncryptionKey(stack, 'DataKey');
new SecureStringParameter(stack, 'Password', {
  parameterName: '/package-check/password',
  value: SecureStringValue.generated({ length: 32 }),
  encryptionKey: key,
});
new EncryptionKey(stack, 'ByokKey', {
  importedKeyMaterial: { secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Material', 'byok/package-check') },
});
const assembly = app.synth();

// The custom resources the handlers back.
const template = assembly.getStackByName('PackageCheck').template;
const types = Object.values(template.Resources).map((r) => r.Type);
for (const wanted of ['Custom::SecureStringParameter', 'Custom::KmsImportKeyMaterial']) {
  if (!types.includes(wanted)) {
    throw new Error(`the template has no ${wanted}; resource types: ${[...new Set(types)].sort().join(', ')}`);
  }
}

// Every handler bundle the package ships, by content hash.
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const packageRoot = path.dirname(require.resolve('cdk-kms-patterns/package.json'));
const shipped = new Map();
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name === 'index.js') shipped.set(sha256(full), path.relative(packageRoot, path.dirname(full)));
  }
})(path.join(packageRoot, 'assets'));

// The file assets the assembly staged from the package's handler bundles (aws-cdk-lib stages its
// own too, such as the custom resource provider framework).
const staged = [];
for (const artifact of assembly.artifacts) {
  if (!artifact.file || !artifact.file.endsWith('.assets.json')) continue;
  const manifest = JSON.parse(fs.readFileSync(path.resolve(assembly.directory, artifact.file), 'utf8'));
  for (const asset of Object.values(manifest.files || {})) {
    const index = path.join(assembly.directory, asset.source.path, 'index.js');
    const from = fs.existsSync(index) ? shipped.get(sha256(index)) : undefined;
    if (from) staged.push(from);
  }
}
for (const wanted of ['assets/parameters/secure-string-parameter.lambda', 'assets/keys/import-key-material.lambda']) {
  if (!staged.includes(wanted)) {
    throw new Error(`the assembly did not stage ${wanted}; staged: ${staged.join(', ') || '(none)'}`);
  }
}
console.log(`synthesized ${types.length} resources; staged handler bundles from the package: ${[...new Set(staged)].sort().join(', ')}`);
