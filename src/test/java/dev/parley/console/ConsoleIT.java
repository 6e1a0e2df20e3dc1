package dev.parley.console;

import dev.parley.support.ExternalPostgres;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The console's files and headers from the packaged jar. */
@QuarkusIntegrationTest
@WithTestResource(ExternalPostgres.class)
public class ConsoleIT extends ConsoleTest {
}
