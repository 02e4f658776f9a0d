package io.twofa.support;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.twofa.crypto.Base32Secret;
import io.twofa.totp.Totp;

/** The REST API as tests use it: each call asserts its expected status, so a broken step fails where it breaks. */
public final class Api {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "test-admin-password";
    public static final String PASSWORD = "correct horse battery staple";

    static {
        // a failing expectation prints the exchange, so a red test says what the service answered
        io.restassured.RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private Api() {
    }

    public static RequestSpecification json() {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    public static RequestSpecification bearer(String token) {
        return json().header("Authorization", "Bearer " + token);
    }

    public static JsonPath login(String login, String password) {
        return json().body(Map.of("login", login, "password", password, "client", "desktop"))
                .post("/api/v1/auth/login").then().statusCode(200).extract().jsonPath();
    }

    private static String adminToken;
    private static Instant adminTokenExpires = Instant.MIN;
    private static Instant adminTokenAuthTime = Instant.MIN;
    private static int adminTokenPort;
    private static java.util.Deque<String> adminBackupCodes = new java.util.ArrayDeque<>();
    /** Sensitive admin actions need an authentication at most 5 minutes old (step-up): renew the token well before. */
    private static final java.time.Duration FRESH = java.time.Duration.ofMinutes(4);

    /**
     * An access token of the bootstrap admin, fit for step-up (a complete authentication less than 4 minutes old),
     * cached while so. When the admin has a second factor (enrolled the first time the policy asked for it), every
     * login proves it with one of the admin's backup codes (renewed when few are left), since TOTP replay protection
     * allows only a few logins per 30 s step: with the policy on at the second step, with it off by step-up.
     */
    public static synchronized String adminToken() {
        Instant now = TestClock.now();
        if (adminToken != null && adminTokenPort == io.restassured.RestAssured.port && !now.isBefore(adminTokenAuthTime)
                && now.isBefore(adminTokenAuthTime.plus(FRESH)) && now.isBefore(adminTokenExpires.minusSeconds(60))) {
            return adminToken;
        }
        JsonPath res = login(ADMIN, ADMIN_PASSWORD);
        boolean enrolled = true;
        JsonPath done = switch (res.getString("status")) {
            case "authenticated" -> {
                enrolled = bearer(res.getString("access_token")).get("/api/v1/me").then().statusCode(200).extract()
                        .path("account.enrolled");
                // policy off: the password alone is a complete login only for an admin without a second factor
                yield enrolled ? bearer(res.getString("access_token"))
                        .body(Map.of("password", ADMIN_PASSWORD, "backup_code", nextAdminBackupCode()))
                        .post("/api/v1/auth/step-up").then().statusCode(200).extract().jsonPath() : res;
            }
            case "enrollment_required" -> {
                String challenge = res.getString("challenge_token");
                String secret = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201)
                        .extract().path("secret");
                String code = Totp.code(Base32Secret.decode(secret), TestClock.now());
                JsonPath confirmed = bearer(challenge).body(Map.of("code", code)).post("/api/v1/enrollment/confirm")
                        .then().statusCode(200).extract().jsonPath();
                adminBackupCodes = new java.util.ArrayDeque<>(confirmed.getList("backup_codes", String.class));
                yield confirmed;
            }
            default -> bearer(res.getString("challenge_token")).body(Map.of("backup_code", nextAdminBackupCode()))
                    .post("/api/v1/auth/verify").then().statusCode(200).extract().jsonPath();
        };
        adminToken = done.getString("access_token");
        adminTokenExpires = now.plusSeconds(done.getLong("expires_in"));
        adminTokenAuthTime = Instant.ofEpochSecond(claims(adminToken).getLong("auth_time"));
        adminTokenPort = io.restassured.RestAssured.port;
        if (enrolled && adminBackupCodes.size() <= 3) {
            adminBackupCodes = new java.util.ArrayDeque<>(bearer(adminToken).body(Map.of("password", ADMIN_PASSWORD))
                    .post("/api/v1/backup-codes").then().statusCode(201).extract().jsonPath().getList("codes", String.class));
        }
        return adminToken;
    }

    /**
     * Forgets the cached admin token: after two-factor was switched on, a token of the password alone no longer passes
     * step-up.
     */
    public static synchronized void forgetAdminToken() {
        adminToken = null;
    }

    private static String nextAdminBackupCode() {
        if (adminBackupCodes.isEmpty()) {
            throw new AssertionError("admin needs a second factor but has no backup codes left in this test run");
        }
        return adminBackupCodes.pop();
    }

    /** The payload of a JWT (not verified: the service does that). */
    public static JsonPath claims(String jwt) {
        return JsonPath.from(new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    public static String newLogin(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String createUser(String role) {
        String login = newLogin(role);
        bearer(adminToken()).body(Map.of("login", login, "password", PASSWORD, "role", role))
                .post("/api/v1/users").then().statusCode(201);
        return login;
    }

    public static void policy(Map<String, Object> fields) {
        bearer(adminToken()).body(fields).put("/api/v1/site-policy").then().statusCode(200);
        if (Boolean.TRUE.equals(fields.get("two_factor_required"))) {
            forgetAdminToken();
        }
    }

    public static void twoFactor(boolean on) {
        java.util.HashMap<String, Object> fields = new java.util.HashMap<>();
        fields.put("two_factor_required", on);
        fields.put("enforce_from", null);
        policy(fields);
    }

    /** An enrolled user: its login, TOTP secret and first backup codes. */
    public record Enrolled(String login, String secret, List<String> backupCodes) {
        public byte[] key() {
            return Base32Secret.decode(secret);
        }

        /** The code for the step {@code offset} steps from now. */
        public String code(int offset) {
            return Totp.format(Totp.hotp(key(), Totp.step(TestClock.now()) + offset, Totp.HMAC_SHA1, 6), 6);
        }

        public String challenge() {
            JsonPath login = Api.login(login(), PASSWORD);
            if (!"second_factor_required".equals(login.getString("status"))) {
                throw new AssertionError("expected second_factor_required, got " + login.prettify());
            }
            return login.getString("challenge_token");
        }
    }

    /** A full login of an enrolled user with the last of its first backup codes (so its TOTP steps stay free). */
    public static String accessTokenOf(Enrolled user) {
        List<String> codes = user.backupCodes();
        return bearer(user.challenge()).body(Map.of("backup_code", codes.get(codes.size() - 1)))
                .post("/api/v1/auth/verify").then().statusCode(200).extract().path("access_token");
    }

    /** Creates a user and enrols it through the login flow (policy must be on). */
    public static Enrolled enrolledUser() {
        String login = createUser("user");
        JsonPath first = login(login, PASSWORD);
        if (!"enrollment_required".equals(first.getString("status"))) {
            throw new AssertionError("expected enrollment_required, got " + first.prettify());
        }
        String challenge = first.getString("challenge_token");
        String secret = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201)
                .extract().path("secret");
        // confirm with the previous step's code, leaving the current step free for the test
        String code = Totp.format(Totp.hotp(Base32Secret.decode(secret), Totp.step(TestClock.now()) - 1, Totp.HMAC_SHA1, 6), 6);
        List<String> codes = bearer(challenge).body(Map.of("code", code)).post("/api/v1/enrollment/confirm")
                .then().statusCode(200).extract().jsonPath().getList("backup_codes", String.class);
        return new Enrolled(login, secret, codes);
    }

    public static Instant now() {
        return TestClock.now();
    }
}
