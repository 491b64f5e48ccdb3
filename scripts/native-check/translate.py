#!/usr/bin/env python3
"""Turns Quarkus' native-image.args (written for the native-image driver) into the image builder's
own arguments, the way GraalVM's driver (com.oracle.svm.driver.NativeImage, not published on Maven
Central) does it, for the options Quarkus and our dependencies use:

  -J<jvm-option>                      -> builder JVM option
  --features=A,B                      -> -H:Features=A,B
  --no-fallback                       -> -H:FallbackThreshold=0
  --link-at-build-time                -> -H:LinkAtBuildTime=
  --enable-url-protocols=P            -> -H:EnableURLProtocols=P
  --enable-monitoring=M               -> -H:EnableMonitoringFeatures=M
  --enable-native-access=M            -> -H:EnableNativeAccess=M
  --initialize-at-run-time=A,B        -> -H:ClassInitialization=A:run_time,B:run_time (build_time alike)
  --exclude-config JAR RES            -> skips matching META-INF/native-image files
  -jar X.jar / NAME                   -> -imagecp (jar + its manifest Class-Path), -H:Class, -H:Name,
                                         the jar's Add-Opens / Add-Exports as builder JVM options
  -H:..., -D...                       -> as they are (-D goes to the builder JVM, as with the driver)

and, like the driver's META-INF walker, every META-INF/native-image/** file on the image class path:
native-image.properties (Args, JavaArgs; ${.} = the file's directory) and the *-config.json /
reachability-metadata.json files as -H:<Kind>ConfigurationResources=... . Anything it does not know
is an error (exit 2), so a new driver option shows up here instead of being dropped silently.

Usage: translate.py NATIVE_SOURCES_DIR OUT_DIR  -> writes OUT_DIR/jvm.args and OUT_DIR/image.args
"""
import os
import re
import sys
import zipfile

CONFIG_KINDS = {
    "reflect-config.json": "ReflectionConfigurationResources",
    "jni-config.json": "JNIConfigurationResources",
    "resource-config.json": "ResourceConfigurationResources",
    "proxy-config.json": "DynamicProxyConfigurationResources",
    "serialization-config.json": "SerializationConfigurationResources",
    "predefined-classes-config.json": "PredefinedClassesConfigurationResources",
    "reachability-metadata.json": "ReachabilityMetadataResources",
}
ROOT = "META-INF/native-image/"


def die(msg):
    print("translate.py: " + msg, file=sys.stderr)
    sys.exit(2)


def load_properties(text):
    """java.util.Properties subset: comments, key = value, backslash line continuation."""
    props, key, buf = {}, None, None
    for raw in text.splitlines():
        line = raw.strip() if buf is None else raw.lstrip()
        if buf is None:
            if not line or line[0] in "#!":
                continue
        cont = line.endswith("\\") and not line.endswith("\\\\")
        if cont:
            line = line[:-1]
        buf = line if buf is None else buf + line
        if cont:
            continue
        m = re.match(r"([^=:\s]+)\s*[=:\s]\s*(.*)", buf)
        if m:
            props[m.group(1)] = m.group(2)
        buf = None
    return props


