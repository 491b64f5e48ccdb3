package dev.cnai.registry.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cnai.registry.RegistryCredentials;
import dev.cnai.registry.RegistryException;
import dev.cnai.registry.impl.OciLayout.Tagged;
import dev.cnai.storage.Digests;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry on any OCI distribution-spec server (distribution/registry, Harbor, Zot, GHCR, ECR, …), spoken to
 * directly with {@code java.net.http}: one repository {@code <namespace>/<name>} per model; versions, aliases and
 * rejection records are tags. Blobs are uploaded monolithically (POST then PUT with {@code ?digest=}), skipped when
 * a HEAD finds them; manifests are PUT by tag; every manifest and blob read is re-hashed and refused on mismatch.
 *
 * <p>Concurrency: writes to one model are serialised within this JVM, so concurrent pushes of a run in one process
 * yield one version. Across processes the registry offers no compare-and-swap on tags: a tag move is
 * last-writer-wins, and two processes pushing <em>different</em> runs of one model at the same instant may both
 * pick the same {@code v<N>} (the later PUT wins; the other run is then found by its run id under no version and
 * is pushed again on redelivery). The pipeline has one register function instance per model for this reason.
 * Deleting a version DELETEs its manifest by digest, which the registry must allow
 * ({@code storage.delete.enabled} on distribution/registry); blobs go at the registry's garbage collection.
 */
public final class OciDistributionRegistry extends OciModelRegistry {
    static final String MANIFEST_MEDIA_TYPE = OciLayout.MANIFEST_MEDIA_TYPE;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final ConcurrentHashMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final OciHttp http;
    private final String namespace;
    private final String display;

    /**
     * A registry at {@code base} (e.g. {@code https://registry.example:5000/}) storing models under {@code namespace}
     * (may be empty).
     */
    public OciDistributionRegistry(URI base, String namespace, RegistryCredentials credentials, String display) {
        this.http = new OciHttp(base, credentials, Duration.ofSeconds(60));
        this.namespace = namespace == null ? "" : namespace.replaceAll("^/+|/+$", "");
        this.display = display;
    }

    private String repo(String name) {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    private static String pull(String repo) {
        return "repository:" + repo + ":pull";
    }

    private static String push(String repo) {
        return "repository:" + repo + ":pull,push";
    }

    @Override
    List<Tagged> tags(String name) {
        String repo = repo(name);
        List<String> tags = new ArrayList<>();
        String next = "/v2/" + repo + "/tags/list?n=1000";
        while (next != null) {
            HttpResponse<byte[]> r = http.send(http.request(next).GET(), pull(repo), "listing tags of " + repo);
            if (r.statusCode() == 404) {
                return List.of();
            }
            expect(r, 200, "listing tags of " + repo);
            try {
                JsonNode array = JSON.readTree(r.body()).path("tags");
                array.forEach(t -> tags.add(t.asText()));
            } catch (IOException e) {
                throw RegistryException.remote("listing tags of " + repo + ": unreadable answer", r.statusCode(), null);
            }
            next = r.headers().firstValue("Link").map(LINK_NEXT::matcher).filter(Matcher::find)
                    .map(m -> m.group(1)).orElse(null);
        }
        List<Tagged> out = new ArrayList<>();
        for (String tag : tags) {
            head(repo, tag).ifPresent(out::add);
        }
        return sorted(out);
    }

    /** The manifest a tag points at, or empty when the tag went away meanwhile. */
    private Optional<Tagged> head(String repo, String tag) {
        String what = "resolving " + repo + ":" + tag;
        HttpResponse<byte[]> r = http.send(http.request("/v2/" + repo + "/manifests/" + tag)
                .header("Accept", MANIFEST_MEDIA_TYPE).method("HEAD", HttpRequest.BodyPublishers.noBody()), pull(repo),
                what);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        expect(r, 200, what);
        Optional<String> digest = r.headers().firstValue("Docker-Content-Digest");
        if (digest.isEmpty()) {
            HttpResponse<byte[]> g = http.send(http.request("/v2/" + repo + "/manifests/" + tag)
                    .header("Accept", MANIFEST_MEDIA_TYPE).GET(), pull(repo), what);
            expect(g, 200, what);
            return Optional.of(new Tagged(tag, Digests.sha256(g.body()), g.body().length, null));
        }
        long size = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        return Optional.of(new Tagged(tag, digest.get(), size, null));
    }

    @Override
    byte[] manifest(String name, String what, String digest, long size) {
        return fetch(repo(name), "manifests", what, digest, size);
    }

    @Override
    byte[] blob(String name, String what, String digest, long size) {
        return fetch(repo(name), "blobs", what, digest, size);
    }

    private byte[] fetch(String repo, String kind, String what, String digest, long size) {
        if (!Digests.isSha256(digest)) {
            throw RegistryException.tampered(what, "a sha256 digest", String.valueOf(digest));
        }
        HttpRequest.Builder b = http.request("/v2/" + repo + "/" + kind + "/" + digest).GET();
        if (kind.equals("manifests")) {
            b.header("Accept", MANIFEST_MEDIA_TYPE);
        }
        HttpResponse<byte[]> r = http.send(b, pull(repo), "fetching " + what);
        if (r.statusCode() == 404) {
            throw RegistryException.tampered(what, digest, "nothing at " + where(repo, digest));
        }
        expect(r, 200, "fetching " + what);
        String actual = Digests.sha256(r.body());
        if (!actual.equals(digest)) {
            throw RegistryException.tampered(what + " (" + where(repo, digest) + ")", digest, actual);
        }
        if (size >= 0 && r.body().length != size) {
            throw RegistryException.tampered(what + " (" + where(repo, digest) + ")", size + " bytes",
                    r.body().length + " bytes");
        }
        return r.body();
    }

    @Override
    boolean hasBlob(String name, String digest) {
        String repo = repo(name);
        HttpResponse<byte[]> head = http.send(http.request("/v2/" + repo + "/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), push(repo), "looking up blob " + digest + " in "
                + repo);
        return head.statusCode() == 200;
    }

    @Override
    String putBlob(String name, byte[] data) {
        String repo = repo(name);
        String digest = Digests.sha256(data);
        String what = "uploading blob " + digest + " to " + repo;
        if (hasBlob(name, digest)) {
            return digest;
        }
        HttpResponse<byte[]> start = http.send(http.request("/v2/" + repo + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody()), push(repo), what);
        expect(start, 202, what);
        String location = start.headers().firstValue("Location").orElseThrow(() ->
                RegistryException.remote(what + ": no Location in the upload answer", start.statusCode(), null));
        String target = http.base().resolve(location).toString();
        target += (target.contains("?") ? "&" : "?") + "digest=" + OciHttp.encode(digest);
        HttpResponse<byte[]> put = http.send(http.request(target).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)), push(repo), what);
        expect(put, 201, what);
        return digest;
    }

