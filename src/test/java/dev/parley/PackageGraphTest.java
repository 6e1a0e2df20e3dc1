package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The feature packages depend on each other one way only: a two-way tie (assistant needing message
 * and message needing assistant) means neither can be understood or changed alone.
 */
public class PackageGraphTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/parley");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.parley\\.([a-z]+)\\.", Pattern.MULTILINE);

    @Test
    void no_two_packages_import_each_other() throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = SOURCES.relativize(file).getName(0).toString();
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(from)) {
                        imports.computeIfAbsent(from, k -> new TreeSet<>()).add(m.group(1));
                    }
                }
            }
        }
        List<String> ties = new ArrayList<>();
        imports.forEach((from, targets) -> targets.forEach(to -> {
            if (from.compareTo(to) < 0 && imports.getOrDefault(to, Set.of()).contains(from)) {
                ties.add(from + " <-> " + to);
            }
        }));
        assertEquals(List.of(), ties);
        // The reply lifecycle lives in assistant/, which builds on message/, never the other way.
        assertEquals(true, imports.get("assistant").contains("message"));
    }
}
