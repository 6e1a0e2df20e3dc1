package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each table belongs to one package, and only that package's code names it in SQL: a package that
 * needs another's rows asks the owner (its entity's statics), so a table can change behind one API.
 * The check reads the string literals and text blocks of every source file (literals joined by
 * {@code +} read as one), never comments, and finds a table named after FROM, JOIN, UPDATE, INTO or
 * TABLE, in any case. HQL names entities, not tables, and is fine: a name spelled exactly like its
 * entity class ({@code from Message m}) counts as HQL.
 */
public class TableOwnershipTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/parley");

    /** Table, the package that owns it, and its entity's name where HQL may use one. */
    private record Table(String name, String owner, String entity) {
    }

    private static final List<Table> TABLES = List.of(
            new Table("conversation", "conversation", "Conversation"),
            new Table("message", "message", "Message"),
            new Table("reply_chunk", "assistant", null),
            new Table("idempotency_key", "idempotency", null),
            new Table("change_event", "events", null),
            new Table("feed_watch", "events", null),
            new Table("api_key", "apikey", null));

    /** A table named in SQL outside its owning package. */
    record Violation(String file, int line, String table, String owner, String sql) {

        @Override
        public String toString() {
            return file + ":" + line + ": names table " + table + " (owned by dev.parley." + owner + ") in SQL: " + sql;
        }
    }

    @Test
    void only_the_owning_package_names_a_table_in_sql() throws IOException {
        List<Violation> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                Path relative = SOURCES.relativize(file);
                String pkg = relative.getNameCount() > 1 ? relative.getName(0).toString() : "";
                violations.addAll(violations(file.toString(), pkg, Files.readString(file)));
            }
        }
        assertEquals("", violations.stream().map(Violation::toString).collect(Collectors.joining("\n")),
                violations.size() + " statement(s) name another package's table: ask the owning package instead");
    }

    /** The check itself: it finds SQL in every kind of literal, and nothing in comments or HQL. */
    @Test
    void the_check_reads_literals_text_blocks_and_concatenations_but_not_comments_or_hql() {
        String source = String.join("\n",
                "class Sample {",
                "    // SELECT * FROM message (a comment)",
                "    /* UPDATE conversation SET title = 'x' */",
                "    String a = \"SELECT id FROM message WHERE user_id = :owner\";",
                "    String b = \"\"\"",
                "            SELECT c.id",
                "            FROM conversation c JOIN Message m ON true",
                "            \"\"\";",
                "    String c = \"DELETE FROM \"",
                "            + \"reply_chunk WHERE reply_id = :id\";",
                "    String d = \"SELECT m FROM Message m\";",
                "    String e = \"The message \\\"from\\\" message\";",
                "    char f = '\"';",
                "    String g = \"INSERT INTO idempotency_key (key) VALUES (:k)\";",
                "    String h = \"FROM \" + table + \"message_archive\";",
                "}");
        assertEquals(List.of("4 message", "7 conversation", "10 reply_chunk", "14 idempotency_key"),
                violations("Sample.java", "search", source).stream().map(v -> v.line() + " " + v.table()).toList());
        assertEquals(List.of(), violations("S.java", "message", "class S { String a = \"SELECT 1 FROM message\"; }"),
                "the owner names its own table");
    }

    /** Each place in {@code source} where SQL names a table that package {@code pkg} does not own. */
    static List<Violation> violations(String file, String pkg, String source) {
        List<Violation> found = new ArrayList<>();
        for (Literal literal : literals(source)) {
            for (Table table : TABLES) {
                if (table.owner().equals(pkg)) {
                    continue;
                }
                Matcher m = Pattern.compile("(?i)\\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\\s+(?:ONLY\\s+)?(?:public\\.)?\"?("
                        + table.name() + ")(?![A-Za-z0-9_])").matcher(literal.text());
                while (m.find()) {
                    if (!m.group(1).equals(table.entity())) {
                        found.add(new Violation(file, literal.lines().get(m.start(1)), table.name(), table.owner(),
                                m.group().replaceAll("\\s+", " ")));
                    }
                }
            }
        }
        found.sort(Comparator.comparingInt(Violation::line));
        return found;
    }

    /** The text of a string literal or text block (or of literals joined by +), with each character's line. */
    record Literal(String text, List<Integer> lines) {
    }

    /**
     * The string literals and text blocks of a Java source, escapes resolved; comments and char
     * literals are skipped. Literals joined only by {@code +} become one, so a statement split over
     * several lines reads whole.
     */
    static List<Literal> literals(String source) {
        List<Literal> literals = new ArrayList<>();
        StringBuilder text = null;
        List<Integer> lines = null;
        boolean joinable = false;
        boolean plus = false;
        int line = 1;
        int i = 0;
        int n = source.length();
        while (i < n) {
            char ch = source.charAt(i);
            if (ch == '\n') {
                line++;
                i++;
            } else if (source.startsWith("//", i)) {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                line += count(source, i, end);
                i = end;
            } else if (ch == '\'') {
                i++;
                while (i < n && source.charAt(i) != '\'') {
                    i += source.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else if (ch == '"') {
                boolean block = source.startsWith("\"\"\"", i);
                if (!(joinable && plus) || text == null) {
                    if (text != null) {
                        literals.add(new Literal(text.toString(), lines));
                    }
                    text = new StringBuilder();
                    lines = new ArrayList<>();
                } else {
                    text.append(' ');
                    lines.add(line);
                }
                if (block) {
                    i += 3;
                    while (i < n && source.charAt(i) != '\n') {
                        i++;
                    }
                } else {
                    i++;
                }
                while (i < n) {
                    char c = source.charAt(i);
                    if (block ? source.startsWith("\"\"\"", i) : c == '"') {
                        i += block ? 3 : 1;
                        break;
                    }
                    if (c == '\\' && i + 1 < n) {
                        char escaped = source.charAt(i + 1);
                        if (escaped == '\n') {
                            line++;
                        } else {
                            text.append(switch (escaped) {
                                case 'n', 't', 'r', 's', 'f', 'b' -> ' ';
                                default -> escaped;
                            });
                            lines.add(line);
                        }
                        i += 2;
                        continue;
                    }
                    text.append(c);
                    lines.add(line);
                    if (c == '\n') {
                        line++;
                    }
                    i++;
                }
                joinable = true;
                plus = false;
            } else if (Character.isWhitespace(ch)) {
                i++;
            } else if (ch == '+' && joinable) {
                plus = true;
                i++;
            } else {
                joinable = false;
                plus = false;
                i++;
            }
        }
        if (text != null) {
            literals.add(new Literal(text.toString(), lines));
        }
        return literals;
    }

    private static int count(String source, int from, int to) {
        int newlines = 0;
        for (int i = from; i < to; i++) {
            if (source.charAt(i) == '\n') {
                newlines++;
            }
        }
        return newlines;
    }
}
