package io.twofa.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@code .dockerignore} file as the Docker builder applies them to the build context:
 * <ul>
 * <li>one pattern a line; blank lines and lines starting with {@code #} are ignored; surrounding blanks, a leading
 * {@code /} or {@code ./} and a trailing {@code /} are dropped (patterns are relative to the context root);</li>
 * <li>{@code *} matches any run of characters but {@code /}, {@code ?} one such character, {@code [...]} a class,
 * {@code **} any number of directories (also none); a backslash escapes the next character;</li>
 * <li>a pattern that matches a directory also matches everything below it;</li>
 * <li>the last pattern that matches a path decides: a plain one excludes it, one starting with {@code !} lets it
 * back in.</li>
 * </ul>
 */
final class DockerIgnore {

    private record Rule(String text, boolean reinclude, Pattern regex) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    static DockerIgnore read(Path file) {
        try {
            return parse(Files.exists(file) ? Files.readAllLines(file) : List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DockerIgnore parse(List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean reinclude = line.startsWith("!");
            String pattern = clean(reinclude ? line.substring(1).strip() : line);
            if (pattern.isEmpty()) {
                continue;
            }
            rules.add(new Rule(line, reinclude, Pattern.compile(regex(pattern))));
        }
        return new DockerIgnore(List.copyOf(rules));
    }

    /** Whether the file or directory at this context-relative path ({@code /}-separated) stays out of the context. */
    boolean excludes(String relativePath) {
        String path = clean(relativePath);
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesOrParentMatches(rule.regex(), path)) {
                excluded = !rule.reinclude();
            }
        }
        return excluded;
    }

    /**
     * Whether some {@code !} pattern could let in a path below this (excluded) directory, so that a walk of the
     * context must still look inside it. Conservative: true whenever the literal start of such a pattern allows it.
     */
    boolean mayReincludeBelow(String directory) {
        String dir = clean(directory) + "/";
        for (Rule rule : rules) {
            if (!rule.reinclude()) {
                continue;
            }
            String pattern = clean(rule.text().substring(1).strip());
            int meta = firstMeta(pattern);
            String literal = meta < 0 ? pattern : pattern.substring(0, meta);
            if (literal.startsWith(dir) || dir.startsWith(literal)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesOrParentMatches(Pattern regex, String path) {
        if (regex.matcher(path).matches()) {
            return true;
        }
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            if (regex.matcher(path.substring(0, slash)).matches()) {
                return true;
            }
        }
        return false;
    }

    private static String clean(String pattern) {
        String p = pattern;
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/") && !p.endsWith("\\/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.replaceAll("/{2,}", "/").replace("/./", "/");
    }

    private static int firstMeta(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if ("*?[\\".indexOf(pattern.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** The pattern as an anchored regular expression over {@code /}-separated paths. */
    private static String regex(String pattern) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                boolean slashAfter = i + 2 < pattern.length() && pattern.charAt(i + 2) == '/';
                if (slashAfter) {
                    // "**/": no directory or any number of them
                    re.append("(?:.*/)?");
                    i += 3;
                } else {
                    re.append(".*");
                    i += 2;
                }
            } else if (c == '*') {
                re.append("[^/]*");
                i++;
            } else if (c == '?') {
                re.append("[^/]");
                i++;
            } else if (c == '[') {
                int end = pattern.indexOf(']', i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed [ in " + pattern);
                }
                String body = pattern.substring(i + 1, end);
                if (body.startsWith("!") || body.startsWith("^")) {
                    body = "^" + body.substring(1);
                }
                re.append('[').append(body.replace("\\", "\\\\")).append(']');
                i = end + 1;
            } else if (c == '\\' && i + 1 < pattern.length()) {
                re.append(Pattern.quote(String.valueOf(pattern.charAt(i + 1))));
                i += 2;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return re.toString();
    }
}
