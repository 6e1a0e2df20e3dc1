package dev.parley.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads deploy/k8s the way kubectl would and checks what a safe deployment of several replicas
 * needs: probes on the health endpoints, resources, a non-root read-only container, settings from
 * the ConfigMap and credentials only from the Secret, a Service and an autoscaler that match.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("deploy", "k8s");
    private static final String SECRET = "parley-secrets";
    private static final String OWNER_SECRET = "parley-db-owner";
    private static final int POSTGRES_DEFAULT_MAX_CONNECTIONS = 100;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {
    };
    private static Map<String, JsonNode> applied;
    private static JsonNode deployment;
    private static JsonNode pod;
    private static JsonNode container;

    @BeforeAll
    static void load() throws IOException {
        JsonNode kustomization = single(DIR.resolve("kustomization.yaml"));
        applied = new HashMap<>();
        for (JsonNode resource : kustomization.path("resources")) {
            for (JsonNode document : documents(DIR.resolve(resource.asText()))) {
                applied.put(document.path("kind").asText() + "/" + document.path("metadata").path("name").asText(),
                        document);
            }
        }
        deployment = resource("Deployment/parley");
        pod = deployment.path("spec").path("template").path("spec");
        assertEquals(1, pod.path("containers").size(), "one container per pod");
        container = pod.path("containers").get(0);
    }

    @Test
    void every_manifest_in_the_directory_is_applied_except_the_secret_example() throws IOException {
        Set<String> listed = new HashSet<>();
        single(DIR.resolve("kustomization.yaml")).path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> files = Files.list(DIR)) {
            files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml"))
                    .filter(name -> !name.equals("secret.example.yaml"))
                    .forEach(name -> assertTrue(listed.contains(name), name + " is not in kustomization.yaml"));
        }
        assertFalse(listed.contains("secret.example.yaml"), "credentials must not be applied from git");
        assertTrue(applied.keySet().stream().noneMatch(key -> key.startsWith("Secret/")), "no Secret in git");
    }

    @Test
    void probes_use_the_quarkus_health_endpoints_on_the_http_port() {
        assertProbe("startupProbe", "/q/health/started");
        assertProbe("livenessProbe", "/q/health/live");
        assertProbe("readinessProbe", "/q/health/ready");
        int port = container.path("ports").get(0).path("containerPort").asInt();
        assertEquals(8080, port);
        assertEquals("http", container.path("ports").get(0).path("name").asText());
        // Start-up gets longer than liveness would allow, so a slow first start is not a restart loop.
        JsonNode startup = container.path("startupProbe");
        assertTrue(startup.path("periodSeconds").asInt() * startup.path("failureThreshold").asInt() >= 60);
    }

    @Test
    void requests_and_limits_are_set_for_cpu_and_memory() {
        JsonNode resources = container.path("resources");
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertFalse(resources.path(kind).path(resource).asText().isBlank(), kind + "." + resource);
            }
        }
        assertTrue(mebibytes(resources.path("requests").path("memory").asText())
                <= mebibytes(resources.path("limits").path("memory").asText()));
    }

    @Test
    void the_memory_limit_holds_what_the_jvm_options_allow() throws IOException {
        // The image runs java @jvm.options -XX:AOTCache=app.aot (README "JVM options"), which caps the
        // heap, metaspace and code cache; the AOT cache's class space (~120 MiB) comes on top of those
        // caps. The limit must hold all of it plus room for thread stacks, GC and buffers.
        Map<String, Long> caps = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("src", "main", "jvm", "jvm.options"))) {
            String option = line.replaceAll("#.*", "").trim();
            for (String cap : List.of("-Xmx", "-XX:MaxMetaspaceSize=", "-XX:ReservedCodeCacheSize=")) {
                if (option.startsWith(cap)) {
                    caps.put(cap, jvmMebibytes(option.substring(cap.length())));
                }
            }
        }
        assertEquals(3, caps.size(), "jvm.options caps heap, metaspace and code cache: " + caps);
        long capped = caps.values().stream().mapToLong(Long::longValue).sum();
        JsonNode resources = container.path("resources");
        long limit = mebibytes(resources.path("limits").path("memory").asText());
        long aotClassSpace = 128;
        assertTrue(limit >= capped + aotClassSpace + 32, "memory limit " + limit + " Mi < " + capped
                + " Mi capped by jvm.options + " + aotClassSpace + " Mi AOT class space + 32 Mi");
        // The request covers the footprint measured under sustained load: RSS 396 MiB after bench/run's
        // 12 minutes (bench/results/20261122T045113Z.md); about 230 MiB after only 10 s (bench/startup).
        assertTrue(mebibytes(resources.path("requests").path("memory").asText()) >= 396, "memory request below 396 Mi");
    }

    @Test
    void the_container_runs_as_non_root_on_a_read_only_root_filesystem() {
        JsonNode podSecurity = pod.path("securityContext");
        JsonNode security = container.path("securityContext");
        assertTrue(podSecurity.path("runAsNonRoot").asBoolean());
        assertTrue(podSecurity.path("runAsUser").asInt() > 0);
        assertTrue(security.path("runAsNonRoot").asBoolean());
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true));
        assertTrue(texts(security.path("capabilities").path("drop")).contains("ALL"));
        // With a read-only root, /tmp must be a writable volume (JVM and Vert.x file cache).
        String tmpVolume = mountAt("/tmp").path("name").asText();
        assertTrue(volume(tmpVolume).has("emptyDir"), "/tmp is an emptyDir");
    }

    @Test
    void settings_come_from_the_config_map_and_credentials_only_from_the_secret() {
        JsonNode configMap = resource("ConfigMap/parley-config");
        assertEquals("parley-config", container.path("envFrom").get(0).path("configMapRef").path("name").asText());
        configMap.path("data").fieldNames().forEachRemaining(key -> {
            assertTrue(key.matches("[A-Z][A-Z0-9_]*"), key + " is an environment variable name");
            assertFalse(key.matches(".*(PASSWORD|SECRET|CURSOR_KEY|PRIVATE).*"), key + " belongs in the Secret");
        });
        assertTrue(configMap.path("data").has("QUARKUS_DATASOURCE_JDBC_URL"));

        assertEquals("db-username", secretKeyOf("QUARKUS_DATASOURCE_USERNAME"));
        assertEquals("db-password", secretKeyOf("QUARKUS_DATASOURCE_PASSWORD"));
        assertEquals("cursor-key", secretKeyOf("PARLEY_PAGINATION_CURSOR_KEY"));
        // Flyway migrates as the schema owner, whose credentials are a Secret apart from the runtime role's.
        assertEquals("username", secretKeyOf("QUARKUS_FLYWAY_USERNAME", OWNER_SECRET));
        assertEquals("password", secretKeyOf("QUARKUS_FLYWAY_PASSWORD", OWNER_SECRET));
        for (JsonNode variable : container.path("env")) {
            assertFalse(variable.has("value") && variable.path("name").asText().matches(".*(PASSWORD|KEY).*"),
                    variable.path("name").asText() + " must not be a literal");
        }

        // The JWT public key is a file from the Secret, at the location the ConfigMap names.
        String keyLocation = configMap.path("data").path("MP_JWT_VERIFY_PUBLICKEY_LOCATION").asText();
        JsonNode keyMount = mountAt(keyLocation.substring(0, keyLocation.lastIndexOf('/')));
        assertTrue(keyMount.path("readOnly").asBoolean());
        JsonNode keyVolume = volume(keyMount.path("name").asText()).path("secret");
        assertEquals(SECRET, keyVolume.path("secretName").asText());
        assertTrue(texts(keyVolume.path("items"), "path").contains(keyLocation.substring(keyLocation.lastIndexOf('/') + 1)));
    }

    @Test
    void the_grace_period_outlasts_the_graceful_shutdown() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(reader);
        }
        JsonNode data = resource("ConfigMap/parley-config").path("data");
        Duration delay = duration(data.path("QUARKUS_SHUTDOWN_DELAY").asText(properties.getProperty("quarkus.shutdown.delay")));
        Duration timeout = duration(data.path("QUARKUS_SHUTDOWN_TIMEOUT").asText(properties.getProperty("quarkus.shutdown.timeout")));
        assertEquals("true", properties.getProperty("quarkus.shutdown.delay-enabled"));
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        assertTrue(grace > delay.plus(timeout).toSeconds(),
                "terminationGracePeriodSeconds " + grace + " <= shutdown delay + timeout " + delay.plus(timeout));
    }

    @Test
    void the_service_and_the_autoscaler_target_the_deployment() {
        Map<String, String> podLabels = YAML.convertValue(deployment.path("spec").path("template").path("metadata")
                .path("labels"), LABELS);
        JsonNode service = resource("Service/parley");
        Map<String, String> selector = YAML.convertValue(service.path("spec").path("selector"), LABELS);
        assertFalse(selector.isEmpty());
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "the Service selects the pods");
        assertEquals("http", service.path("spec").path("ports").get(0).path("targetPort").asText());

        JsonNode hpa = resource("HorizontalPodAutoscaler/parley");
        assertEquals("autoscaling/v2", hpa.path("apiVersion").asText());
        assertEquals("Deployment", hpa.path("spec").path("scaleTargetRef").path("kind").asText());
        assertEquals("parley", hpa.path("spec").path("scaleTargetRef").path("name").asText());
        int min = hpa.path("spec").path("minReplicas").asInt();
        int max = hpa.path("spec").path("maxReplicas").asInt();
        assertTrue(min >= 2, "at least two replicas");
        assertTrue(max >= min);
        assertEquals("cpu", hpa.path("spec").path("metrics").get(0).path("resource").path("name").asText());
        // Scaling out must not exhaust the database's connections.
        int poolSize = resource("ConfigMap/parley-config").path("data").path("QUARKUS_DATASOURCE_JDBC_MAX_SIZE").asInt();
        assertTrue(poolSize > 0 && max * poolSize < POSTGRES_DEFAULT_MAX_CONNECTIONS,
                max + " pods x " + poolSize + " connections must fit max_connections");

        JsonNode budget = resource("PodDisruptionBudget/parley");
        Map<String, String> budgetSelector = YAML.convertValue(budget.path("spec").path("selector").path("matchLabels"), LABELS);
        assertTrue(podLabels.entrySet().containsAll(budgetSelector.entrySet()));
    }

    private static void assertProbe(String probe, String path) {
        JsonNode get = container.path(probe).path("httpGet");
        assertEquals(path, get.path("path").asText(), probe);
        assertEquals("http", get.path("port").asText(), probe);
        assertTrue(container.path(probe).path("periodSeconds").asInt() > 0, probe);
    }

    private static String secretKeyOf(String variable) {
        return secretKeyOf(variable, SECRET);
    }

    private static String secretKeyOf(String variable, String secret) {
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals(variable)) {
                JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                assertEquals(secret, ref.path("name").asText(), variable);
                return ref.path("key").asText();
            }
        }
        throw new AssertionError(variable + " is not set from the Secret");
    }

    private static JsonNode mountAt(String path) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(path)) {
                return mount;
            }
        }
        throw new AssertionError("nothing is mounted at " + path);
    }

    private static JsonNode volume(String name) {
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals(name)) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static JsonNode resource(String kindAndName) {
        JsonNode found = applied.get(kindAndName);
        assertNotNull(found, kindAndName + " is not applied by kustomization.yaml; have " + applied.keySet());
        return found;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.path(field).asText()));
        return texts;
    }

    private static long mebibytes(String quantity) {
        if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
        }
        assertTrue(quantity.endsWith("Mi"), quantity);
        return Long.parseLong(quantity.substring(0, quantity.length() - 2));
    }

    private static long jvmMebibytes(String size) {
        long number = Long.parseLong(size.substring(0, size.length() - 1));
        return switch (Character.toLowerCase(size.charAt(size.length() - 1))) {
            case 'g' -> number * 1024;
            case 'm' -> number;
            case 'k' -> Math.ceilDiv(number, 1024);
            default -> throw new AssertionError("size with a unit (k, m, g) expected: " + size);
        };
    }

    private static Duration duration(String quarkus) {
        return Duration.parse("PT" + quarkus);
    }

    private static JsonNode single(Path file) throws IOException {
        List<JsonNode> all = documents(file);
        assertEquals(1, all.size(), file.toString());
        return all.get(0);
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            List<JsonNode> all = new ArrayList<>();
            documents.forEachRemaining(document -> {
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    all.add(document);
                }
            });
            return all;
        }
    }
}
