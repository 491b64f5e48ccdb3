package dev.cnai.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * Credentials for a remote OCI registry: a user name and a password or token, used for HTTP basic auth and to
 * obtain bearer tokens. {@link #toString()} never shows the password, and no message of this package includes it.
 */
public final class RegistryCredentials {
    /** System property (or environment variable {@code CNAI_REGISTRY_USERNAME}) holding the user name. */
    public static final String USERNAME = "cnai.registry.username";
    /** System property (or environment variable {@code CNAI_REGISTRY_PASSWORD}) holding the password or token. */
    public static final String PASSWORD = "cnai.registry.password";
    /**
     * System property (or environment variable {@code CNAI_REGISTRY_AUTH_FILE}) naming a docker {@code config.json}
     * or a mounted Kubernetes {@code kubernetes.io/dockerconfigjson} Secret file ({@code .dockerconfigjson}).
     */
    public static final String AUTH_FILE = "cnai.registry.auth-file";

    private static final RegistryCredentials NONE = new RegistryCredentials(null, null);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String username;
    private final String password;

    private RegistryCredentials(String username, String password) {
        this.username = username;
        this.password = password;
    }

    /** No credentials: anonymous access (a registry that asks for credentials is refused with a clear error). */
    public static RegistryCredentials none() {
        return NONE;
    }

    /** A user name and password (or token). */
    public static RegistryCredentials basic(String username, String password) {
        if (username == null || username.isEmpty() || password == null) {
            throw RegistryException.invalid("registry credentials need a user name and a password");
        }
        return new RegistryCredentials(username, password);
    }

    /**
     * The entry for {@code host} (e.g. {@code registry.example:5000}) of a docker config file ({@code auths} →
     * {@code auth} as base64 {@code user:password}, or {@code username}/{@code password}); none if absent.
     */
    public static RegistryCredentials fromDockerConfig(Path file, String host) {
        JsonNode auths;
        try {
            auths = JSON.readTree(Files.readAllBytes(file)).path("auths");
        } catch (IOException e) {
            throw RegistryException.invalid("cannot read registry auth file " + file + ": " + e.getMessage());
        }
        for (String key : new String[] {host, "https://" + host, "http://" + host, "https://" + host + "/v2/",
                "http://" + host + "/v2/"}) {
            JsonNode entry = auths.get(key);
            if (entry == null) {
                continue;
            }
            if (entry.hasNonNull("username") && entry.hasNonNull("password")) {
                return basic(entry.get("username").asText(), entry.get("password").asText());
            }
            if (entry.hasNonNull("auth")) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(entry.get("auth").asText()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw RegistryException.invalid("the auth entry for " + host + " in " + file + " is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon <= 0) {
                    throw RegistryException.invalid("the auth entry for " + host + " in " + file
                            + " is not base64 of user:password");
                }
                return basic(decoded.substring(0, colon), decoded.substring(colon + 1));
            }
        }
        return NONE;
    }

    /**
     * Credentials for {@code host} from configuration: {@value #USERNAME}/{@value #PASSWORD} (system properties,
     * else environment variables {@code CNAI_REGISTRY_USERNAME}/{@code CNAI_REGISTRY_PASSWORD}), else the file named
     * by {@value #AUTH_FILE} ({@code CNAI_REGISTRY_AUTH_FILE}), else none.
     */
    public static RegistryCredentials fromEnvironment(String host) {
        Optional<String> user = setting(USERNAME);
        Optional<String> pass = setting(PASSWORD);
        if (user.isPresent() && pass.isPresent()) {
            return basic(user.get(), pass.get());
        }
        if (user.isPresent() || pass.isPresent()) {
            throw RegistryException.invalid("set both " + USERNAME + " and " + PASSWORD + " (or neither)");
        }
        return setting(AUTH_FILE).map(f -> fromDockerConfig(Path.of(f), host)).orElse(NONE);
    }

    private static Optional<String> setting(String key) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            v = System.getenv(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** Whether there are credentials to offer. */
    public boolean present() {
        return username != null;
    }

    /** The user name, if any. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** The password or token; only for building an {@code Authorization} header. */
    public String password() {
        return password;
    }

    @Override
    public String toString() {
        return present() ? "RegistryCredentials[username=" + username + ", password=****]" : "RegistryCredentials[none]";
    }
}
