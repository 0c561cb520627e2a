#!/usr/bin/env bash
# Proves that a Python user and a Java user can install cdk-kms-patterns and synthesize with it.
#
# Run after `npx projen compile`, from anywhere:   bash test/consumers/run.sh
#
#   1. synthesizes the TypeScript reference app (test/consumers/typescript/app.ts, from src/)
#   2. builds the bindings: npx projen package:python, npx projen package:java (skipped when
#      dist/ is newer than .jsii; CONSUMER_FORCE_PACKAGE=1 rebuilds)
#   3. Python: a venv in the cache, pip install of the wheel + python/requirements.txt, pytest
#   4. Java: the jar into the local Maven repository, `mvn test` of java/ (JUnit 5)
#   5. compares the Python and Java outputs with the TypeScript one (compare.py)
#
# Environment (all optional):
#   CONSUMER_CACHE_DIR        venv, pacmak output, synthesized apps, logs   (test/consumers/.cache)
#   CONSUMER_MAVEN_REPO       Maven local repository                        (Maven's default, ~/.m2)
#   CONSUMER_ALLOW_OLDER_CDK  1: when the aws-cdk-lib the library declares (package.json
#                             peerDependencies) cannot be installed from PyPI or Maven Central,
#                             test the binding against the newest one there instead (below), with
#                             a warning, rather than fail; in Java the cdknag range is pinned to
#                             the declared cdk-nag floor too (Maven Central's index lists no
#                             cdknag 3.x, though the 3.x jars are there)   (0)
#   CONSUMER_PY_CDK_VERSION   aws-cdk-lib from PyPI in that case            (2.275.0)
#   CONSUMER_JAVA_CDK_VERSION aws-cdk-lib from Maven Central in that case   (2.272.0)
#   CONSUMER_FORCE_PACKAGE    1: rebuild the bindings even when dist/ looks up to date
#   PYTHON                    the Python that makes the venv and runs compare.py (python3)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

export AWS_EC2_METADATA_DISABLED=true
export CDK_DISABLE_VERSION_CHECK=1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONDONTWRITEBYTECODE=1

CACHE="${CONSUMER_CACHE_DIR:-$HERE/.cache}"
OUT="$CACHE/out"
LOGS="$CACHE/logs"
VENV="$CACHE/venv"
PYTHON="${PYTHON:-python3}"
ALLOW_OLDER="${CONSUMER_ALLOW_OLDER_CDK:-0}"
PY_CDK_FALLBACK="${CONSUMER_PY_CDK_VERSION:-2.275.0}"
JAVA_CDK_FALLBACK="${CONSUMER_JAVA_CDK_VERSION:-2.272.0}"
FORCE_PACKAGE="${CONSUMER_FORCE_PACKAGE:-0}"
MVN=(mvn -B -ntp -Dstyle.color=never)
if [ -n "${CONSUMER_MAVEN_REPO:-}" ]; then
  MVN+=("-Dmaven.repo.local=$CONSUMER_MAVEN_REPO")
fi
mkdir -p "$OUT" "$LOGS"

# --- phases, timings, the closing summary ----------------------------------------------------
started=$(date +%s)
TIMINGS=()
NOTES=()
FAILED=()
current=""
t0=0

begin() {
  current=$1
  t0=$(date +%s)
  echo
  echo "=== $current"
}

end() {
  local took=$(( $(date +%s) - t0 ))
  TIMINGS+=("$(printf '%-44s %5ss' "$current" "$took")")
  echo "=== $current: ${took}s"
  current=""
}

note() {
  NOTES+=("$1")
  echo "WARNING: $1"
}

summary() {
  local rc=$?
  if [ -n "$current" ]; then
    TIMINGS+=("$(printf '%-44s %5ss  (stopped here)' "$current" "$(( $(date +%s) - t0 ))")")
  fi
  if [ "$rc" -ne 0 ]; then
    FAILED+=("${current:-setup}")
  fi
  echo
  echo "=== consumers: timings"
  for line in "${TIMINGS[@]}"; do echo "  $line"; done
  echo "  $(printf '%-44s %5ss' total "$(( $(date +%s) - started ))")"
  for line in "${NOTES[@]}"; do echo "  WARNING: $line"; done
  if [ "${#FAILED[@]}" -gt 0 ]; then
    echo "=== consumers: FAILED: ${FAILED[*]}"
    [ "$rc" -eq 0 ] && rc=1
  else
    echo "=== consumers: OK (Python and Java synthesize the same app as TypeScript)"
  fi
  exit "$rc"
}
trap summary EXIT

# Swaps the aws-cdk-lib pin of requirements.txt.
requirements_with_cdk() {
  sed "s/^aws-cdk-lib==.*/aws-cdk-lib==$1/" test/consumers/python/requirements.txt > "$CACHE/requirements-$1.txt"
  echo "$CACHE/requirements-$1.txt"
}

# --- preflight --------------------------------------------------------------------------------
if [ ! -f .jsii ]; then
  echo "no .jsii: run 'npx projen compile' first" >&2
  exit 1
