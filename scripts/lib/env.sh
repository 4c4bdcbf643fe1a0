# Shared by the scripts: run from the repository root with JDK 25 (Temurin) and the JVM flags Ampere needs.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# Maven itself runs on the machine's default JDK; the toolchains plugin in pom.xml compiles and tests with JDK 25.
# Launches of Ampere and of the benchmarks use JAVA25 directly.
JAVA25="${AMPERE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if ! "$JAVA25/bin/java" -version 2>&1 | grep -q 'version "25'; then
  echo "ampere: JDK 25 is required (expected at /usr/lib/jvm/temurin-25-jdk-amd64, or set AMPERE_JAVA_HOME)" >&2
  exit 1
fi

# --enable-preview for StructuredTaskScope; the rest is what Chronicle Queue needs on JDK 25 (sun.misc.Unsafe memory
# access, native access) and switches off its analytics, announcer and disk monitor, so nothing calls out.
# Add-Opens/Add-Exports come from the jar manifest when running with -jar.
AMPERE_JVM_FLAGS=(--enable-preview --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
  -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true -Dchronicle.disk.monitor.disable=true)

# The same module flags for class-path launches (JMH forks), which have no jar manifest to carry them.
AMPERE_MODULE_FLAGS=(--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED)

MVN=(mvn -B -ntp -Dstyle.color=never)

# Builds target/ampere-*.jar unless it is newer than every source file and the pom.
ensure_built() {
  local jar
  jar=$(ls target/ampere-*.jar 2>/dev/null | head -n 1 || true)
  if [ -z "$jar" ] || [ -n "$(find pom.xml src/main -newer "$jar" -print -quit)" ]; then
    echo "ampere: building..." >&2
    # Maven 3.8 writes colour resets (ESC[0m) even in batch mode; keep them out of logs that are not a terminal.
    if [ -t 2 ]; then
      "${MVN[@]}" -q package -DskipTests
    else
      "${MVN[@]}" -q package -DskipTests 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g' >&2
    fi
  fi
}
