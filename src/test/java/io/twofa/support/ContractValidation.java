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
 * A test that sends a request the contract forbids on purpose (malformed JSON, an unknown member, a huge body, a
 * missing path...) marks it with {@link #INVALID_ON_PURPOSE}: then only the answer is checked (it must still be one the
 * contract declares). Paths outside the API ({@code /q/...}, the web page) are not the contract's.
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
                .filter(m -> !(onPurpose && m.getKey().startsWith("validation.request")))
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
