package dev.cnai.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.storage.impl.S3Location;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing an s3:// root once into a validated {@link S3Location}: query first, then environment, then defaults. */
class S3LocationTest {
    private static final Map<String, String> NO_ENV = Map.of();

    @Test
    void defaults() {
        S3Location l = S3Location.parse("s3://my-bucket/runs/prod", NO_ENV::get);
        assertEquals("my-bucket", l.bucket());
        assertEquals("runs/prod/", l.prefix());
        assertEquals("s3://my-bucket/runs/prod/", l.root());
        assertEquals(Optional.empty(), l.endpoint());
        assertEquals("us-east-1", l.region());
        assertFalse(l.pathStyle());
        assertEquals(64L << 20, l.multipartThreshold());
        assertEquals(16L << 20, l.partSize());
        assertEquals(4, l.maxAttempts());
        assertEquals(S3Location.CreateMode.CONDITIONAL, l.createMode());
        assertEquals("", S3Location.parse("s3://my-bucket", NO_ENV::get).prefix());
        assertEquals("", S3Location.parse("s3://my-bucket/", NO_ENV::get).prefix());
    }

    @Test
    void theQueryWinsOverTheEnvironment() {
        Map<String, String> env = Map.of("CNAI_S3_ENDPOINT", "http://env:9000", "AWS_REGION", "eu-west-1",
                "CNAI_S3_PATH_STYLE", "true", "CNAI_S3_MULTIPART_THRESHOLD", "10485760", "CNAI_S3_PUT_IF_ABSENT",
                "single-writer");
        S3Location fromEnv = S3Location.parse("s3://b-1/p", env::get);
        assertEquals(Optional.of(URI.create("http://env:9000")), fromEnv.endpoint());
        assertEquals("eu-west-1", fromEnv.region());
        assertTrue(fromEnv.pathStyle());
        assertEquals(10L << 20, fromEnv.multipartThreshold());
        assertEquals(S3Location.CreateMode.SINGLE_WRITER, fromEnv.createMode());
        S3Location fromQuery = S3Location.parse("s3://b-1/p?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-west-2"
                + "&pathStyle=false&putIfAbsent=conditional&maxAttempts=1", env::get);
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")), fromQuery.endpoint());
        assertEquals("us-west-2", fromQuery.region());
        assertFalse(fromQuery.pathStyle());
        assertEquals(S3Location.CreateMode.CONDITIONAL, fromQuery.createMode());
        assertEquals(1, fromQuery.maxAttempts());
        assertEquals("eu-central-1", S3Location.parse("s3://b-1", Map.of("AWS_DEFAULT_REGION", "eu-central-1")::get)
                .region());
    }

    @Test
    void badLocationsAreRefusedWithoutEchoingSecrets() {
        for (String bad : new String[] {"s3://Upper_Case/p", "s3://b-1/p?unknown=1", "s3://b-1/p?pathStyle=maybe",
                "s3://b-1/p?partSize=1024", "s3://b-1/p?multipartThreshold=lots", "s3://b-1/p?maxAttempts=0",
                "s3://b-1/p?endpoint=ftp://x", "s3://b-1/p?putIfAbsent=hope", "s3://b-1/a//b", "s3://b-1/a/../b",
                "s3://b-1/p?endpoint=http://user:hunter2@host:9000", "s3://AKIAKEY:hunter2@b-1/p"}) {
            StorageException e = assertThrows(StorageException.class, () -> S3Location.parse(bad, NO_ENV::get), bad);
            assertEquals(ErrorKind.INVALID_INPUT, e.kind(), bad);
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }
}
