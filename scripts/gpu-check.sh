#!/usr/bin/env bash
# GPU check of the CUDA backend: runs the dev.greta.backend.cuda tests (GPU tests included) and the ops benchmark
# in one JVM, printing a short table last. Needs no Maven where it runs (a GPU machine with CUDA but no Java):
#
#   scripts/gpu-check.sh prepare [BUNDLE_DIR]   # here: build classes + test classes, copy test jars to target/lib,
#                                               # jlink a runtime into .jdk, copy small test models to target/models;
#                                               # with BUNDLE_DIR, also copy all of that (and this script) there
#   scripts/gpu-check.sh [all|tests [EXCLUDE_REGEX]|bench|e2e]  # on the GPU machine, from the checkout or bundle
#   (e2e: GRETA_E2E_PRESETS, GRETA_E2E_SIZES, GRETA_E2E_CHUNK (default: infer's), GRETA_E2E_ARGS (extra infer
#   options), GRETA_E2E_DIR)
#
# Java: ./.jdk/bin/java if present, else $JAVA_HOME/bin/java, else java on the PATH. The CUDA libraries are found
# as the backend finds them (GRETA_CUDA_LIB_DIR, the loader path, /usr/local/cuda/lib64).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

prepare() {
  local jdk=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
  export JAVA_HOME=$jdk
  mvn -q -B -DskipTests package
  rm -rf target/lib
  # only what the cuda tests load: JUnit platform + Jupiter, AssertJ
  mvn -q -B dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/lib \
    -DincludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian,org.jspecify,org.assertj
  rm -rf .jdk
  "$jdk/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,jdk.incubator.vector \
    --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output .jdk 2>/dev/null
  mkdir -p target/models
  local models
  for models in ../shared/models /work/shared/models; do [ -d "$models" ] && break; done
  for f in stories260K.gguf synth-tiny-Q4_K_M.gguf synth-tiny-Q4_0.gguf synth-tiny-Q8_0.gguf; do
    [ -f "$models/$f" ] && cp "$models/$f" target/models/
  done
  if [ $# -ge 1 ]; then
    local bundle=$1
    rm -rf "$bundle" && mkdir -p "$bundle/target" "$bundle/scripts"
    cp -r target/classes target/test-classes target/lib target/models "$bundle/target/"
    cp -r .jdk "$bundle/.jdk"
    cp scripts/gpu-check.sh "$bundle/scripts/"
    cp target/greta.jar "$bundle/"
    du -sh "$bundle"
  fi
}

if [ "${1:-}" = prepare ]; then shift; prepare "$@"; exit 0; fi

# End to end: generated bf16 models of issue 7's shapes, `infer --backend cuda` on a prompt of exactly N tokens.
# Needs greta.jar beside this script's folder or in target/ (`prepare` copies it into the bundle).
e2e() {
  local jar=greta.jar dir=${GRETA_E2E_DIR:-/tmp/greta-e2e} presets=${GRETA_E2E_PRESETS:-"tinyllama-1.1b llama2-7b"}
  local sizes=${GRETA_E2E_SIZES:-"4096 8192 16384 32768"} extra=${GRETA_E2E_ARGS:-} chunk=${GRETA_E2E_CHUNK:-}
  [ -f "$jar" ] || jar=target/greta.jar
  mkdir -p "$dir"
  local run=("$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -jar "$jar")
  local table=() preset n line out
  for preset in $presets; do
    [ -f "$dir/$preset.gguf" ] || "${run[@]}" gen-model --preset "$preset" --type bf16 --seed 1 -q -o "$dir/$preset.gguf"
    for n in $sizes; do
      # shellcheck disable=SC2086  # extra holds several options
      out=$("${run[@]}" infer --backend cuda --model "$dir/$preset.gguf" --prompt-tokens "$n" --max-tokens 1 \
        --ctx $((n + 1)) ${chunk:+--chunk "$chunk"} $extra 2>&1 || true)
      grep '^PERF_OP' <<<"$out" | head -12 || true
      line=$(grep '^PERF_TIMING' <<<"$out" || echo "FAILED: $(tail -3 <<<"$out")")
      echo "$preset $n $line"
      table+=("$(printf '%-16s %6s %s' "$preset" "$n" "$(grep -oE '(prefill_s|prefill_device_s|attn_impl|kv_type)=[^ ]*' <<<"$line" | tr '\n' ' ')")")
    done
  done
  printf '%s\n' "${table[@]}"
}

if [ -x .jdk/bin/java ]; then java=.jdk/bin/java
elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java=$JAVA_HOME/bin/java
else java=java; fi
[ -d target/test-classes ] || { echo "gpu-check: no target/test-classes; run 'scripts/gpu-check.sh prepare' where Maven is" >&2; exit 1; }
if [ "${1:-}" = e2e ]; then e2e; exit 0; fi
exec "$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
  -Dgreta.models="$root/target/models" -cp "target/classes:target/test-classes:target/lib/*" \
  dev.greta.backend.cuda.GpuCheck "${@:-all}"
