package dev.cnai.registry.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cnai.registry.RegistryCredentials;
import dev.cnai.registry.RegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP transport of the OCI distribution API with the registry auth handshake: a request answered 401 is
 * retried once with credentials, per its {@code WWW-Authenticate} challenge: {@code Basic} sends the configured
 * user and password; {@code Bearer realm=…,service=…,scope=…} first fetches a token from the realm (with the
 * credentials as basic auth when configured, anonymously otherwise) and sends it. Headers are cached per scope.
 * Nothing here ever puts the password or a token into a message.
 */
final class OciHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("([a-zA-Z_]+)\\s*=\\s*(?:\"([^\"]*)\"|([^,\\s]*))");

    private final URI base;
    private final RegistryCredentials credentials;
    private final HttpClient client;
    private final Duration timeout;
    private final Map<String, String> authorization = new ConcurrentHashMap<>();

    OciHttp(URI base, RegistryCredentials credentials, Duration timeout) {
        this.base = base;
        this.credentials = credentials;
        this.timeout = timeout;
        // Redirects are followed by hand: blob GETs are often redirected to object storage with a pre-signed URL,
        // which must be fetched without our Authorization header.
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI base() {
        return base;
    }

    /** A request builder for a path under the base URI (or an absolute URI, e.g. an upload location). */
    HttpRequest.Builder request(String pathOrUri) {
        URI uri = pathOrUri.startsWith("http://") || pathOrUri.startsWith("https://") ? URI.create(pathOrUri)
                : base.resolve(pathOrUri);
        return HttpRequest.newBuilder(uri).timeout(timeout);
    }

    /**
     * Sends a request, authenticating on 401. {@code scope} is the token scope to ask for when the challenge
     * names none, e.g. {@code repository:models/mnist-mlp:pull,push}.
     */
    HttpResponse<byte[]> send(HttpRequest.Builder builder, String scope, String what) {
        String cached = authorization.get(scope);
        if (cached == null) {
            cached = authorization.get("*");
        }
        if (cached != null) {
            builder.setHeader("Authorization", cached);
        }
        HttpResponse<byte[]> response = exchange(builder.build(), what);
        if (response.statusCode() != 401) {
            return redirected(response, what);
        }
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        String header = authorize(challenge, scope, what);
        builder.setHeader("Authorization", header);
        response = exchange(builder.build(), what);
        if (response.statusCode() == 401) {
            authorization.remove(scope);
            throw RegistryException.unauthorized(what + ": registry " + base.getAuthority() + " refused "
                    + (credentials.present() ? "the credentials of user " + credentials.username().orElseThrow()
                            : "anonymous access; configure " + RegistryCredentials.USERNAME + "/"
                                    + RegistryCredentials.PASSWORD + " or " + RegistryCredentials.AUTH_FILE));
        }
        return redirected(response, what);
    }

    /** Follows up to five redirects of a GET or HEAD, without credentials (e.g. to pre-signed storage URLs). */
    private HttpResponse<byte[]> redirected(HttpResponse<byte[]> response, String what) {
        for (int hops = 0; hops < 5; hops++) {
            int status = response.statusCode();
            String method = response.request().method();
            if ((status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
                    || !(method.equals("GET") || method.equals("HEAD"))) {
                return response;
            }
            String location = response.headers().firstValue("Location").orElse(null);
            if (location == null) {
                return response;
            }
            URI next = response.request().uri().resolve(location);
            HttpRequest.Builder b = HttpRequest.newBuilder(next).timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            response.request().headers().firstValue("Accept").ifPresent(a -> b.header("Accept", a));
            if (next.getRawAuthority() != null && next.getRawAuthority().equals(base.getRawAuthority())) {
                response.request().headers().firstValue("Authorization").ifPresent(a -> b.header("Authorization", a));
            }
            response = exchange(b.build(), what);
        }
        return response;
    }

    private String authorize(String challenge, String scope, String what) {
        String scheme = challenge.split("\\s+", 2)[0];
        if (scheme.equalsIgnoreCase("Basic")) {
            if (!credentials.present()) {
                throw RegistryException.unauthorized(what + ": registry " + base.getAuthority()
                        + " requires credentials; configure " + RegistryCredentials.USERNAME + "/"
                        + RegistryCredentials.PASSWORD + " or " + RegistryCredentials.AUTH_FILE);
            }
            String header = basic();
            authorization.put("*", header);
            return header;
        }
        if (scheme.equalsIgnoreCase("Bearer")) {
            Map<String, String> params = params(challenge.substring(scheme.length()));
            String realm = params.get("realm");
            if (realm == null) {
                throw RegistryException.unauthorized(what + ": registry " + base.getAuthority()
                        + " sent a Bearer challenge without a realm");
            }
            String tokenScope = params.getOrDefault("scope", scope);
            StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
            if (params.containsKey("service")) {
                url.append("service=").append(encode(params.get("service"))).append('&');
            }
            url.append("scope=").append(encode(tokenScope));
            HttpRequest.Builder token = HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout).GET();
            if (credentials.present()) {
                token.header("Authorization", basic());
            }
            HttpResponse<byte[]> response = exchange(token.build(), what + " (token request to " + realmHost(realm)
                    + ")");
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw RegistryException.unauthorized(what + ": token service " + realmHost(realm) + " refused "
                        + (credentials.present() ? "the credentials of user " + credentials.username().orElseThrow()
                                : "anonymous access; configure credentials"));
            }
            if (response.statusCode() != 200) {
                throw RegistryException.remote(what + " (token request to " + realmHost(realm) + ")",
                        response.statusCode(), null);
            }
            String value;
            try {
                JsonNode body = JSON.readTree(response.body());
                value = body.hasNonNull("token") ? body.get("token").asText()
                        : body.path("access_token").asText(null);
            } catch (IOException e) {
                value = null;
            }
            if (value == null || value.isEmpty()) {
                throw RegistryException.unauthorized(what + ": token service " + realmHost(realm)
                        + " answered without a token");
            }
            String header = "Bearer " + value;
            authorization.put(scope, header);
            return header;
        }
        throw RegistryException.unauthorized(what + ": registry " + base.getAuthority()
                + " answered 401 with an unsupported challenge scheme '" + scheme + "'");
    }

    private HttpResponse<byte[]> exchange(HttpRequest request, String what) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw RegistryException.io(what + ": registry " + request.uri().getAuthority() + " unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.io(what + ": interrupted", e);
        }
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((credentials.username().orElseThrow() + ":"
                + credentials.password()).getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, String> params(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(s);
        while (m.find()) {
            out.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
        }
        return out;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String realmHost(String realm) {
        try {
            return URI.create(realm).getAuthority();
        } catch (IllegalArgumentException e) {
            return "(invalid realm)";
        }
    }
}
