package dev.cnai.registry.impl;

import dev.cnai.registry.RegistryException;
import java.util.regex.Pattern;

/** Syntax of model names, versions and aliases (all must be valid OCI tags / path segments). */
final class Refs {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    private static final Pattern VERSION = Pattern.compile("v[1-9][0-9]{0,8}");
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

    private static final String REJECTED = "rejected-";
    private static final Pattern RUN_TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,100}");

    private Refs() {
    }

    static String name(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw RegistryException.invalid("invalid model name '" + name
                    + "': use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (max 128)");
        }
        return name;
    }

    static boolean isVersion(String ref) {
        return ref != null && VERSION.matcher(ref).matches();
    }

    /** {@code version}, or invalid input naming the {@code operation} that takes a version. */
    static String version(String version, String operation) {
        if (!isVersion(version)) {
            throw RegistryException.invalid("'" + version + "' is not a version; " + operation
                    + " takes a version like v3");
        }
        return version;
    }

    static String alias(String alias) {
        if (alias == null || !ALIAS.matcher(alias).matches() || isVersion(alias) || isRejection(alias)) {
            throw RegistryException.invalid("invalid alias '" + alias + "': use lower-case letters, digits, '.', '_'"
                    + " and '-' (max 128), not a version like v3 and not starting with " + REJECTED);
        }
        return alias;
    }

    /** Whether a tag names a rejection record. */
    static boolean isRejection(String tag) {
        return tag != null && tag.startsWith(REJECTED);
    }

    /** The tag of a run's rejection record: the run id when it is a valid tag, else a digest of it. */
    static String rejectionTag(String runId) {
        return REJECTED + (RUN_TAG.matcher(runId).matches() ? runId
                : dev.cnai.storage.Digests.sha256(runId.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .substring("sha256:".length(), "sha256:".length() + 32));
    }

    /** A version or alias. */
    static String ref(String ref) {
        if (isVersion(ref)) {
            return ref;
        }
        if (ref == null || !ALIAS.matcher(ref).matches()) {
            throw RegistryException.invalid("invalid version or alias '" + ref + "'");
        }
        return ref;
    }

    static int number(String version) {
        return Integer.parseInt(version.substring(1));
    }
}
