package io.twofa.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.twofa.token.KeySchedule.Choice;
import io.twofa.token.KeySchedule.Decision;
import io.twofa.token.KeySchedule.KeyFacts;
import io.twofa.token.KeySchedule.Rules;

/**
 * The rotation rules as pure functions of (facts, keys held, pin, now): the production defaults (10 min activation
 * delay, one hour plus 30 s skew of retention, 90 s removal grace), and a clock that is just an instant.
 */
class KeyScheduleTest {

    static final Duration DELAY = Duration.ofMinutes(10);
    static final Duration RETENTION = Duration.ofSeconds(3600 + 30);
    static final Duration GRACE = Duration.ofSeconds(90);
    static final Rules RULES = new Rules(DELAY, RETENTION, GRACE);
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** The rotation: a new key file appears a month after the first start. */
    static final Instant T1 = T0.plus(Duration.ofDays(30));

    /** A key seen first at {@code published} and still seen by some instance at {@code now}. */
    static KeyFacts seen(String kid, Instant published, Instant lastSeen) {
        return new KeyFacts(kid, published, lastSeen, null);
    }

    static Decision at(Instant now, Set<String> held, KeyFacts... facts) {
        return KeySchedule.decide(List.of(facts), held, Optional.empty(), RULES, now);
    }

    @Test
    void theFirstKeySignsAtOnceAndStaysPublished() {
        Decision d = at(T0, Set.of("k1"), seen("k1", T0, T0));
        assertThat(d.signingKid()).isEqualTo("k1");
        assertThat(d.choice()).isEqualTo(Choice.NEWEST_ACTIVE);
        assertThat(d.publishedUntil()).containsExactly(java.util.Map.entry("k1", Instant.MAX));
    }

    @Test
    void keysOfTheFirstStartAreActiveAtOnceAndTheLastNameSigns() {
        // as before run-time rotation: with several files at the first start, the last kid in name order signs
        Decision d = at(T0.plusSeconds(1), Set.of("2025-old", "2026-new"), seen("2025-old", T0, T0), seen("2026-new", T0, T0));
        assertThat(d.signingKid()).isEqualTo("2026-new");
        // the older one is superseded from the start, and stays published for the longest token lifetime
        assertThat(d.publishedUntil()).containsEntry("2025-old", T0.plus(RETENTION)).containsEntry("2026-new", Instant.MAX);
        assertThat(at(T0.plus(RETENTION), Set.of("2025-old", "2026-new"), seen("2025-old", T0, T0), seen("2026-new", T0, T0))
                .publishedUntil()).containsOnlyKeys("2026-new");
    }

    @Test
    void aNewKeyIsPublishedAtOnceButSignsOnlyAfterTheActivationDelay() {
        KeyFacts k1 = seen("k1", T0, T1);
        KeyFacts k2 = seen("k2", T1, T1);
        Decision justSeen = at(T1, Set.of("k1", "k2"), k1, k2);
        assertThat(justSeen.signingKid()).isEqualTo("k1");
        assertThat(justSeen.publishedUntil()).containsOnlyKeys("k1", "k2");
        assertThat(justSeen.publishedUntil().get("k1")).as("k1 is not retired yet").isEqualTo(Instant.MAX);

        Decision almost = at(T1.plus(DELAY).minusMillis(1), Set.of("k1", "k2"), k1, k2);
        assertThat(almost.signingKid()).isEqualTo("k1");
        assertThat(almost.newestActive()).isEqualTo("k1");

        Decision active = at(T1.plus(DELAY), Set.of("k1", "k2"), k1, k2);
        assertThat(active.signingKid()).isEqualTo("k2");
        assertThat(active.newestActive()).isEqualTo("k2");
        // k1 retired when k2 became active: published for the tokens it signed until then
        assertThat(active.publishedUntil()).containsEntry("k1", T1.plus(DELAY).plus(RETENTION)).containsEntry("k2", Instant.MAX);
    }

    @Test
    void theOrderOfFirstSightingsDecidesNotTheNames() {
        KeyFacts k1 = seen("2026-01-a", T0, T1);
        KeyFacts later = seen("0000-rotated", T1, T1);
        assertThat(at(T1.plus(DELAY), Set.of("2026-01-a", "0000-rotated"), k1, later).signingKid()).isEqualTo("0000-rotated");
    }

    @Test
    void aRetiredKeyLeavesTheJwksOnceItsTokensHaveExpired() {
        KeyFacts k1 = new KeyFacts("k1", T0, T1, T1.plus(DELAY).plusSeconds(90));
        KeyFacts k2 = seen("k2", T1, T1.plus(Duration.ofDays(1)));
        // the lease k1 had when it was last chosen counts, not only the moment k2 became active
        Instant leaves = T1.plus(DELAY).plusSeconds(90).plus(RETENTION);
        assertThat(at(leaves.minusMillis(1), Set.of("k2"), k1, k2).publishedUntil()).containsOnlyKeys("k1", "k2");
        Decision after = at(leaves, Set.of("k2"), k1, k2);
        assertThat(after.publishedUntil()).containsOnlyKeys("k2");
        assertThat(after.signingKid()).isEqualTo("k2");
    }

