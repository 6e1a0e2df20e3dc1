package dev.parley.apikey;

import dev.parley.support.ExternalPostgres;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
@WithTestResource(ExternalPostgres.class)
public class ApiKeyIT extends ApiKeyTest {
}
