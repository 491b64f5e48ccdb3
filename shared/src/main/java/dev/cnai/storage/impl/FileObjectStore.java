package dev.cnai.storage.impl;

import dev.cnai.storage.ArtifactRef;
import dev.cnai.storage.Digests;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The embedded default: objects are files under a root directory. Every write goes to a temporary
 * file in the target directory, is forced to disk, then renamed (put) or hard-linked (putIfAbsent)
 * into place, so readers never observe a partial object.
 */
public final class FileObjectStore implements ObjectStore {
    private final Path root;

    public FileObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw StorageException.io("cannot create store root " + this.root, e);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public ArtifactRef put(String key, byte[] data) {
        Path target = resolve(key);
        Path tmp = writeTemp(target, data);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw StorageException.io("cannot write " + target, e);
        }
        return new ArtifactRef(target.toUri().toString(), Digests.sha256(data), data.length);
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] data) {
        Path target = resolve(key);
        if (Files.exists(target)) {
            return new PutResult(ref(key).orElseThrow(), false);
        }
        Path tmp = writeTemp(target, data);
        try {
            Files.createLink(target, tmp);
            return new PutResult(new ArtifactRef(target.toUri().toString(), Digests.sha256(data), data.length), true);
        } catch (FileAlreadyExistsException e) {
            return new PutResult(ref(key).orElseThrow(), false);
        } catch (IOException e) {
            throw StorageException.io("cannot write " + target, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            return Optional.of(Files.readAllBytes(resolve(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw StorageException.io("cannot read " + key, e);
        }
    }

    @Override
    public byte[] read(ArtifactRef ref) {
        Path path;
        try {
            path = Path.of(URI.create(ref.uri())).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            throw StorageException.badKey(ref.uri(), "not a file:// URI this store can read");
        }
        if (!path.startsWith(root)) {
            throw StorageException.badKey(ref.uri(), "outside the store root " + root);
        }
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw StorageException.notFound(ref.uri());
        } catch (IOException e) {
            throw StorageException.io("cannot read " + ref.uri(), e);
        }
        return Digests.verified(ref, data);
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(resolve(key));
    }

    @Override
    public List<String> list(String prefix) {
        Path dir = resolve(prefix.isEmpty() ? "." : prefix);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        // walkFileTree rather than Files.walk: a concurrent put's .tmp- file may vanish between the directory read
        // and its attributes, which Files.walk reports as an UncheckedIOException; here it is simply skipped
        List<String> keys = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !p.getFileName().toString().startsWith(".tmp-")) {
                        keys.add(root.relativize(p).toString().replace('\\', '/'));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw StorageException.io("cannot list " + prefix, e);
        }
        Collections.sort(keys);
        return keys;
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(resolve(key));
        } catch (IOException e) {
            throw StorageException.io("cannot delete " + key, e);
        }
    }

    @Override
    public URI uri(String key) {
        return resolve(key).toUri();
    }

    private Path resolve(String key) {
        if (key == null || key.startsWith("/") || key.contains("\\")) {
            throw StorageException.badKey(String.valueOf(key), "keys are relative '/'-separated paths");
        }
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw StorageException.badKey(key, "escapes the store root");
        }
        return p;
    }

    private static Path writeTemp(Path target, byte[] data) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(data));
                ch.force(true);
            }
            return tmp;
        } catch (IOException e) {
            throw StorageException.io("cannot write " + target, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover .tmp- file is invisible to list() and get()
        }
    }
}
