package io.twofa.support;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredRequest;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Every HTTP exchange the suite makes through RestAssured is checked against openapi.yaml (Atlassian's
 * swagger-request-validator): request and response bodies against their schemas, status codes and content types
 * against those declared. Installed for every test class by JUnit's extension auto-detection
 * (src/test/resources/META-INF/services; enabled in pom.xml, surefire configurationParameters).
 * <p>
 * The answer is always checked. The request is checked when the service accepted it: a request the contract forbids
 * (malformed JSON, an unknown member, a missing token, ...) must be refused with a 4xx that the contract declares, and
 * then the request's own faults are what the answer is about. So the service accepting what the contract forbids fails,
 * and so does any answer the contract does not declare. {@link #INVALID_ON_PURPOSE} marks a request sent invalid on
 * purpose even where the answer is not a 4xx (none so far). An Accept header naming only JSON is fine for operations that
 * answer 204 or problem+json: their success carries no body. Paths outside the API ({@code /q/...}, the web page) are
 * not the contract's.
 */
public final class ContractValidation implements Filter, BeforeAllCallback, BeforeEachCallback {

    /** Request header (removed before sending) that marks a deliberately invalid request. */
    public static final String INVALID_ON_PURPOSE = "X-Test-Invalid-On-Purpose";
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForSpecificationUrl(Path.of("openapi.yaml").toUri().toString()).build();
    private static final ContractValidation FILTER = new ContractValidation();

    /** The validator itself (for the test of this set-up). */
    public static OpenApiInteractionValidator validator() {
        return VALIDATOR;
    }

    /** Header to add to a request that breaks the contract on purpose. */
    public static io.restassured.http.Header invalidOnPurpose() {
        return new io.restassured.http.Header(INVALID_ON_PURPOSE, "true");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    /** Again before each test: Quarkus' test extension resets RestAssured's set-up when it starts an application. */
    @Override
    public void beforeEach(ExtensionContext context) {
        install();
    }

    public static synchronized void install() {
        if (RestAssured.filters().stream().noneMatch(f -> f instanceof ContractValidation)) {
            RestAssured.filters(FILTER);
        }
    }

    private static boolean clientError(Response response) {
        return response.statusCode() >= 400 && response.statusCode() < 500;
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec, FilterContext ctx) {
        boolean onPurpose = request.getHeaders().hasHeaderWithName(INVALID_ON_PURPOSE);
        if (onPurpose) {
            request.removeHeader(INVALID_ON_PURPOSE);
        }
        Response response = ctx.next(request, responseSpec);
        String path = request.getDerivedPath();
        if (!path.startsWith("/api/") && !path.startsWith("/.well-known/")) {
            return response;
        }
        ValidationReport report = VALIDATOR.validate(RestAssuredRequest.of(request), RestAssuredResponse.of(response));
        List<ValidationReport.Message> errors = report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .filter(m -> !((onPurpose || clientError(response)) && m.getKey().startsWith("validation.request")))
                .filter(m -> !m.getKey().equals("validation.request.accept.notAllowed"))
                .toList();
        if (!errors.isEmpty()) {
            throw new AssertionError("The exchange " + request.getMethod() + " " + path + " -> " + response.statusCode()
                    + " breaks openapi.yaml:\n" + errors.stream().map(m -> "  - " + m.getKey() + ": " + m.getMessage())
                            .collect(Collectors.joining("\n"))
                    + "\nanswer: " + response.asString());
        }
        return response;
    }
}
