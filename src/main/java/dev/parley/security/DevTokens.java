package dev.parley.security;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.security.PermitAll;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.file.Files;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * Dev mode only (the bean does not exist in a prod build): signs tokens for any user with the
 * dev key pair kept under src/test/resources, so a new user can call the API in one step.
 */
@IfBuildProfile("dev")
@ApplicationScoped
@Path("/dev/token")
@Tag(name = "Dev")
public class DevTokens {

    private static final Logger LOG = Logger.getLogger(DevTokens.class);

    @ConfigProperty(name = "parley.dev.signing-key-location")
    String keyLocation;

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    String issuer;

    void announce(@Observes StartupEvent event) {
        LOG.infof("Dev token for user 'alice' (valid 24 h; GET /dev/token?sub=NAME for others):%n%s",
                token("alice"));
    }

    @GET
    @PermitAll
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "Dev mode only: a bearer token for the given user")
    public String token(@QueryParam("sub") @DefaultValue("alice") String sub) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(sub);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(24 * 60);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKey(privateKey());
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("Cannot sign a dev token", e);
        }
    }

    private PrivateKey privateKey() {
        try {
            String pem = Files.readString(java.nio.file.Path.of(keyLocation))
                    .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
                    .replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the dev signing key at " + keyLocation, e);
        }
    }
}