class Translator:
    def __init__(self, srcdir):
        self.srcdir = srcdir
        self.jvm = []
        self.image = []
        self.excludes = []  # (jar regex, resource regex)
        self.jar = None
        self.name = None
        self.init = []  # ClassInitialization entries

    def option(self, a, it, origin):
        if a.startswith("-J"):
            self.jvm.append(a[2:])
        elif a.startswith("-H:"):
            self.image.append(a)
        elif a.startswith("-D"):
            self.jvm.append(a)
        elif a.startswith("--features="):
            self.image.append("-H:Features=" + a.split("=", 1)[1])
        elif a == "--no-fallback":
            self.image.append("-H:FallbackThreshold=0")
        elif a == "--link-at-build-time":
            self.image.append("-H:LinkAtBuildTime=")
        elif a.startswith("--link-at-build-time="):
            self.image.append("-H:LinkAtBuildTime=" + a.split("=", 1)[1])
        elif a.startswith("--enable-url-protocols="):
            self.image.append("-H:EnableURLProtocols=" + a.split("=", 1)[1])
        elif a.startswith("--enable-monitoring"):
            v = a.split("=", 1)[1] if "=" in a else "all"
            self.image.append("-H:EnableMonitoringFeatures=" + v)
        elif a.startswith("--enable-native-access="):
            self.image.append("-H:EnableNativeAccess=" + a.split("=", 1)[1])
        elif a.startswith("--initialize-at-run-time") or a.startswith("--initialize-at-build-time"):
            kind = "run_time" if "run-time" in a else "build_time"
            v = a.split("=", 1)[1] if "=" in a else ""
            for c in v.split(",") if v else [""]:
                self.init.append(c + ":" + kind)
        elif a == "--exclude-config":
            try:
                self.excludes.append((re.compile(next(it)), re.compile(next(it))))
            except StopIteration:
                die("--exclude-config needs two arguments")
        elif a == "-jar":
            self.jar = next(it)
        elif a.startswith("-") or origin != "args":
            die("unknown option %r (from %s): teach scripts/native-check/translate.py the driver's translation" % (a, origin))
        elif self.name is None:
            self.name = a
        else:
            die("second positional argument %r" % a)

    def parse_args_file(self):
        with open(os.path.join(self.srcdir, "native-image.args"), encoding="utf-8") as f:
            tokens = f.read().split()
        it = iter(tokens)
        for a in it:
            self.option(a, it, "args")

    def classpath(self):
        if not self.jar:
            die("native-image.args has no -jar")
        jar = os.path.join(self.srcdir, self.jar)
        with zipfile.ZipFile(jar) as z:
            mf = z.read("META-INF/MANIFEST.MF").decode("utf-8")
        mf = re.sub(r"\r?\n ", "", mf)
        attrs = dict(l.split(": ", 1) for l in mf.splitlines() if ": " in l)
        self.main = attrs.get("Main-Class") or die("no Main-Class in " + jar)
        # like `java -jar` (and the driver): the main jar's Add-Opens / Add-Exports
        for attr, opt in (("Add-Opens", "--add-opens"), ("Add-Exports", "--add-exports")):
            for pkg in attrs.get(attr, "").split():
                self.jvm.append("%s=%s=ALL-UNNAMED" % (opt, pkg))
        cp = [jar] + [os.path.join(self.srcdir, e) for e in attrs.get("Class-Path", "").split()]
        missing = [e for e in cp if not os.path.exists(e)]
        if missing:
            die("class path entries missing: %s" % missing[:5])
        return cp

    def meta_inf(self, cp):
        for entry in cp:
            with zipfile.ZipFile(entry) as z:
                names = sorted(n for n in z.namelist() if n.startswith(ROOT) and not n.endswith("/"))
                for n in names:
                    res = "/" + n
                    if any(j.search(entry) and r.search(res) for j, r in self.excludes):
                        continue
                    base = os.path.basename(n)
                    if base == "native-image.properties":
                        props = load_properties(z.read(n).decode("utf-8"))
                        comp = os.path.dirname(n)
                        origin = "%s!/%s" % (os.path.basename(entry), n)
                        for key in props:
                            if key not in ("Args", "JavaArgs", "ImageName"):
                                die("%s: property %s not handled" % (origin, key))
                        for a in props.get("JavaArgs", "").replace("${.}", comp).split():
                            self.jvm.append(a)
                        toks = props.get("Args", "").replace("${.}", comp).split()
                        it = iter(toks)
                        for a in it:
                            self.option(a, it, origin)
                    elif base in CONFIG_KINDS:
                        self.image.append("-H:%s=%s" % (CONFIG_KINDS[base], n))


def main():
    srcdir, out = sys.argv[1], sys.argv[2]
    t = Translator(srcdir)
    t.parse_args_file()
    cp = t.classpath()
    t.meta_inf(cp)
    image = ["-imagecp", os.pathsep.join(os.path.abspath(e) for e in cp),
             "-H:Class=" + t.main, "-H:Name=" + (t.name or "image")]
    if t.init:
        image.append("-H:ClassInitialization=" + ",".join(t.init))
    image += t.image
    os.makedirs(out, exist_ok=True)

    def q(s):  # java @argfile quoting
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' if re.search(r'[\s"\'\\#]', s) else s

    with open(os.path.join(out, "jvm.args"), "w") as f:
        f.write("\n".join(q(a) for a in t.jvm) + "\n")
    with open(os.path.join(out, "image.args"), "w") as f:
        f.write("\n".join(q(a) for a in image) + "\n")
    print("translate.py: %d JVM options, %d builder options, %d class path entries, %d class-initialisation entries"
          % (len(t.jvm), len(image), len(cp), len(t.init)))


if __name__ == "__main__":
    main()
