package io.twofa.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Dockerfile read the way the builder reads it, as far as the deploy tests need: comment lines dropped, lines
 * continued with a trailing backslash joined, one {@link Instruction} per keyword, grouped into {@link Stage}s by
 * {@code FROM}. No container runtime is needed (none exists where the tests run).
 */
final class Dockerfile {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A leading option such as {@code --from=builder} or {@code --interval=30s}. */
    private static final Pattern FLAG = Pattern.compile("--([A-Za-z][A-Za-z0-9-]*)(?:=(\\S*))?\\s*");

    /** One instruction: its keyword in upper case, its arguments as written, and the line it starts on. */
    record Instruction(String keyword, String arguments, int line) {

        /** The leading {@code --flag=value} options, then the words of the shell form or the exec form's array. */
        Words words() {
            Map<String, String> flags = new LinkedHashMap<>();
            List<String> rest = new ArrayList<>();
            String remaining = arguments.strip();
            Matcher flag = FLAG.matcher(remaining);
            while (flag.lookingAt()) {
                flags.put(flag.group(1), flag.group(2) == null ? "" : flag.group(2));
                remaining = remaining.substring(flag.end());
                flag = FLAG.matcher(remaining);
            }
            if (remaining.startsWith("[")) {
                rest.addAll(jsonArray(remaining));
            } else if (!remaining.isEmpty()) {
                rest.addAll(List.of(remaining.split("\\s+")));
            }
            return new Words(flags, rest);
        }

        /** True for the exec (JSON array) form, e.g. {@code ENTRYPOINT ["java", "-jar", "x.jar"]}. */
        boolean jsonForm() {
            return arguments.strip().startsWith("[");
        }

        @Override
        public String toString() {
            return "line " + line + ": " + keyword + " " + arguments;
        }
    }

    record Words(Map<String, String> flags, List<String> values) {
    }

    /** A {@code COPY}: its sources, destination and {@code --from} stage (empty for the build context). */
    record Copy(Optional<String> from, List<String> sources, String destination, Instruction instruction) {
    }

    /** One build stage: {@code FROM image [AS name]} and what follows up to the next {@code FROM}. */
    record Stage(String image, Optional<String> name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        List<Copy> copies() {
            return all("COPY").stream().map(i -> {
                Words words = i.words();
                List<String> values = words.values();
                return new Copy(Optional.ofNullable(words.flags().get("from")), values.subList(0, values.size() - 1),
                        values.get(values.size() - 1), i);
            }).toList();
        }

        /** The value of an {@code ENV} key set in this stage (the last one set wins). */
        Optional<String> env(String key) {
            String value = null;
            for (Instruction env : all("ENV")) {
                for (Map.Entry<String, String> pair : envPairs(env.arguments()).entrySet()) {
                    if (pair.getKey().equals(key)) {
                        value = pair.getValue();
                    }
                }
            }
            return Optional.ofNullable(value);
        }
    }

    final List<Stage> stages;
    final List<Instruction> instructions;

    private Dockerfile(List<Instruction> instructions) {
        this.instructions = instructions;
        List<Stage> stages = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("FROM")) {
                List<String> words = instruction.words().values();
                Optional<String> name = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")
                        ? Optional.of(words.get(2)) : Optional.empty();
                stages.add(new Stage(words.get(0), name, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                if (!instruction.keyword().equals("ARG")) {
                    throw new IllegalArgumentException("before the first FROM: " + instruction);
                }
            } else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        this.stages = List.copyOf(stages);
    }

    static Dockerfile read(Path file) {
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dockerfile parse(List<String> lines) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = null;
        int start = 0;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            String trimmed = line.strip();
            // comment lines are dropped, also between continued lines
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending == null)) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            String content = continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
            if (pending == null) {
                pending = new StringBuilder(content);
                start = n + 1;
            } else {
                pending.append(' ').append(content);
            }
            if (!continues) {
                instructions.add(instruction(pending.toString().strip(), start));
                pending = null;
            }
        }
        if (pending != null) {
            instructions.add(instruction(pending.toString().strip(), start));
        }
        return new Dockerfile(instructions);
    }

    private static Instruction instruction(String text, int line) {
        int space = text.indexOf(' ');
        String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        return new Instruction(keyword, space < 0 ? "" : text.substring(space + 1).strip(), line);
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    Optional<Stage> stage(String name) {
        return stages.stream().filter(s -> s.name().filter(name::equals).isPresent()).findFirst();
    }

    static List<String> jsonArray(String text) {
        try {
            return JSON.readValue(text, new TypeReference<List<String>>() {
            });
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON array of strings: " + text, e);
        }
    }

    /** {@code ENV KEY=value KEY2="quoted value"} (and the legacy {@code ENV KEY value}). */
    static Map<String, String> envPairs(String arguments) {
        Map<String, String> pairs = new LinkedHashMap<>();
        String args = arguments.strip();
        int firstSpace = args.indexOf(' ');
        int firstEq = args.indexOf('=');
        if (firstEq < 0 || (firstSpace >= 0 && firstSpace < firstEq)) {
            pairs.put(firstSpace < 0 ? args : args.substring(0, firstSpace),
                    firstSpace < 0 ? "" : unquote(args.substring(firstSpace + 1).strip()));
            return pairs;
        }
        int i = 0;
        while (i < args.length()) {
            while (i < args.length() && Character.isWhitespace(args.charAt(i))) {
                i++;
            }
            int eq = args.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = args.substring(i, eq);
            StringBuilder value = new StringBuilder();
            int j = eq + 1;
            char quote = 0;
            for (; j < args.length(); j++) {
                char c = args.charAt(j);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        value.append(c);
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (Character.isWhitespace(c)) {
                    break;
                } else {
                    value.append(c);
                }
            }
            pairs.put(key, value.toString());
            i = j;
        }
        return pairs;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
