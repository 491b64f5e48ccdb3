#!/usr/bin/env bash
# native-check.sh FUNCTION — runs GraalVM's image builder (Maven Central's org.graalvm.nativeimage:svm,
# on the JDK 25 here, no native-image driver needed) over a function's generated native sources through
# class initialisation, points-to analysis, universe building and compilation, writes the relocatable
# object file and stops there (-H:+ExitAfterRelocatableImageWrite): the link step, which needs the JDK's
# static libraries and a GraalVM/Mandrel installation, is the one thing it does not do.
# See docs/deploy.md, "Native: what is checked here".
#
#   FUNCTION            infer | preprocess | train-shard | evaluate | register
#   NATIVE_CHECK_XMX    builder heap (default 8g)
#   JAVA_HOME           a JDK 25 (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   NATIVE_CHECK_REGEN=1  regenerate the native sources even when present
#
# Prints time, peak memory (max RSS of the builder JVM), reachable types/fields/methods and
# PASS (exit 0) or FAIL with the first error (exit 1). Full log: target/native-check/FUNCTION/build.log.
set -euo pipefail

F="${1:?usage: native-check.sh FUNCTION (infer|preprocess|train-shard|evaluate|register)}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
[ -d "functions/$F" ] || { echo "no such function: functions/$F" >&2; exit 2; }

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
"$JAVA" -version 2>&1 | grep -q 'version "25' || { echo "JAVA_HOME=$JAVA_HOME is not a JDK 25" >&2; exit 2; }
export JVMCI_VERSION_CHECK=ignore   # the builder's JVMCI check wants a GraalVM JDK; Temurin 25.0.3's JVMCI is fine for analysis and compilation

BUILDER="$ROOT/target/native-builder"
LIB="$BUILDER/lib"
OUT="$ROOT/target/native-check/$F"
SRC="$ROOT/functions/$F/target/native-sources"
XMX="${NATIVE_CHECK_XMX:-8g}"

# 1. The builder's jars, once (scripts/native-check/pom.xml pins the GraalVM version).
if [ ! -f "$LIB/.complete" ]; then
  echo "native-check: resolving the image builder into $LIB"
  rm -rf "$LIB"; mkdir -p "$LIB"
  mvn -B -ntp -q -f scripts/native-check/pom.xml dependency:copy-dependencies -DoutputDirectory="$LIB"
  touch "$LIB/.complete"
fi

# 2. A java.home for the builder: the JDK by symbolic links, with its own copies of bin/java and
# lib/server/libjvm.so (java.home follows libjvm.so's path) and lib/svm/builder/lib/libreporterchelper.so,
# the builder's small native helper (terminal width, peak RSS) that the Maven jars lack
# (scripts/native-check/reporterchelper.c). The JDK itself is not touched.
HOME_OVL="$BUILDER/java-home"
if [ ! -f "$HOME_OVL/.complete" ] || [ "$(cat "$HOME_OVL/.complete")" != "$JAVA_HOME" ]; then
  rm -rf "$HOME_OVL"; mkdir -p "$HOME_OVL/bin" "$HOME_OVL/lib/server" "$HOME_OVL/lib/svm/builder/lib"
  for e in "$JAVA_HOME"/*; do case "${e##*/}" in bin|lib) ;; *) ln -s "$e" "$HOME_OVL/";; esac; done
  for e in "$JAVA_HOME"/bin/*; do ln -s "$e" "$HOME_OVL/bin/"; done
  rm "$HOME_OVL/bin/java"; cp "$JAVA_HOME/bin/java" "$HOME_OVL/bin/java"
  for e in "$JAVA_HOME"/lib/*; do case "${e##*/}" in server) ;; *) ln -s "$e" "$HOME_OVL/lib/";; esac; done
  for e in "$JAVA_HOME"/lib/server/*; do ln -s "$e" "$HOME_OVL/lib/server/"; done
  rm "$HOME_OVL/lib/server/libjvm.so"; cp "$JAVA_HOME/lib/server/libjvm.so" "$HOME_OVL/lib/server/"
  gcc -O2 -shared -fPIC -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" \
    -o "$HOME_OVL/lib/svm/builder/lib/libreporterchelper.so" scripts/native-check/reporterchelper.c
  echo "$JAVA_HOME" > "$HOME_OVL/.complete"
fi
BJAVA="$HOME_OVL/bin/java"

# 3. C headers for the builder's query program (GraalVM's lib/svm/clibraries/<platform>/include): the
# JDK's jni.h / jni_md.h, stand-ins for the two SVM project headers (scripts/native-check/gen-headers.py)
# and an empty jvm_md.h. No static libraries: those are for the link step, which is not run.
CLIB="$BUILDER/clibraries"
if [ ! -f "$CLIB/.complete" ]; then
  rm -rf "$CLIB"; mkdir -p "$CLIB/include"
  python3 scripts/native-check/gen-headers.py "$JAVA_HOME" "$LIB/svm-25.0.4.jar" "$CLIB"
  ln -s "$JAVA_HOME/include/jni.h" "$CLIB/include/jni.h"
  ln -s "$JAVA_HOME/include/linux/jni_md.h" "$CLIB/include/jni_md.h"
  echo '/* empty stand-in (scripts/native-check.sh) */' > "$CLIB/include/jvm_md.h"
  touch "$CLIB/.complete"
