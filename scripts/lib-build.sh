# Sourced by scripts/run-local.sh and scripts/soak.sh (not run on its own): builds the jars they need, once, quietly.
# Sets java_bin (JAVA_HOME's java, or java on the PATH) and cli_jar; on a failed build prints the log's end and exits 1.

java_bin=java
if [[ -n "${JAVA_HOME:-}" ]]; then java_bin="$JAVA_HOME/bin/java"; fi

cli_jar=cli/target/cnai-cli-0.1.0-SNAPSHOT.jar

ensure_built() {
  local needs_build=false f
  for f in "$cli_jar" broker/target/cnai-local-broker-0.1.0-SNAPSHOT.jar \
           functions/{preprocess,train-shard,evaluate,register,infer}/target/quarkus-app/quarkus-run.jar; do
    [[ -f "$f" ]] || needs_build=true
  done
  if [[ "$needs_build" == true ]]; then
    mkdir -p .cnai/logs
    local build_log=.cnai/logs/build.log
    echo "building (first run only; about two minutes; log: $build_log)…"
    if ! mvn -B -ntp -q -DskipTests package >"$build_log" 2>&1; then
      echo "build failed; the end of $build_log:" >&2
      tail -n 40 "$build_log" >&2
      exit 1
    fi
  fi
}