    @Override
    void putManifest(String name, String tag, byte[] manifest, String artifactType) {
        String repo = repo(name);
        String what = "tagging " + repo + ":" + tag;
        HttpResponse<byte[]> r = http.send(http.request("/v2/" + repo + "/manifests/" + tag)
                .header("Content-Type", MANIFEST_MEDIA_TYPE).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)),
                push(repo), what);
        expect(r, 201, what);
    }

    @Override
    void removeVersion(String name, Tagged version) {
        String repo = repo(name);
        String what = "deleting " + repo + ":" + version.tag() + " (" + version.digest() + ")";
        HttpResponse<byte[]> r = http.send(http.request("/v2/" + repo + "/manifests/" + version.digest()).DELETE(),
                "repository:" + repo + ":delete", what);
        if (r.statusCode() == 405) {
            throw RegistryException.conflict(what + ": the registry does not allow deletes (distribution/registry:"
                    + " set storage.delete.enabled: true)");
        }
        if (r.statusCode() != 202 && r.statusCode() != 200 && r.statusCode() != 404) {
            throw RegistryException.remote(what, r.statusCode(), text(r));
        }
    }

    @Override
    <T> T locked(String name, Supplier<T> action) {
        ReentrantLock lock = LOCKS.computeIfAbsent(display + "/" + repo(name), k -> new ReentrantLock());
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    String location(String name) {
        return display + "/" + name;
    }

    @Override
    public List<String> names() {
        List<String> out = new ArrayList<>();
        String next = "/v2/_catalog?n=1000";
        String prefix = namespace.isEmpty() ? "" : namespace + "/";
        while (next != null) {
            HttpResponse<byte[]> r = http.send(http.request(next).GET(), "registry:catalog:*", "listing repositories");
            expect(r, 200, "listing repositories (the registry must offer /v2/_catalog)");
            try {
                JSON.readTree(r.body()).path("repositories").forEach(n -> {
                    String repo = n.asText();
                    if (repo.startsWith(prefix) && !repo.substring(prefix.length()).contains("/")) {
                        out.add(repo.substring(prefix.length()));
                    }
                });
            } catch (IOException e) {
                throw RegistryException.remote("listing repositories: unreadable answer", r.statusCode(), null);
            }
            next = r.headers().firstValue("Link").map(LINK_NEXT::matcher).filter(Matcher::find)
                    .map(m -> m.group(1)).orElse(null);
        }
        return out.stream().filter(n -> n.matches("[a-z0-9][a-z0-9._-]{0,127}")).filter(n -> !tags(n).isEmpty())
                .sorted().toList();
    }

    @Override
    public String toString() {
        return display;
    }

    private String where(String repo, String digest) {
        return http.base().getAuthority() + "/" + repo + "@" + digest;
    }

    private static void expect(HttpResponse<byte[]> r, int status, String what) {
        if (r.statusCode() != status) {
            throw RegistryException.remote(what, r.statusCode(), text(r));
        }
    }

    private static String text(HttpResponse<byte[]> r) {
        return r.body() == null ? null : new String(r.body(), StandardCharsets.UTF_8);
    }
}
