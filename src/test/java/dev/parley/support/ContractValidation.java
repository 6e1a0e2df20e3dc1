package dev.parley.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.FilterContext;
import io.restassured.filter.OrderedFilter;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks every REST Assured response from the API against Parley's own OpenAPI document, served by
 * the application under test at /q/openapi, so that the document and the service cannot drift.
 *
 * <p>Registered for the whole suite in META-INF/services, twice: a @QuarkusTest runs in Quarkus's
 * class loader with its own RestAssured, reached through Quarkus's before-each callback; other tests
 * (the …IT suites against the packaged jar) share JUnit's class loader, reached through JUnit's
 * extension auto-detection (which quarkus-junit turns on). Before each test it puts itself among
 * that RestAssured's global filters. Only responses are validated: tests
 * send invalid requests on purpose, and what the service answers them must still be documented.
 * Requests that match no documented operation are accepted only when the service itself says so
 * (404 for an unknown path, 405 for an unknown method); anything else there is an undocumented
 * endpoint and fails.
 */
public final class ContractValidation implements OrderedFilter, BeforeEachCallback, QuarkusTestBeforeEachCallback {

    private static final ContractValidation FILTER = new ContractValidation();

    /** Paths the document describes; everything else (/q, /dev) is not part of the contract. */
    private static final List<String> CONTRACT_PATHS = List.of("/api/", "/v1/");

    /** One validator per running application (a @QuarkusTest and a packaged jar listen on different ports). */
    private static final Map<String, OpenApiInteractionValidator> VALIDATORS = new ConcurrentHashMap<>();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public void beforeEach(ExtensionContext context) {
        install();
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        install();
    }

    private static void install() {
        if (!RestAssured.filters().contains(FILTER)) {
            RestAssured.filters(FILTER);
        }
    }

    @Override
    public int getOrder() {
        // Last, so that it sees the request as sent (after any filter a test adds).
        return OrderedFilter.LOWEST_PRECEDENCE;
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
            FilterContext context) {
        Response response = context.next(request, responseSpec);
        URI uri = URI.create(request.getURI());
        String path = uri.getRawPath();
        if (path == null || CONTRACT_PATHS.stream().noneMatch(path::startsWith)) {
            return response;
        }
        Request.Method method = Request.Method.valueOf(request.getMethod().toUpperCase(java.util.Locale.ROOT));
        ValidationReport report = validator(uri).validateResponse(path, method, RestAssuredResponse.of(response));
        check(request.getMethod() + " " + path, response.statusCode(), report);
        return response;
    }

    private static void check(String call, int status, ValidationReport report) {
        List<ValidationReport.Message> errors = report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .toList();
        if (errors.isEmpty()) {
            return;
        }
        boolean unknownPath = errors.stream().anyMatch(m -> m.getKey().equals("validation.request.path.missing"));
        boolean unknownMethod = errors.stream()
                .anyMatch(m -> m.getKey().equals("validation.request.operation.notAllowed"));
        if (unknownPath && status == 404 || unknownMethod && status == 405) {
            return;
        }
        String hint;
        if (unknownPath || unknownMethod) {
            hint = "This endpoint is not in the OpenAPI document. Give its resource method @Operation(operationId, "
                    + "summary), @Tag, @SecurityRequirement and an @APIResponse for each success code.";
        } else if (errors.stream().anyMatch(m -> m.getKey().equals("validation.response.status.unknown"))) {
            hint = "The document lists no response " + status + " for this operation. Declare it with "
                    + "@APIResponse(responseCode = \"" + status + "\", description = ...) on the resource method "
                    + "(an error code gets the problem+json schema from dev.parley.error.ProblemResponses), "
                    + "or add it there if every operation of that kind can answer it.";
        } else {
            hint = "The response differs from its schema in the document. Fix the document (the @Schema of the "
                    + "body's record) or the code; do not loosen this validation.";
        }
        throw new AssertionError("Response does not match Parley's OpenAPI document (/q/openapi): " + call + " -> "
                + status + "\n" + errors.stream().map(m -> "  - [" + m.getKey() + "] " + m.getMessage())
                        .collect(Collectors.joining("\n"))
                + "\n" + hint);
    }

    private static OpenApiInteractionValidator validator(URI call) {
        String origin = call.getScheme() + "://" + call.getRawAuthority();
        return VALIDATORS.computeIfAbsent(origin, ContractValidation::load);
    }

    private static OpenApiInteractionValidator load(String origin) {
        HttpRequest get = HttpRequest.newBuilder(URI.create(origin + "/q/openapi?format=json"))
                .timeout(Duration.ofSeconds(60)).build();
        try {
            HttpResponse<String> document = HTTP.send(get, HttpResponse.BodyHandlers.ofString());
            if (document.statusCode() != 200) {
                throw new IllegalStateException("GET " + get.uri() + " answered " + document.statusCode());
            }
            // allOf is merged into one schema before validating: otherwise each part rejects the
            // properties of the others (the validator treats undeclared properties as errors).
            return OpenApiInteractionValidator.createForInlineApiSpecification(document.body())
                    .withResolveCombinators(true)
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the OpenAPI document at " + get.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the OpenAPI document", e);
        }
    }
}
