package io.twofa.database;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A piece of SQL with named parameters ({@code :name}) and their values, written by the repository that owns the
 * tables it touches. {@link Statement} composes pieces of several owners into one statement (one round trip)
 * without any of them knowing the others' SQL or parameter positions.
 */
public record Sql(String text, Map<String, Object> params) {

    public Sql {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** {@code Sql.of("... where id = :id", "id", id)}: names and values alternate. */
    public static Sql of(String text, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            params.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return new Sql(text, params);
    }

    /**
     * Pieces of several owners in one query: {@code template} places piece {@code i} at {@code {i}}. Parameters merge;
     * a name used by two pieces must carry the same value.
     */
    public static Sql compose(String template, Sql... pieces) {
        String text = template;
        Map<String, Object> params = new LinkedHashMap<>();
        for (int i = 0; i < pieces.length; i++) {
            text = text.replace("{" + i + "}", pieces[i].text());
            for (Map.Entry<String, Object> p : pieces[i].params().entrySet()) {
                Object previous = params.putIfAbsent(p.getKey(), p.getValue());
                if (previous != null && !java.util.Objects.deepEquals(previous, p.getValue())) {
                    throw new IllegalStateException("SQL parameter :" + p.getKey() + " is bound to two different values");
                }
            }
        }
        return new Sql(text, params);
    }
}