fi
STALE="$(find src -name '*.ts' -newer .jsii -print -quit)"
if [ -n "$STALE" ]; then
  echo "$STALE is newer than .jsii: run 'npx projen compile' first, or the bindings and" >&2
  echo "the TypeScript reference (built from src/) would test different code" >&2
  exit 1
fi
VERSION="$(node -p "require('./package.json').version")"
FLOOR="$(node -p "require('./package.json').peerDependencies['aws-cdk-lib'].replace(/^[^0-9]*/, '')")"
NAG_FLOOR="$(node -p "(require('./package.json').peerDependencies['cdk-nag'] || '').replace(/^[^0-9]*/, '')")"
echo "cdk-kms-patterns $VERSION, declared aws-cdk-lib floor $FLOOR; cache $CACHE"

# --- 1. the TypeScript reference ----------------------------------------------------------------
begin "typescript reference app (ts-node)"
rm -rf "$OUT/typescript"
CONSUMER_OUTDIR="$OUT/typescript" TS_NODE_TRANSPILE_ONLY=true \
  npx ts-node --project test/tsconfig.json test/consumers/typescript/app.ts
end

# --- 2. the bindings ------------------------------------------------------------------------------
begin "package:python"
WHL="dist/python/cdk_kms_patterns-$VERSION-py3-none-any.whl"
if [ "$FORCE_PACKAGE" != 1 ] && [ -f "$WHL" ] && [ "$WHL" -nt .jsii ]; then
  echo "up to date: $WHL"
else
  npx projen package:python > "$LOGS/package-python.log" 2>&1 || { tail -30 "$LOGS/package-python.log"; exit 1; }
  tail -2 "$LOGS/package-python.log"
fi
[ -f "$WHL" ] || { echo "no $WHL after package:python" >&2; exit 1; }
end

begin "package:java"
JAVA_DIST="dist/java/io/github/cdkkmspatterns/cdk-kms-patterns/$VERSION"
JAR="$JAVA_DIST/cdk-kms-patterns-$VERSION.jar"
POM="$JAVA_DIST/cdk-kms-patterns-$VERSION.pom"
JAVA_CDK="$FLOOR"
JAVA_OK=1
JAVA_CODE_ONLY=0
if [ "$FORCE_PACKAGE" != 1 ] && [ -f "$JAR" ] && [ "$JAR" -nt .jsii ]; then
  echo "up to date: $JAR"
elif npx projen package:java > "$LOGS/package-java.log" 2>&1; then
  tail -2 "$LOGS/package-java.log"
else
  grep -m1 -o 'Could not resolve dependencies.*' "$LOGS/package-java.log" || tail -20 "$LOGS/package-java.log"
  if [ "$ALLOW_OLDER" != 1 ]; then
    echo "package:java failed (log: $LOGS/package-java.log). When it cannot resolve aws-cdk-lib [$FLOOR,3.0.0),"
    echo "Maven Central has no aws-cdk-lib >= $FLOOR in its index, so no Java user can install the library either."
    echo "CONSUMER_ALLOW_OLDER_CDK=1 tests the binding against aws-cdk-lib $JAVA_CDK_FALLBACK instead."
    FAILED+=("package:java")
    JAVA_OK=0
  else
    note "package:java failed (aws-cdk-lib >= $FLOOR or cdknag >= ${NAG_FLOOR:-none} not resolvable from Maven Central's index); the Java binding is built from 'jsii-pacmak --code-only' against aws-cdk-lib $JAVA_CDK_FALLBACK${NAG_FLOOR:+ and cdknag $NAG_FLOOR} instead"
    JAVA_CDK="$JAVA_CDK_FALLBACK"
    JAVA_CODE_ONLY=1
  fi
fi
end

if [ "$JAVA_OK" = 1 ] && [ "$JAVA_CODE_ONLY" = 1 ]; then
  begin "java binding, aws-cdk-lib $JAVA_CDK (code-only)"
  PACMAK="$CACHE/pacmak"
  JAR="$PACMAK/java/target/cdk-kms-patterns-$VERSION.jar"
  POM="$PACMAK/java/pom.xml"
  if [ "$FORCE_PACKAGE" != 1 ] && [ -f "$JAR" ] && [ "$JAR" -nt .jsii ] && [ "$(cat "$PACMAK/cdk-version" 2>/dev/null)" = "$JAVA_CDK" ]; then
    echo "up to date: $JAR"
  else
    rm -rf "$PACMAK"
    npx jsii-pacmak --target java --code-only -o "$PACMAK"
    # the one change from package:java: aws-cdk-lib pinned to a version Maven Central has
    sed -i "/<artifactId>aws-cdk-lib<\/artifactId>/{n;s|<version>.*</version>|<version>$JAVA_CDK</version>|}" "$POM"
    grep -A1 '<artifactId>aws-cdk-lib</artifactId>' "$POM" | grep -q "<version>$JAVA_CDK</version>" \
      || { echo "could not pin aws-cdk-lib in $POM" >&2; exit 1; }
    # cdk-nag (a peer dependency since the KmsChecks pack): Maven Central's index lists no cdknag 3.x
    # either, so its range cannot be resolved; the declared floor itself can be fetched by version
    if grep -q '<artifactId>cdknag</artifactId>' "$POM"; then
      sed -i "/<artifactId>cdknag<\/artifactId>/{n;s|<version>.*</version>|<version>$NAG_FLOOR</version>|}" "$POM"
      grep -A1 '<artifactId>cdknag</artifactId>' "$POM" | grep -q "<version>$NAG_FLOOR</version>" \
        || { echo "could not pin cdknag in $POM" >&2; exit 1; }
      echo "pinned cdknag $NAG_FLOOR (the declared floor) in $POM"
    fi
    "${MVN[@]}" -q -f "$POM" package -Dmaven.javadoc.skip=true -Dmaven.source.skip=true
    echo "$JAVA_CDK" > "$PACMAK/cdk-version"
    echo "built $JAR"
  fi
  end
