package io.twofa.contract;

import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.twofa.support.Api;
import io.twofa.support.ContractValidation;

/**
 * The validation every exchange of the suite goes through (support/ContractValidation) is on, and it catches drift: an
 * undocumented member, an undocumented status code, a wrong content type, a request that breaks its schema.
 */
@QuarkusTest
class ContractValidationTest {

    private static List<String> errors(ValidationReport report) {
        return report.getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(ValidationReport.Message::getKey).toList();
    }

    @Test
    void theFilterIsOnForTheWholeSuite() {
        assertThat(RestAssured.filters()).anyMatch(f -> f instanceof ContractValidation);
        // a real exchange passes through it
        bearer(Api.adminToken()).get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void anUndocumentedMemberOfAnAnswerIsCaught() {
        var request = SimpleRequest.Builder.post("/api/v1/auth/refresh").withContentType("application/json")
                .withBody("{\"refresh_token\":\"" + "a".repeat(43) + "\"}").build();
        var documented = SimpleResponse.Builder.status(401).withContentType("application/problem+json")
                .withBody("{\"type\":\"urn:twofa:problem:refresh-invalid\",\"title\":\"Unknown refresh token\",\"status\":401,"
                        + "\"detail\":\"x\"}").build();
        assertThat(errors(ContractValidation.validator().validate(request, documented))).isEmpty();
        var undocumentedMember = SimpleResponse.Builder.status(401).withContentType("application/problem+json")
                .withBody("{\"type\":\"urn:twofa:problem:refresh-invalid\",\"title\":\"Unknown refresh token\",\"status\":401,"
                        + "\"detail\":\"x\",\"stack\":\"at Foo.bar\"}").build();
        assertThat(errors(ContractValidation.validator().validate(request, undocumentedMember)))
                .anyMatch(k -> k.startsWith("validation.response.body"));
        var undocumentedType = SimpleResponse.Builder.status(401).withContentType("application/problem+json")
                .withBody("{\"type\":\"urn:twofa:problem:nope\",\"title\":\"t\",\"status\":401,\"detail\":\"x\"}").build();
        assertThat(errors(ContractValidation.validator().validate(request, undocumentedType)))
                .anyMatch(k -> k.startsWith("validation.response.body"));
    }

    @Test
    void anUndocumentedStatusOrContentTypeIsCaught() {
        var request = SimpleRequest.Builder.get("/.well-known/jwks.json").build();
        var teapot = SimpleResponse.Builder.status(418).withContentType("application/json").withBody("{}").build();
        assertThat(errors(ContractValidation.validator().validate(request, teapot))).contains("validation.response.status.unknown");
        var html = SimpleResponse.Builder.status(200).withContentType("text/html").withBody("<p>").build();
        assertThat(errors(ContractValidation.validator().validate(request, html))).isNotEmpty();
    }

    @Test
    void aRequestTheContractForbidsMustBeRefused() {
        // refused with a declared 4xx: consistent with the contract, passes
        Api.json().body("{\"login\":\"x\",\"password\":\"y\",\"colour\":\"blue\"}").post("/api/v1/auth/login")
                .then().statusCode(400);
        // accepted although the contract forbids it: caught
        var forbidden = SimpleRequest.Builder.post("/api/v1/auth/login").withContentType("application/json")
                .withBody("{\"login\":\"x\",\"password\":\"y\",\"colour\":\"blue\"}").build();
        var accepted = SimpleResponse.Builder.status(200).withContentType("application/json")
                .withBody("{\"status\":\"authenticated\",\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":600}")
                .build();
        assertThat(errors(ContractValidation.validator().validate(forbidden, accepted)))
                .anyMatch(k -> k.startsWith("validation.request.body"));
    }
}
