#!/usr/bin/env bash
# Packaging check: the npm package a user installs works in a user's app.
#
# Takes the package built by `package:js` (dist/js/*.tgz, as the build leaves it) or, when there is
# none, packs the compiled library with `npm pack`; checks that it holds a handler bundle
# (assets/<path>.lambda/index.js) for every src/**/*.lambda.ts; installs it into a fresh
# temporary app with the same aws-cdk-lib and constructs (from the npm cache populated by `npm ci`,
# falling back to the registry); and synthesizes test/package/app.js there, which uses
# SecureStringParameter and EncryptionKey with importedKeyMaterial (both need the bundled handlers)
# and checks that the staged assets are the package's bundles.
#
# Run it after the build (.ci/run does), or after `npx projen compile`. Exits non-zero, with a line
# starting "PACKAGE CHECK FAILED", on any failure. KEEP_PACKAGE_CHECK_DIR=1 keeps the app directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

export AWS_EC2_METADATA_DISABLED=true
export CDK_DISABLE_VERSION_CHECK=1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

started=$(date +%s)
fail() {
  echo "PACKAGE CHECK FAILED: $*" >&2
  exit 1
}
elapsed() { echo "$(( $(date +%s) - started ))s"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cdk-kms-patterns-package.XXXXXX")
cleanup() {
  if [ "${KEEP_PACKAGE_CHECK_DIR:-}" = 1 ]; then echo "kept ${work}"; else rm -rf "${work}"; fi
}
trap cleanup EXIT

# 1. The package.
shopt -s nullglob
built=(dist/js/*.tgz)
shopt -u nullglob
if [ "${#built[@]}" -gt 1 ]; then
  fail "more than one tarball in dist/js (${built[*]}); remove the stale ones"
elif [ "${#built[@]}" -eq 1 ]; then
  tarball="${root}/${built[0]}"
  origin="dist/js (package:js)"
  if [ -f lib/.jsii ] && [ lib/.jsii -nt "${tarball}" ]; then
    fail "${built[0]} is older than lib/.jsii: package again (npx projen package:js) or remove dist/js"
  fi
else
  [ -f lib/index.js ] && [ -f lib/.jsii ] || fail "no dist/js/*.tgz and no compiled lib/: run 'npx projen compile' (or the build) first"
  name=$(npm pack --silent --pack-destination "${work}" | tail -n 1)
  tarball="${work}/${name}"
  origin="npm pack of the compiled library"
fi
[ -s "${tarball}" ] || fail "no tarball at ${tarball}"
echo "package: ${tarball#"${root}/"} (${origin})"

# 2. Its handler bundles: one per src/**/*.lambda.ts.
listing=$(tar -tzf "${tarball}")
handlers=0
missing=()
while IFS= read -r entry; do
  handlers=$((handlers + 1))
  grep -qx "package/assets/${entry%.ts}/index.js" <<<"${listing}" || missing+=("assets/${entry%.ts}/index.js")
done < <(cd src && find . -name '*.lambda.ts' | sed 's|^\./||' | sort)
[ "${handlers}" -gt 0 ] || fail "no src/**/*.lambda.ts found: run from the repository"
if [ "${#missing[@]}" -gt 0 ]; then
  fail "the package lacks handler bundles: ${missing[*]} (compile bundles them: npx projen compile, then package again)"
fi
echo "handler bundles in the package: ${handlers} of ${handlers}"

# 3. A fresh app with the same aws-cdk-lib and constructs.
cdk_version=$(node -p "require('./node_modules/aws-cdk-lib/package.json').version")
constructs_version=$(node -p "require('./node_modules/constructs/package.json').version")
app="${work}/app"
mkdir -p "${app}"
cp test/package/app.js "${app}/app.js"
cat >"${app}/package.json" <<JSON
{
  "name": "package-check-app",
  "private": true,
  "dependencies": {
    "aws-cdk-lib": "${cdk_version}",
    "constructs": "${constructs_version}",
    "cdk-kms-patterns": "file:${tarball}"
  }
}
JSON
install=(npm install --no-audit --no-fund --no-package-lock --loglevel=error)
t0=$(date +%s)
if (cd "${app}" && timeout 300 "${install[@]}" --offline >"${work}/install.log" 2>&1); then
  mode="offline, from the npm cache"
elif (cd "${app}" && timeout 300 "${install[@]}" --prefer-offline >>"${work}/install.log" 2>&1); then
  mode="the npm cache and the registry"
else
  tail -n 30 "${work}/install.log" >&2
  fail "npm install of the package into a fresh app failed (log above)"
fi
echo "installed aws-cdk-lib ${cdk_version}, constructs ${constructs_version} and the package (${mode}) in $(( $(date +%s) - t0 ))s"

# 4. Synthesize the app with the installed package.
(cd "${app}" && timeout 300 node app.js "${app}/cdk.out") || fail "synthesizing test/package/app.js with the installed package failed (output above)"

echo "PACKAGE CHECK PASSED in $(elapsed)"