fi

# --- 3. Python --------------------------------------------------------------------------------------
begin "pip install (wheel + requirements.txt)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" uninstall -q -y cdk-kms-patterns > /dev/null 2>&1 || true
PY_CDK="$FLOOR"
PY_OK=1
if "$VENV/bin/pip" install -q "$WHL" -r test/consumers/python/requirements.txt > "$LOGS/pip.log" 2>&1; then
  :
else
  grep -m3 -E '^ERROR' "$LOGS/pip.log" | cut -c1-300 || tail -20 "$LOGS/pip.log"
  if [ "$ALLOW_OLDER" != 1 ]; then
    echo "pip could not install the wheel with its requirements (log: $LOGS/pip.log): a Python user cannot either."
    echo "CONSUMER_ALLOW_OLDER_CDK=1 tests the binding against aws-cdk-lib $PY_CDK_FALLBACK instead."
    FAILED+=("pip install")
    PY_OK=0
  else
    note "pip cannot install the wheel: it requires aws-cdk-lib>=$FLOOR, which PyPI does not have; tested against aws-cdk-lib $PY_CDK_FALLBACK with --no-deps instead"
    PY_CDK="$PY_CDK_FALLBACK"
    "$VENV/bin/pip" install -q -r "$(requirements_with_cdk "$PY_CDK")"
    "$VENV/bin/pip" install -q --no-deps "$WHL"
    "$VENV/bin/pip" check | sed 's/^/  pip check: /' || true
  fi
fi
[ "$PY_OK" = 1 ] && "$VENV/bin/python" -c "import aws_cdk, cdk_kms_patterns, importlib.metadata as m; print('installed: aws-cdk-lib', m.version('aws-cdk-lib'), '| cdk-kms-patterns', m.version('cdk-kms-patterns'), '| constructs', m.version('constructs'), '| jsii', m.version('jsii'))"
end

begin "pytest (python consumer)"
rm -rf "$OUT/python"
if [ "$PY_OK" != 1 ]; then
  echo "skipped: the wheel is not installed"
elif CONSUMER_OUTDIR="$OUT/python" TS_CONSUMER_OUTDIR="$OUT/typescript" \
  "$VENV/bin/python" -m pytest test/consumers/python -p no:cacheprovider -rxXs; then
  :
else
  FAILED+=("pytest")
fi
end

# --- 4. Java -----------------------------------------------------------------------------------------
begin "maven: install the library jar"
if [ "$JAVA_OK" = 1 ]; then
  "${MVN[@]}" -q org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file -Dfile="$JAR" -DpomFile="$POM"
  echo "installed io.github.cdkkmspatterns:cdk-kms-patterns:$VERSION from $JAR (aws-cdk-lib $JAVA_CDK)"
else
  echo "skipped: no jar"
fi
end

begin "mvn test (java consumer, aws-cdk-lib $JAVA_CDK)"
rm -rf "$OUT/java"
if [ "$JAVA_OK" != 1 ]; then
  echo "skipped: no jar"
elif CONSUMER_OUTDIR="$OUT/java" TS_CONSUMER_OUTDIR="$OUT/typescript" PYTHON="$PYTHON" \
  "${MVN[@]}" -f test/consumers/java/pom.xml test "-Dcdk.version=$JAVA_CDK"; then
  :
else
  FAILED+=("mvn test")
fi
end

# --- 5. the comparison ----------------------------------------------------------------------------
begin "compare with the typescript output"
for lang in python java; do
  if [ -f "$OUT/$lang/manifest.json" ]; then
    "$PYTHON" test/consumers/compare.py "$OUT/typescript" "$OUT/$lang" --labels "typescript,$lang" || FAILED+=("compare $lang")
  else
    echo "no $lang output to compare"
    [ "$lang" = python ] && [ "$PY_OK" != 1 ] && continue
    [ "$lang" = java ] && [ "$JAVA_OK" != 1 ] && continue
    FAILED+=("compare $lang")
  fi
done
end

if [ "$PY_CDK" != "$FLOOR" ] || [ "$JAVA_CDK" != "$FLOOR" ]; then
  note "the bindings were tested below the declared floor: typescript $FLOOR (npm), python $PY_CDK (PyPI), java $JAVA_CDK (Maven Central)"
fi
