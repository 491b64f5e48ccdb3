package dev.cnai.registry.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cnai.registry.ModelAnnotations;
import dev.cnai.registry.RegistryException;
import dev.cnai.storage.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One OCI image layout directory (image-spec {@code image-layout.md}): {@code oci-layout},
 * {@code index.json} and content-addressed {@code blobs/sha256/<hex>}. Written directly against the spec
 * rather than through the ORAS SDK's {@code OCILayout}, because every write here must be atomic (temp file +
 * rename) and {@code index.json} must hold several tags for one manifest (a version and its aliases).
 * Callers serialise writers; readers need no lock since files are only ever replaced by rename.
 */
final class OciLayout {
    static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
    static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
    static final String LAYOUT_VERSION = "1.0.0";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tagged manifest descriptor in {@code index.json}. */
    record Tagged(String tag, String digest, long size, String artifactType) {
    }

    private final Path dir;

    OciLayout(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** Whether the directory holds a layout. */
    boolean exists() {
        return Files.isRegularFile(dir.resolve("oci-layout")) && Files.isRegularFile(dir.resolve("index.json"));
    }

    /** Creates the directory, {@code oci-layout}, an empty {@code index.json} and {@code blobs/sha256} if absent. */
    void init() {
        try {
            Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
            if (!Files.exists(dir.resolve("oci-layout"))) {
                ObjectNode layout = JSON.createObjectNode().put("imageLayoutVersion", LAYOUT_VERSION);
                writeAtomically(dir.resolve("oci-layout"), JSON.writeValueAsBytes(layout));
            }
            if (!Files.exists(dir.resolve("index.json"))) {
                writeIndex(List.of());
            }
        } catch (IOException e) {
            throw RegistryException.io("creating OCI layout " + dir, e);
        }
    }

    Path blobPath(String digest) {
        if (!Digests.isSha256(digest)) {
            throw RegistryException.tampered("blob reference in " + dir, "a sha256 digest", String.valueOf(digest));
        }
        return dir.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
    }

    /** Whether a blob with this digest is stored with the right content (a torn or tampered one does not count). */
    boolean hasBlob(String digest) {
        Path path = blobPath(digest);
        try {
            return Files.isRegularFile(path) && Digests.sha256(Files.readAllBytes(path)).equals(digest);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw RegistryException.io("reading blob " + digest + " in " + dir, e);
        }
    }

    /**
     * Stores a blob under its digest and returns the digest. An existing blob with the right content is kept;
     * one with wrong content (e.g. a torn write by another tool) is replaced.
     */
    String putBlob(byte[] data) {
        String digest = Digests.sha256(data);
        if (hasBlob(digest)) {
            return digest;
        }
        try {
            writeAtomically(blobPath(digest), data);
            return digest;
        } catch (IOException e) {
            throw RegistryException.io("writing blob " + digest + " to " + dir, e);
        }
    }

    /** The bytes of a blob, verified against the expected digest and size. */
    byte[] readVerified(String what, String digest, long size) {
        Path path = blobPath(digest);
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw RegistryException.tampered(what, digest, "no blob at " + path);
        } catch (IOException e) {
            throw RegistryException.io("reading " + what + " from " + path, e);
        }
        String actual = Digests.sha256(data);
        if (!actual.equals(digest)) {
            throw RegistryException.tampered(what + " (" + path + ")", digest, actual);
        }
        if (size >= 0 && data.length != size) {
            throw RegistryException.tampered(what + " (" + path + ")", size + " bytes", data.length + " bytes");
        }
        return data;
    }

    /** The tagged manifests of {@code index.json}, in file order; empty when there is no layout. */
    List<Tagged> readIndex() {
        Path path = dir.resolve("index.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw RegistryException.io("reading " + path, e);
        }
        JsonNode manifests = root == null ? null : root.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw RegistryException.tampered(path.toString(), "an OCI image index with a manifests array",
                    "something else");
        }
        List<Tagged> tagged = new ArrayList<>();
        for (JsonNode m : manifests) {
            JsonNode tag = m.path("annotations").get(ModelAnnotations.OCI_REF_NAME);
            if (tag != null && tag.isTextual()) {
                tagged.add(new Tagged(tag.asText(), m.path("digest").asText(), m.path("size").asLong(-1),
                        m.path("artifactType").asText(null)));
            }
        }
        return tagged;
    }

    /** Replaces {@code index.json} atomically with one manifest descriptor per tag, in the given order. */
    void writeIndex(List<Tagged> tags) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", INDEX_MEDIA_TYPE);
        ArrayNode manifests = root.putArray("manifests");
        for (Tagged t : tags) {
            ObjectNode m = manifests.addObject();
            m.put("mediaType", MANIFEST_MEDIA_TYPE);
            if (t.artifactType() != null) {
                m.put("artifactType", t.artifactType());
            }
            m.put("digest", t.digest());
            m.put("size", t.size());
            m.putObject("annotations").put(ModelAnnotations.OCI_REF_NAME, t.tag());
        }
        try {
            writeAtomically(dir.resolve("index.json"), JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw RegistryException.io("writing index.json of " + dir, e);
        }
    }

    private void writeAtomically(Path target, byte[] data) throws IOException {
        Path tmp = Files.createTempFile(dir, ".tmp-", ".part");
        try {
            Files.write(tmp, data);
            // Same directory, so rename(2) is atomic and replaces the target.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String utf8(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }
}
