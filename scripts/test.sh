#!/usr/bin/env bash
# Runs the whole test suite with JDK 25 (found the same way as the ./greta launcher).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
found=
for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java || echo /nonexistent)")")")" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && \
     "$candidate/bin/java" -XshowSettings:properties -version 2>&1 | grep -Eq 'java\.specification\.version = (2[5-9]|[3-9][0-9])'; then
    export JAVA_HOME=$candidate; found=1; break
  fi
done
[ -n "$found" ] || { echo "test.sh: no JDK 25+ found (tried \$JAVA_HOME, java on PATH, /usr/lib/jvm/temurin-25-jdk-amd64)" >&2; exit 1; }
exec mvn -B -f "$here/pom.xml" verify "$@"
