package dev.parley.portability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.common.InputChecks;
import dev.parley.common.Limits;
import dev.parley.error.ProblemException;
import dev.parley.security.DatabaseIdentity;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * POST /api/import: reads the file as a stream with Jackson's streaming parser and stores each
 * conversation as soon as it has been read, so the file is never held whole in memory.
 */
@ApplicationScoped
public class Importer {

    public static final List<String> FORMATS = List.of("parley", "chatgpt", "openwebui", "librechat");

    @Inject
    AgroalDataSource dataSource;

    @Inject
    InputChecks checks;

    @Inject
    Limits limits;

    /**
     * LibreChat's recursive export nests every reply one level deeper than its parent, so a long
     * conversation is far deeper than Jackson's default limit of 1000.
     */
    private final ObjectMapper reader = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000).build())
            .build());

    public ImportResult run(String owner, String format, InputStream body) {
        ImportFormat source = switch (format == null ? "" : format) {
            case "parley" -> new ParleyFormat();
            case "chatgpt" -> new ChatGptFormat();
            case "openwebui" -> new OpenWebUiFormat();
            case "librechat" -> new LibreChatFormat();
            default -> throw ProblemException.badRequest("format", "must be one of " + String.join(", ", FORMATS));
        };
        // The connection sees only the owner's rows (row-level security), for the whole file.
        try (Connection connection = DatabaseIdentity.asUser(owner, this::connection);
                ImportSession session = new ImportSession(connection, owner, format, checks, limits)) {
            try (JsonParser parser = reader.createParser(body)) {
                source.read(parser, session);
            } catch (JsonProcessingException e) {
                session.abandon("the file ends or breaks inside this conversation");
                throw unreadable(session, "is not valid JSON at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + " (" + e.getOriginalMessage() + ")");
            } catch (ImportFormat.IllegalImportException e) {
                session.abandon("the file is not usable");
                throw unreadable(session, "is not a " + format + " file: " + e.getMessage());
            } catch (IOException e) {
                session.abandon("the upload broke off");
                // A body sent without Content-Length is counted while it is read; the reader gives up
                // past the route's limit with this message (a declared length is refused earlier).
                if ("Request too large".equals(e.getMessage())) {
                    throw new ProblemException(413, "The file is larger than the import limit; "
                            + session.conversationsImported() + " conversation(s) before that point were imported",
                            null, Map.of("Connection", "close"));
                }
                throw new UncheckedIOException(e);
            }
            return session.result();
        } catch (SQLException e) {
            throw new IllegalStateException("Import failed", e);
        }
    }

    private Connection connection() {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException("No database connection", e);
        }
    }

    /**
     * A 400 for a file that cannot be read on. Conversations read before the break were stored
     * (each one is complete); importing the corrected file again skips them.
     */
    private static ProblemException unreadable(ImportSession session, String what) {
        int stored = session.conversationsImported();
        return new ProblemException(400, "The file " + what + ". "
                + (stored == 0 ? "Nothing was imported."
                        : stored + " conversation(s) before that point were imported; importing the file again skips them."),
                Map.of("file", List.of(what)));
    }
}