fi

# 4. The JDK-internal packages the builder modules need. The driver passes the --add-exports that
# GraalVM's build derives from the modules' requiresConcealed lists; they are not in the published
# jars, so export every concealed / qualified package of the JDK's modules to the builder modules.
EXPORTS="$BUILDER/jdk-exports-$("$JAVA" -version 2>&1 | head -1 | grep -oE '"[^"]+"' | tr -d '"').args"
if [ ! -s "$EXPORTS" ]; then
  TARGETS=$(for j in "$LIB"/*.jar; do "$JAVA_HOME/bin/jar" --describe-module --file "$j" 2>/dev/null | head -1 | cut -d' ' -f1; done | grep -v '^No' | paste -sd, -)
  for m in $("$JAVA" --list-modules | sed 's/@.*//' | grep -v '^jdk\.graal\.compiler'); do
    # only modules in the boot layer (ALL-DEFAULT: those exporting an API, plus jdk.internal.vm.ci)
    "$JAVA" --describe-module "$m" | awk -v m="$m" -v t="$TARGETS" \
      '$1=="exports" { api = 1 } $1=="contains" || $1=="qualified" { p = ($1=="qualified") ? $3 : $2; l[n++] = "--add-exports=" m "/" p "=" t ",ALL-UNNAMED" }
       END { if (api || m == "jdk.internal.vm.ci") for (i = 0; i < n; i++) print l[i] }'
  done > "$EXPORTS.tmp"
  mv "$EXPORTS.tmp" "$EXPORTS"
fi

# 5. The function's native sources (what quarkus.native.sources-only writes: native-image.args + jars).
if [ "${NATIVE_CHECK_REGEN:-0}" = 1 ] || [ ! -f "$SRC/native-image.args" ]; then
  echo "native-check: generating $SRC"
  mvn -B -ntp -q -o -DskipTests package -Dnative -Dquarkus.native.sources-only=true -pl "functions/$F" -am \
    || mvn -B -ntp -q -DskipTests package -Dnative -Dquarkus.native.sources-only=true -pl "functions/$F" -am
fi

# 6. Driver options -> builder options.
rm -rf "$OUT"; mkdir -p "$OUT/tmp"
python3 scripts/native-check/translate.py "$SRC" "$OUT"

# JDK 25 has its own jdk.graal.compiler module (the JDK's, older than the builder's): the builder's compiler
# replaces it through --upgrade-module-path, as the driver does with lib/jvmci/graal.jar.
UMP="$LIB/compiler-25.0.4.jar"
MP=$(ls "$LIB"/*.jar | grep -v '/compiler-[0-9.]*\.jar$' | paste -sd: -)
{
  # What GraalVM's driver puts in front of the builder (mx_substratevm.py's graal_compiler_flags_base).
  printf '%s\n' -XX:+UseParallelGC -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI -XX:-UseJVMCICompiler \
    "-Xmx$XMX" -Xss10m -Dtruffle.TrustAllTruffleRuntimeProviders=true \
    -Dtruffle.TruffleRuntime=com.oracle.truffle.api.impl.DefaultTruffleRuntime \
    -Dgraalvm.ForcePolyglotInvalid=true -Dgraalvm.locatorDisabled=true -Dsubstratevm.HostLibC=glibc \
    -Dorg.graalvm.version=25.0.4 -Dorg.graalvm.vendorversion=Mandrel-25.0.4.0-Final -Dcom.oracle.graalvm.isaot=false \
    -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader -Dorg.graalvm.nativeimage.imagecode=buildtime \
    --add-modules=ALL-DEFAULT --enable-native-access=ALL-UNNAMED,org.graalvm.nativeimage.builder
  cat "$EXPORTS" "$OUT/jvm.args"
  printf '%s\n' --upgrade-module-path "$UMP" --module-path "$MP" --module org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner
  cat "$OUT/image.args"
  printf '%s\n' "-H:Path=$OUT" "-H:ImageBuildID=$(cat /proc/sys/kernel/random/uuid)" "-H:TempDirectory=$OUT/tmp" "-H:CLibraryPath=$CLIB" -H:+UnlockExperimentalVMOptions \
    -H:+ExitAfterRelocatableImageWrite -H:-DeleteLocalSymbols -H:-UnlockExperimentalVMOptions
} > "$OUT/builder.args"

echo "native-check: $F: java @$OUT/builder.args (heap $XMX; log $OUT/build.log)"
TIME=()
[ -x /usr/bin/time ] && TIME=(/usr/bin/time -v -o "$OUT/time.txt")
start=$(date +%s)
set +e
(cd "$OUT" && "${TIME[@]}" "$BJAVA" "@$OUT/builder.args") > "$OUT/build.log" 2>&1
rc=$?
set -e
secs=$(( $(date +%s) - start ))

obj=$(find "$OUT/tmp" -name '*.o' -size +1k 2>/dev/null | head -1)
rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f GiB", $2/1048576}' "$OUT/time.txt" 2>/dev/null || true)
reach=$(grep -m1 -E 'types, +[0-9,]+ fields, and +[0-9,]+ methods found reachable' "$OUT/build.log" | tr -s ' ' | sed 's/^ //' || true)
stage=$(grep -oE '^\[[0-9]/[0-9]\] [A-Za-z ]+' "$OUT/build.log" | tail -1 || true)
echo "native-check: $F: ${secs}s, peak RSS ${rss:-n/a}; last stage: ${stage:-none}; ${reach:-reachable: n/a}"
# PASS: the builder exited 0 after writing the relocatable object (ExitAfterRelocatableImageWrite, which ends the
# build right before the link step), so it got through class initialisation, analysis and compilation; and it
# printed no "Error:".
if [ "$rc" -eq 0 ] && [ -n "$obj" ] && ! grep -q '^Error:' "$OUT/build.log"; then
  echo "native-check: $F: PASS (relocatable image $(du -h "$obj" | cut -f1) written; not linked)"
  exit 0
fi
echo "native-check: $F: FAIL (builder exit $rc${obj:+, object written}); first error:"
grep -m1 -A12 -E '^(Error|Fatal error)|^Exception in thread|unexpected error' "$OUT/build.log" | cut -c1-300 || tail -25 "$OUT/build.log"
exit 1
