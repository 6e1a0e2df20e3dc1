package dev.parley.console;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The console's files and headers from the packaged jar. */
@QuarkusIntegrationTest
public class ConsoleIT extends ConsoleTest {
}