    @Test
    void anInstanceWithoutTheNewFileKeepsSigningWithTheOldKeyAndItsLeaseKeepsThatPublished() {
        Instant now = T1.plus(DELAY).plus(Duration.ofHours(2));
        // another instance keeps the lease of k1 ahead of now, as the stale one signs with it
        KeyFacts k1 = new KeyFacts("k1", T0, now, now.plusSeconds(90));
        KeyFacts k2 = seen("k2", T1, now);
        Decision stale = at(now, Set.of("k1"), k1, k2);
        assertThat(stale.signingKid()).isEqualTo("k1");
        assertThat(stale.choice()).isEqualTo(Choice.NEWEST_ACTIVE);
        assertThat(stale.newestActive()).isEqualTo("k2");
        assertThat(stale.publishedUntil()).containsEntry("k1", now.plusSeconds(90).plus(RETENTION));
        // an instance that has both files signs with k2
        assertThat(at(now, Set.of("k1", "k2"), k1, k2).signingKid()).isEqualTo("k2");
    }

    @Test
    void aPinnedKeyKeepsSigningButNotBeforeItsDelay() {
        KeyFacts k1 = seen("k1", T0, T1);
        KeyFacts k2 = seen("k2", T1, T1);
        Set<String> both = Set.of("k1", "k2");
        Decision pinnedOld = KeySchedule.decide(List.of(k1, k2), both, Optional.of("k1"), RULES, T1.plus(DELAY).plusSeconds(5));
        assertThat(pinnedOld.signingKid()).isEqualTo("k1");
        assertThat(pinnedOld.choice()).isEqualTo(Choice.PINNED);
        Decision pinnedNewEarly = KeySchedule.decide(List.of(k1, k2), both, Optional.of("k2"), RULES, T1.plusSeconds(5));
        assertThat(pinnedNewEarly.signingKid()).as("the pin does not skip the activation delay").isEqualTo("k1");
        assertThat(pinnedNewEarly.choice()).isEqualTo(Choice.NEWEST_ACTIVE);
        assertThat(KeySchedule.decide(List.of(k1, k2), both, Optional.of("k2"), RULES, T1.plus(DELAY)).signingKid()).isEqualTo("k2");
        // a pin on a key this instance does not have falls back to the rules
        assertThat(KeySchedule.decide(List.of(k1, k2), Set.of("k2"), Optional.of("k1"), RULES, T1.plus(DELAY)).choice())
                .isEqualTo(Choice.NEWEST_ACTIVE);
    }

    @Test
    void aKeyRemovedBeforeItsDelayNeverSignsNorRetiresTheOldOne() {
        Instant removed = T1.plusSeconds(60);
        KeyFacts k1 = seen("k1", T0, T1.plus(DELAY));
        KeyFacts k2 = seen("k2", T1, removed);
        Decision d = at(T1.plus(DELAY), Set.of("k1"), k1, k2);
        assertThat(d.signingKid()).isEqualTo("k1");
        assertThat(d.newestActive()).isEqualTo("k1");
        assertThat(d.publishedUntil()).containsEntry("k1", Instant.MAX).containsEntry("k2", removed.plus(RETENTION));
    }

    @Test
    void removingTheFileOfTheSigningKeyRetiresIt() {
        Instant now = T1.plus(DELAY).plus(Duration.ofMinutes(5));
        Instant lastSeen = now.minus(GRACE).minusSeconds(1);
        KeyFacts k1 = new KeyFacts("k1", T0, now, T1.plus(DELAY).plusSeconds(30));
        KeyFacts k2 = new KeyFacts("k2", T1, lastSeen, lastSeen.plusSeconds(90));
        Decision d = at(now, Set.of("k1"), k1, k2);
        assertThat(d.publishedUntil()).containsEntry("k2", lastSeen.plusSeconds(90).plus(RETENTION));
        // k1 was superseded by k2, but it is still published and the only key here: it signs again
        assertThat(d.signingKid()).isEqualTo("k1");
        assertThat(d.newestActive()).isEqualTo("k1");
        // within the grace, the file may only be between two sightings
        assertThat(at(lastSeen.plus(GRACE), Set.of("k1"), k1, k2).publishedUntil()).containsEntry("k2", Instant.MAX);
    }

    @Test
    void onlyANewKeyLeftSignsBeforeItsDelayWithAWarning() {
        Instant t2 = T1.plus(Duration.ofDays(30));
        KeyFacts k1 = seen("k1", T0, T1);
        KeyFacts k2 = seen("k2", T1, t2);
        KeyFacts k3 = seen("k3", t2, t2);
        Decision d = at(t2.plusSeconds(10), Set.of("k3"), k1, k2, k3);
        assertThat(d.signingKid()).isEqualTo("k3");
        assertThat(d.choice()).isEqualTo(Choice.NOT_YET_ACTIVE);
        assertThat(d.publishedUntil()).doesNotContainKey("k1");
    }

    @Test
    void aFileWhosePublicationHasLapsedSignsOnlyAsTheLastResort() {
        Instant now = T1.plus(Duration.ofDays(1));
        KeyFacts k1 = seen("k1", T0, now);
        KeyFacts k2 = seen("k2", T1, T1.plus(DELAY));
        Decision d = at(now, Set.of("k1"), k1, k2);
        assertThat(d.publishedUntil()).isEmpty();
        assertThat(d.signingKid()).isEqualTo("k1");
        assertThat(d.choice()).isEqualTo(Choice.UNPUBLISHED);
    }

    @Test
    void nothingToSignWithoutAHeldKey() {
        Decision d = at(T1, Set.of("elsewhere"), seen("k1", T0, T1));
        assertThat(d.signingKid()).isNull();
        assertThat(d.choice()).isEqualTo(Choice.NONE);
        assertThat(d.publishedUntil()).containsOnlyKeys("k1");
        assertThat(KeySchedule.decide(List.of(), Set.of("k1"), Optional.empty(), RULES, T0).choice()).isEqualTo(Choice.NONE);
    }
}
