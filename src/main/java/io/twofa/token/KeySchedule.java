package io.twofa.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rotation rules of the signing keys: which key signs and which keys are published, as a pure function of the
 * facts in {@code signing_key} (shared by all instances), the keys this instance holds, and the time. Every instance
 * applies the same rules to the same facts, so all publish the same JWKS and choose the same key (among those whose
 * private part they have).
 * <ul>
 * <li>A key is published (JWKS, and verifies tokens) from its first sighting by any instance.</li>
 * <li>It becomes active {@code activationDelay} later, so that relying parties that cached the JWKS before it existed
 * have fetched it again before any token names it. Keys seen at the very first sighting of any key (a fresh
 * database) are active at once: no relying party can have cached a JWKS without them.</li>
 * <li>The newest active key (by first sighting, then kid) signs.</li>
 * <li>A key retires when a newer key becomes active, or when no instance has had its file for {@code removalGrace}.
 * A retired key stays published until the tokens it may have signed have expired: {@code retention} after the
 * later of its retirement and its signing lease ({@code signed_until}, kept ahead by any instance that still signs
 * with it: a pinned key, or an instance that lacks the newer key's file).</li>
 * </ul>
 */
final class KeySchedule {

    /** What {@code signing_key} says about one key. {@code signedUntil} is null when no instance ever signed with it. */
    record KeyFacts(String kid, Instant publishedAt, Instant lastSeenAt, Instant signedUntil) {
    }

    /**
     * @param activationDelay time between first publication and first signature
     * @param retention how long a retired key stays published: the longest access-token lifetime plus the clock skew
     * @param removalGrace how long a key may go unseen before it counts as removed (a few refresh intervals)
     */
    record Rules(Duration activationDelay, Duration retention, Duration removalGrace) {
    }

    /** How the signing key was chosen: the rules' choice, or a fallback worth a warning. */
    enum Choice {
        /** {@code twofa.token.current-key-id}, active and published. */
        PINNED,
        /** The newest active key this instance holds. */
        NEWEST_ACTIVE,
        /** No key this instance holds is active yet: the oldest published one signs before its delay is over. */
        NOT_YET_ACTIVE,
        /** No key this instance holds is published: one signs anyway, and its lease publishes it again. */
        UNPUBLISHED,
        /** This instance holds no key in the facts: nothing to sign with. */
        NONE
    }

    /**
     * One moment's answer.
     *
     * @param signingKid the key this instance signs with (null: none)
     * @param choice how it was chosen
     * @param newestActive the newest active key of all instances (null: none), to warn when this instance lacks it
     * @param publishedUntil every published key and the end of its publication ({@link Instant#MAX}: not retired)
     */
    record Decision(String signingKid, Choice choice, String newestActive, Map<String, Instant> publishedUntil) {
    }

    private static final Comparator<KeyFacts> AGE = Comparator.comparing(KeyFacts::publishedAt).thenComparing(KeyFacts::kid);

    private KeySchedule() {
    }

    static Decision decide(Collection<KeyFacts> facts, Set<String> held, Optional<String> pinned, Rules rules, Instant now) {
        List<KeyFacts> keys = facts.stream().sorted(AGE).toList();
        Map<String, Instant> published = new TreeMap<>();
        if (keys.isEmpty()) {
            return new Decision(null, Choice.NONE, null, published);
        }
        Instant first = keys.get(0).publishedAt();
        String newestActive = null;
        for (int i = 0; i < keys.size(); i++) {
            KeyFacts k = keys.get(i);
            Instant until = publishedUntil(keys, i, first, held, rules, now);
            if (now.isBefore(until)) {
                published.put(k.kid(), until);
            }
            if (present(k, held, rules, now) && activatedOrHeld(k, first, held, rules, now)) {
                newestActive = k.kid();
            }
        }
        KeyFacts chosen = null;
        Choice choice = Choice.NONE;
        Optional<KeyFacts> pin = pinned.flatMap(p -> keys.stream().filter(k -> k.kid().equals(p)).findFirst());
        if (pin.isPresent() && held.contains(pin.get().kid()) && !activeFrom(pin.get(), first, rules).isAfter(now)
                && published.containsKey(pin.get().kid())) {
            chosen = pin.get();
            choice = Choice.PINNED;
        }
        for (int i = keys.size() - 1; chosen == null && i >= 0; i--) {
            KeyFacts k = keys.get(i);
            if (held.contains(k.kid()) && !activeFrom(k, first, rules).isAfter(now) && published.containsKey(k.kid())) {
                chosen = k;
                choice = Choice.NEWEST_ACTIVE;
            }
        }
        for (int i = 0; chosen == null && i < keys.size(); i++) {
            KeyFacts k = keys.get(i);
            if (held.contains(k.kid()) && published.containsKey(k.kid())) {
                chosen = k;
                choice = Choice.NOT_YET_ACTIVE;
            }
        }
        for (int i = keys.size() - 1; chosen == null && i >= 0; i--) {
            if (held.contains(keys.get(i).kid())) {
                chosen = keys.get(i);
                choice = Choice.UNPUBLISHED;
            }
        }
        return new Decision(chosen == null ? null : chosen.kid(), choice, newestActive, published);
    }

    /** When the key may first sign. */
    static Instant activeFrom(KeyFacts key, Instant firstSighting, Rules rules) {
        return key.publishedAt().equals(firstSighting) ? key.publishedAt() : key.publishedAt().plus(rules.activationDelay());
    }

    /** An instance holds the file now, or one had it within the removal grace. */
    private static boolean present(KeyFacts key, Set<String> held, Rules rules, Instant now) {
        return held.contains(key.kid()) || !key.lastSeenAt().plus(rules.removalGrace()).isBefore(now);
    }

    /** The key became active while its file was still there (a key removed before its delay never activates). */
    private static boolean activated(KeyFacts key, Instant first, Rules rules, Instant now) {
        Instant from = activeFrom(key, first, rules);
        return !from.isAfter(now) && !from.isAfter(key.lastSeenAt());
    }

    /** Activated, or held here and past its activation (this instance's own sighting may not be in the facts yet). */
    private static boolean activatedOrHeld(KeyFacts key, Instant first, Set<String> held, Rules rules, Instant now) {
        return activated(key, first, rules, now) || held.contains(key.kid()) && !activeFrom(key, first, rules).isAfter(now);
    }

    /** When key {@code i} (of {@code keys}, oldest first) leaves the JWKS; {@link Instant#MAX} while it is not retired. */
    private static Instant publishedUntil(List<KeyFacts> keys, int i, Instant first, Set<String> held, Rules rules, Instant now) {
        KeyFacts key = keys.get(i);
        Instant retired = present(key, held, rules, now) ? null : key.lastSeenAt();
        for (int j = i + 1; j < keys.size(); j++) {
            KeyFacts newer = keys.get(j);
            if (activatedOrHeld(newer, first, held, rules, now)) {
                Instant superseded = activeFrom(newer, first, rules);
                retired = retired == null || superseded.isBefore(retired) ? superseded : retired;
                break; // keys are oldest first, so the first newer active key is the earliest to activate
            }
        }
        if (retired == null) {
            return Instant.MAX;
        }
        Instant lastSignature = key.signedUntil() != null && key.signedUntil().isAfter(retired) ? key.signedUntil() : retired;
        return lastSignature.plus(rules.retention());
    }
}
