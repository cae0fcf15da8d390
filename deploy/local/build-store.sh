#!/usr/bin/env bash
# Build the local store launcher (mongo-java-server) once into .tools/store; reuse it after.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.tools/store"
src="$root/deploy/local/store"
stamp="$out/build.stamp"
if [ -f "$out/build/pishkhan-local-store.jar" ] && [ -f "$stamp" ] \
   && [ "$(cat "$stamp")" = "$(cat "$src/pom.xml" "$src"/src/main/java/pishkhan/store/*.java | sha256sum)" ]; then
  exit 0
fi
command -v mvn >/dev/null || { echo "Maven (mvn) and Java 17 are needed to build the local store." >&2; exit 1; }
echo "Building the local store launcher (mongo-java-server)..." >&2
# Maven's console still writes colour resets in batch mode; keep the log plain.
mvn -q -B -Dstyle.color=never -f "$src/pom.xml" -DincludeScope=runtime -DoutputDirectory="$out/lib" \
    package dependency:copy-dependencies 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
cat "$src/pom.xml" "$src"/src/main/java/pishkhan/store/*.java | sha256sum > "$stamp"
