import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Signs one RS256 JWT per subject read from standard input (one per line) and prints the tokens
 * in the same order. JDK only, run as a source file: forking openssl three times per token costs
 * about 0.1 s each on a busy 2-core machine, this does a thousand in well under a second.
 *
 * <pre>java bench/SignTokens.java PRIVATE_KEY_PKCS8.pem ISSUER TTL_SECONDS &lt; subjects &gt; tokens</pre>
 */
public class SignTokens {

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SignTokens PRIVATE_KEY_PKCS8.pem ISSUER TTL_SECONDS < subjects");
            System.exit(2);
        }
        String pem = Files.readString(Path.of(args[0]))
                .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        String issuer = args[1];
        long ttl = Long.parseLong(args[2]);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("SHA256withRSA");
        long now = System.currentTimeMillis() / 1000;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8)) {
            String subject;
            while ((subject = in.readLine()) != null) {
                if (subject.isBlank()) {
                    continue;
                }
                String claims = "{\"iss\":\"" + json(issuer) + "\",\"sub\":\"" + json(subject.strip())
                        + "\",\"iat\":" + now + ",\"exp\":" + (now + ttl) + "}";
                String body = header + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
                signer.initSign(key);
                signer.update(body.getBytes(StandardCharsets.US_ASCII));
                out.println(body + "." + b64.encodeToString(signer.sign()));
            }
        }
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
