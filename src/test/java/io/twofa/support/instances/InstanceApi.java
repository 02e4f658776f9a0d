package io.twofa.support.instances;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import io.twofa.crypto.Base32Secret;
import io.twofa.totp.Totp;

/** A small HTTP client for the operations tests: plain JDK HttpClient, safe to use from many threads at once. */
public final class InstanceApi {

    public static final String ADMIN_PASSWORD = "test-admin-password";
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One answer: status, JSON body (NullNode when there is none), headers, and how long it took. */
    public record Reply(int status, JsonNode body, String contentType, String requestId, Duration took) {
        public String text(String field) {
            JsonNode node = body.get(field);
            return node == null || node.isNull() ? null : node.asText();
        }
    }

    /** An enrolled account: its TOTP secret and backup codes. */
    public record Enrolled(String login, String password, String secret, List<String> backupCodes) {
    }

    private InstanceApi() {
    }

    public static Reply get(String base, String path, String token) {
        return send(base, path, "GET", token, null, Map.of());
    }

    public static Reply post(String base, String path, String token, Object body) {
        return send(base, path, "POST", token, body, Map.of());
    }

    public static Reply put(String base, String path, String token, Object body) {
        return send(base, path, "PUT", token, body, Map.of());
    }

    public static Reply send(String base, String path, String method, String token, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            headers.forEach(request::header);
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            long start = System.nanoTime();
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String type = response.headers().firstValue("Content-Type").orElse("");
            JsonNode json = response.body().isEmpty() || !type.contains("json") ? NullNode.getInstance()
                    : JSON.readTree(response.body());
            return new Reply(response.statusCode(), json, type, response.headers().firstValue("X-Request-Id").orElse(null),
                    took);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + " " + base + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Reply login(String base, String login, String password) {
        return post(base, "/api/v1/auth/login", null, Map.of("login", login, "password", password));
    }

    public static String adminToken(String base) {
        Reply reply = login(base, "admin", ADMIN_PASSWORD);
        assertThat(reply.status()).as("admin login: %s", reply.body()).isEqualTo(200);
        assertThat(reply.text("status")).isEqualTo("authenticated");
        return reply.text("access_token");
    }

    public static void createUser(String base, String adminToken, String login, String password) {
        createUser(base, adminToken, login, password, "user");
    }

    public static void createUser(String base, String adminToken, String login, String password, String role) {
        Reply reply = post(base, "/api/v1/users", adminToken, Map.of("login", login, "password", password, "role", role));
        assertThat(reply.status()).as("create %s: %s", login, reply.body()).isEqualTo(201);
    }

    public static void requireTwoFactor(String base, String adminToken) {
        Reply reply = put(base, "/api/v1/site-policy", adminToken, Map.of("two_factor_required", true));
        assertThat(reply.status()).as("policy: %s", reply.body()).isEqualTo(200);
    }

    /** Creates and enrols an account: the password step on {@code first}, the enrolment start on {@code second},
     * its confirmation on {@code first} again (the pending authenticator lives in the shared database). */
    public static Enrolled createAndEnrol(String first, String second, String adminToken, String login) {
        String password = "correct-horse-" + login;
        createUser(first, adminToken, login, password);
        Reply challenge = login(first, login, password);
        assertThat(challenge.text("status")).as("login %s: %s", login, challenge.body()).isEqualTo("enrollment_required");
        Reply started = post(second, "/api/v1/enrollment", challenge.text("challenge_token"), Map.of());
        assertThat(started.status()).as("enrolment start: %s", started.body()).isEqualTo(201);
        String secret = started.text("secret");
        Reply confirmed = post(first, "/api/v1/enrollment/confirm", challenge.text("challenge_token"),
                Map.of("code", totp(secret, Instant.now())));
        assertThat(confirmed.status()).as("enrolment confirm: %s", confirmed.body()).isEqualTo(200);
        assertThat(confirmed.text("status")).isEqualTo("enrolled");
        List<String> codes = new ArrayList<>();
        confirmed.body().get("backup_codes").forEach(c -> codes.add(c.asText()));
        assertThat(codes).isNotEmpty();
        return new Enrolled(login, password, secret, codes);
    }

    /** The password step of an enrolled account: its challenge token for /auth/verify. */
    public static String challenge(String base, Enrolled account) {
        Reply reply = login(base, account.login(), account.password());
        assertThat(reply.text("status")).as("login %s: %s", account.login(), reply.body()).isEqualTo("second_factor_required");
        return reply.text("challenge_token");
    }

    public static String totp(String base32Secret, Instant at) {
        return Totp.code(Base32Secret.decode(base32Secret), at);
    }

    /** A 6-digit code that is not valid for the secret in the accepted window around now. */
    public static String wrongCode(String base32Secret) {
        Instant now = Instant.now();
        List<String> valid = List.of(totp(base32Secret, now.minusSeconds(30)), totp(base32Secret, now),
                totp(base32Secret, now.plusSeconds(30)), totp(base32Secret, now.plusSeconds(60)));
        for (int i = 0;; i++) {
            String candidate = String.format("%06d", (123457 + i * 7919) % 1_000_000);
            if (!valid.contains(candidate)) {
                return candidate;
            }
        }
    }
}
