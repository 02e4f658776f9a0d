package io.twofa.database;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * One SQL statement composed of {@link Sql} pieces: named common table expressions (data-modifying ones included,
 * which PostgreSQL runs atomically with the rest) and a final query. Named parameters become the positional
 * {@code $n} of the reactive client; a name used by two pieces must carry the same value in both.
 */
public final class Statement {

    private static final Pattern PARAMETER = Pattern.compile("(?<!:):([a-z][a-z0-9_]*)");
    /**
     * Each piece's text split at its parameters, once: the texts are constants, and matching the pattern on every
     * execution was a tenth of the event loops' CPU on the verify path (JFR, bench/jfr_summary.py).
     */
    private static final ConcurrentHashMap<String, Parsed> PARSED = new ConcurrentHashMap<>();
    /** More distinct texts than this are not kept (no statement text is built from input, but the cache stays bounded). */
    private static final int PARSED_MAX = 1024;

    /** A piece's text as literal runs around its parameter names: {@code literals.length == names.length + 1}. */
    private record Parsed(String[] literals, String[] names) {
    }

    private final List<String> names = new ArrayList<>();
    private final List<Sql> parts = new ArrayList<>();

    private Statement() {
    }

    /** Starts a statement with the common table expression {@code name AS (cte)}. */
    public static Statement with(String name, Sql cte) {
        return new Statement().and(name, cte);
    }

    public Statement and(String name, Sql cte) {
        names.add(Objects.requireNonNull(name));
        parts.add(cte);
        return this;
    }

    /** The whole statement, ready for {@code pool.preparedQuery(sql).execute(args)}. */
    public Rendered select(Sql query) {
        StringBuilder sql = new StringBuilder();
        Map<String, Integer> positions = new LinkedHashMap<>();
        Map<String, Object> values = new HashMap<>();
        Tuple args = Tuple.tuple();
        for (int i = 0; i < parts.size(); i++) {
            sql.append(i == 0 ? "with " : ",\n").append(names.get(i)).append(" as (")
                    .append(bind(parts.get(i), positions, values, args)).append(')');
        }
        sql.append('\n').append(bind(query, positions, values, args));
        return new Rendered(sql.toString(), args, List.copyOf(positions.keySet()));
    }

    /** A single piece on its own (no common table expressions). */
    public static Rendered of(Sql query) {
        return new Statement().select(query);
    }

    /** SQL text with positional parameters, their values in order, and their names in order ($1 is the first). */
    public record Rendered(String sql, Tuple args, List<String> parameterNames) {
    }

    private static Parsed parse(String text) {
        Parsed parsed = PARSED.get(text);
        if (parsed != null) {
            return parsed;
        }
        List<String> literals = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Matcher m = PARAMETER.matcher(text);
        int last = 0;
        while (m.find()) {
            literals.add(text.substring(last, m.start()));
            names.add(m.group(1));
            last = m.end();
        }
        literals.add(text.substring(last));
        parsed = new Parsed(literals.toArray(String[]::new), names.toArray(String[]::new));
        if (PARSED.size() < PARSED_MAX) {
            PARSED.putIfAbsent(text, parsed);
        }
        return parsed;
    }

    private static String bind(Sql piece, Map<String, Integer> positions, Map<String, Object> values, Tuple args) {
        Parsed parsed = parse(piece.text());
        StringBuilder out = new StringBuilder(piece.text().length() + 16);
        for (int i = 0; i < parsed.names().length; i++) {
            out.append(parsed.literals()[i]);
            String name = parsed.names()[i];
            if (!piece.params().containsKey(name)) {
                throw new IllegalStateException("SQL parameter :" + name + " has no value");
            }
            Object value = convert(piece.params().get(name));
            Integer position = positions.get(name);
            if (position == null) {
                args.addValue(value);
                position = args.size();
                positions.put(name, position);
                values.put(name, value);
            } else if (!equal(values.get(name), value)) {
                throw new IllegalStateException("SQL parameter :" + name + " is bound to two different values");
            }
            out.append('$').append(position);
        }
        out.append(parsed.literals()[parsed.names().length]);
        return out.toString();
    }

    private static Object convert(Object value) {
        if (value instanceof Instant instant) {
            return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
        }
        if (value instanceof byte[] bytes) {
            return Buffer.buffer(bytes);
        }
        if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof byte[]) {
            return list.stream().map(b -> Buffer.buffer((byte[]) b)).toArray(Buffer[]::new);
        }
        return value;
    }

    private static boolean equal(Object a, Object b) {
        if (a instanceof Buffer[] x && b instanceof Buffer[] y) {
            return java.util.Arrays.equals(x, y);
        }
        return Objects.equals(a, b);
    }
}
