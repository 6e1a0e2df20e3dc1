package dev.parley.ops;

import dev.parley.support.ExternalPostgres;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same probes and metrics against the packaged application (jar, or the native binary). */
@QuarkusIntegrationTest
@WithTestResource(ExternalPostgres.class)
public class OperationsIT extends OperationsTest {
}
