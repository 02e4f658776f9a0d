package io.twofa.error;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.twofa.support.Api;

@QuarkusTest
class ProblemResponsesTest {

    private static ValidatableResponse problem(ValidatableResponse response, int status) {
        return response.statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("type", containsString("urn:twofa:problem:"))
                .body("title", not(equalTo(null)))
                .body("detail", not(equalTo(null)))
                .body(not(containsString("Exception")))
                .body(not(containsString("at io.")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"access_token_lifetime_seconds\": 59}|access_token_lifetime_seconds",
            "{\"access_token_lifetime_seconds\": 3601}|access_token_lifetime_seconds",
            "{\"access_token_lifetime_seconds\": \"600\"}|access_token_lifetime_seconds",
            "{\"backup_code_count\": 4}|backup_code_count",
            "{\"backup_code_count\": 21}|backup_code_count",
            "{\"backup_code_count\": 10.5}|backup_code_count",
            "{\"issuer\": \"\"}|issuer",
            "{\"issuer\": \"Acme:Studio\"}|issuer",
            "{\"issuer\": 42}|issuer",
            "{\"two_factor_required\": \"yes\"}|two_factor_required",
            "{\"enforce_from\": \"next tuesday\"}|enforce_from",
            "{\"two_factor_required\": true, \"colour\": \"red\"}|colour" })
    void invalidPolicyValuesNameTheFieldAndChangeNothing(String body, String field) {
        String admin = Api.adminToken();
        String before = Api.bearer(admin).get("/api/v1/site-policy").then().statusCode(200).extract().asString();
        problem(Api.bearer(admin).body(body).put("/api/v1/site-policy").then(), 400).body("field", equalTo(field));
        Api.bearer(admin).get("/api/v1/site-policy").then().body(equalTo(before));
    }

    @Test
    void malformedJsonIs400() {
        problem(Api.json().body("{\"login\": \"a\", ").post("/api/v1/auth/login").then(), 400);
        problem(Api.json().body("not json").post("/api/v1/auth/login").then(), 400);
    }

    @Test
    void anEmptyBodyIs400() {
        problem(Api.json().post("/api/v1/auth/login").then(), 400);
    }

    @Test
    void unknownFieldsAreRejected() {
        problem(Api.json().body(Map.of("login", "a", "password", "b", "admin", true)).post("/api/v1/auth/login").then(), 400)
                .body("field", equalTo("admin"));
    }

    @Test
    void numbersWhereStringsBelongAreRejected() {
        problem(Api.json().body("{\"login\": 123, \"password\": \"x\"}").post("/api/v1/auth/login").then(), 400)
                .body("field", equalTo("login"));
    }

    @Test
    void duplicateKeysAreRejected() {
        problem(Api.json().body("{\"login\": \"a\", \"login\": \"admin\", \"password\": \"x\"}").post("/api/v1/auth/login")
                .then(), 400);
    }

    @Test
    void deeplyNestedJsonIsRejected() {
        String deep = "[".repeat(2000) + "]".repeat(2000);
        problem(Api.json().body("{\"login\": " + deep + ", \"password\": \"x\"}").post("/api/v1/auth/login").then(), 400);
    }

    @Test
    void bodiesOver64KiBAre413() {
        String big = "{\"login\": \"" + "a".repeat(70 * 1024) + "\", \"password\": \"x\"}";
        problem(Api.json().body(big).post("/api/v1/auth/login").then(), 413);
    }

    @Test
    void wrongContentTypeIs415() {
        problem(given().contentType("text/plain").body("login=admin").post("/api/v1/auth/login").then(), 415);
        problem(given().contentType("application/x-www-form-urlencoded").body("login=admin&password=x")
                .post("/api/v1/auth/login").then(), 415);
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() {
        problem(given().get("/api/v1/nothing-here").then(), 404);
        problem(given().get("/api/v1/auth/login").then(), 405);
        problem(given().delete("/.well-known/jwks.json").then(), 405);
    }

    @Test
    void unknownUserIs404ForAdmins() {
        problem(Api.bearer(Api.adminToken()).get("/api/v1/users/" + Api.newLogin("nobody")).then(), 404);
    }

    @Test
    void duplicateLoginIs409() {
        String login = Api.createUser("user");
        problem(Api.bearer(Api.adminToken()).body(Map.of("login", login.toUpperCase(), "password", Api.PASSWORD, "role", "user"))
                .post("/api/v1/users").then(), 409);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "{\"login\":\"\",\"password\":\"xxxxxxxx\",\"role\":\"user\"}|login",
            "{\"login\":\"ok\",\"password\":\"short\",\"role\":\"user\"}|password",
            "{\"login\":\"ok\",\"password\":\"xxxxxxxx\",\"role\":\"root\"}|role",
            "{\"login\":\" padded\",\"password\":\"xxxxxxxx\",\"role\":\"user\"}|login" })
    void invalidNewAccountsNameTheField(String body, String field) {
        problem(Api.bearer(Api.adminToken()).body(body).post("/api/v1/users").then(), 400).body("field", equalTo(field));
    }
}
