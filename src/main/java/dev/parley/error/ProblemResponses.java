package dev.parley.error;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;

/**
 * The error responses of the API, declared once for the OpenAPI document instead of on every
 * operation. Every /api operation gets the errors any request can meet (a bad request, a missing
 * token, the rate limit, a database outage, an unexpected failure), plus 404 naming what its path
 * names, 413/415 when it takes a body, 412 when it takes If-Match and 409/422 when it takes an
 * Idempotency-Key. Every error response, these and the ones an operation
 * declares itself with only a code and a description, is problem+json with the Problem schema.
 * An operation's own description of a code wins over the generic one here. Operations under /v1
 * get the same codes in OpenAI's error envelope ({@link OpenAiError}) instead.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ProblemResponses implements OASFilter {

    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";
    private static final String OPENAI_ERROR_SCHEMA = "#/components/schemas/OpenAiError";
    /** The API key's scheme ({@code ApiKeyAuthenticationMechanism.SCHEME}; error sits below apikey). */
    private static final String API_KEY_SCHEME = "apiKey";

    /**
     * What Quarkus writes by itself (400 where a body is validated, 401 and 403 on every secured
     * operation): bare titles, replaced by the descriptions below.
     */
    private static final Map<String, String> FRAMEWORK_DEFAULTS = Map.of(
            "400", "Bad Request",
            "401", "Not Authorized",
            "403", "Not Allowed");

    /** Where an API key is accepted, its scopes may not cover the operation. */
    private static final Map<String, String> WITH_API_KEY = Map.of(
            "403", "Called with an API key whose scopes do not cover this operation");

    private static final Map<String, String> EVERY_OPERATION = Map.of(
            "400", "Invalid request: a malformed id, query parameter or body; errors names each field",
            "401", "Missing or invalid credentials: a bearer JWT or an API key",
            "414", "The request line (path and query string) is over the length limit",
            "429", "Over the caller's rate limit; Retry-After says when to try again",
            "431", "The request headers are over the size limit",
            "500", "Unexpected error; correlation_id names it in the logs",
            "503", "The database is unavailable; retry after Retry-After");

    private static final Map<String, String> WITH_BODY = Map.of(
            "413", "The request body is over the size limit",
            "415", "The body is not application/json");

    private static final Map<String, String> WITH_IF_MATCH = Map.of(
            "412", "If-Match no longer matches the ETag");

    private static final Map<String, String> WITH_IDEMPOTENCY_KEY = Map.of(
            "409", "The first request with this Idempotency-Key is still running",
            "422", "The Idempotency-Key was used with another body");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            boolean openAi = OpenAiError.covers(path.getKey());
            if (!path.getKey().startsWith("/api/") && !openAi) {
                continue;
            }
            for (Operation operation : path.getValue().getOperations().values()) {
                FRAMEWORK_DEFAULTS.forEach((code, description) -> {
                    APIResponse response = operation.getResponses().getAPIResponse(code);
                    if (response != null && description.equals(response.getDescription())) {
                        operation.getResponses().removeAPIResponse(code);
                    }
                });
                addMissing(operation, EVERY_OPERATION);
                distinctSecurity(operation);
                if (operation.getSecurity() != null && operation.getSecurity().stream()
                        .anyMatch(requirement -> requirement.hasScheme(API_KEY_SCHEME))) {
                    addMissing(operation, WITH_API_KEY);
                }
                String named = namedResources(path.getKey());
                if (!named.isEmpty()) {
                    addMissing(operation, Map.of("404", "No such " + named + " for this user"));
                }
                if (operation.getRequestBody() != null) {
                    addMissing(operation, WITH_BODY);
                }
                if (hasHeader(operation, "If-Match")) {
                    addMissing(operation, WITH_IF_MATCH);
                }
                if (hasHeader(operation, "Idempotency-Key")) {
                    addMissing(operation, WITH_IDEMPOTENCY_KEY);
                }
                Map<String, APIResponse> responses = new TreeMap<>(operation.getResponses().getAPIResponses());
                responses.replaceAll((code, response) -> {
                    if (!isError(code) || response.getRef() != null) {
                        return response;
                    }
                    if (openAi) {
                        // Its own object: responses Quarkus adds for security (401, 403) are shared
                        // by every operation, and the /api ones get problem+json.
                        if (response.getContent() == null
                                || response.getContent().hasMediaType(Problem.MEDIA_TYPE)) {
                            return OASFactory.createAPIResponse().description(response.getDescription())
                                    .content(openAiErrorContent());
                        }
                    } else if (response.getContent() == null) {
                        response.setContent(problemContent());
                    }
                    return response;
                });
                // In code order, so the document reads the same however the codes were declared.
                operation.getResponses().setAPIResponses(responses);
            }
        }
    }

    /**
     * Each accepted credential once: Quarkus adds the first security scheme to every @Authenticated
     * operation without seeing that the class's own @SecurityRequirement list already names it.
     */
    private static void distinctSecurity(Operation operation) {
        if (operation.getSecurity() != null) {
            Map<Map<String, List<String>>, SecurityRequirement> distinct = new LinkedHashMap<>();
            operation.getSecurity().forEach(requirement -> distinct.putIfAbsent(requirement.getSchemes(), requirement));
            operation.setSecurity(new ArrayList<>(distinct.values()));
        }
    }

    private static void addMissing(Operation operation, Map<String, String> responses) {
        responses.forEach((code, description) -> {
            if (!operation.getResponses().hasAPIResponse(code)) {
                APIResponse response = OASFactory.createAPIResponse().description(description);
                operation.getResponses().addAPIResponse(code, response);
            }
        });
    }

    /**
     * What the path's parameters name, for its 404: /api/conversations/{id}/messages/{messageId}
     * names "conversation or message"; empty for a path without parameters.
     */
    static String namedResources(String path) {
        List<String> named = new ArrayList<>();
        String[] segments = path.split("/");
        for (int i = 1; i < segments.length; i++) {
            if (segments[i].startsWith("{") && !segments[i - 1].startsWith("{")) {
                String collection = segments[i - 1];
                named.add(collection.endsWith("s") ? collection.substring(0, collection.length() - 1) : collection);
            }
        }
        return String.join(" or ", named);
    }

    private static boolean hasHeader(Operation operation, String name) {
        return operation.getParameters() != null && operation.getParameters().stream().anyMatch(
                parameter -> parameter.getIn() == Parameter.In.HEADER && name.equalsIgnoreCase(parameter.getName()));
    }

    private static boolean isError(String code) {
        return code.startsWith("4") || code.startsWith("5");
    }

    /** Under /v1 the same errors come in OpenAI's envelope (see {@link OpenAiError}). */
    private static Content openAiErrorContent() {
        return OASFactory.createContent().addMediaType("application/json",
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(OPENAI_ERROR_SCHEMA)));
    }

    private static Content problemContent() {
        return OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(PROBLEM_SCHEMA)));
    }
}
