package io.twofa.device;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.throttle.Attempt;
import io.twofa.throttle.Throttle;

/**
 * Budgets of the device flow, counted through {@link Throttle} in fixed windows ({@code twofa.device.budget-window},
 * aligned to the epoch): user-code lookups per client address and over all addresses (guessing), and authorizations
 * started per address (the table stays small).
 * <p>
 * Every attempt counts, successes too, and nothing clears a count before its window ends: a success must not reset
 * the budget, since anyone can start a device authorization and so hold a valid user code of their own to interleave
 * with guesses. Each window is its own counter (the window's number is part of the subject); once a budget is spent,
 * attempts wait for the next window. Counters of past windows are forgotten by {@link DeviceCleanup}.
 */
@ApplicationScoped
class DeviceBudgets {

    // attempt_counter.scope holds at most 16 characters
    static final String LOOKUPS_PER_ADDRESS = "device_lookup_ip";
    static final String LOOKUPS_OVERALL = "device_lookups";
    static final String AUTHORIZATIONS_PER_ADDRESS = "device_requests";
    private static final String EVERYONE = "*";

    private final Throttle throttle;
    private final Clock clock;
    private final Duration window;
    private final Throttle.Policy lookupsPerAddress;
    private final Throttle.Policy lookupsOverall;
    private final Throttle.Policy authorizationsPerAddress;

    DeviceBudgets(Throttle throttle, TwofaConfig config, Clock clock) {
        this.throttle = throttle;
        this.clock = clock;
        TwofaConfig.Device device = config.device();
        this.window = device.budgetWindow();
        if (window.toSeconds() < 1) {
            throw new IllegalStateException("twofa.device.budget-window must be at least one second");
        }
        this.lookupsPerAddress = policy(LOOKUPS_PER_ADDRESS, device.lookupsPerAddress(), "lookups-per-address");
        this.lookupsOverall = policy(LOOKUPS_OVERALL, device.lookupsOverall(), "lookups-overall");
        this.authorizationsPerAddress = policy(AUTHORIZATIONS_PER_ADDRESS, device.authorizationsPerAddress(),
                "authorizations-per-address");
    }

    private Throttle.Policy policy(String scope, int budget, String key) {
        if (budget < 1) {
            throw new IllegalStateException("twofa.device." + key + " must be at least 1");
        }
        // the attempt that spends the budget blocks its counter for a whole window: the window ends first
        return new Throttle.Policy(scope, budget, window, window, 0);
    }

    /** Counts a lookup of a user code from {@code address}; the seconds to wait when a budget is spent, else empty. */
    Uni<OptionalLong> lookup(String address) {
        Instant now = clock.instant();
        return spend(lookupsPerAddress, address, now)
                .flatMap(wait -> wait.isPresent() ? Uni.createFrom().item(wait) : spend(lookupsOverall, EVERYONE, now));
    }

    /** Counts a device authorization started from {@code address}; the seconds to wait when the budget is spent. */
    Uni<OptionalLong> authorization(String address) {
        return spend(authorizationsPerAddress, address, clock.instant());
    }

    /** Forgets the counters of windows that are over. */
    Uni<Integer> forgetPastWindows() {
        Instant start = windowStart(clock.instant());
        return io.smallrye.mutiny.Multi.createFrom().iterable(List.of(lookupsPerAddress, lookupsOverall, authorizationsPerAddress))
                .onItem().transformToUniAndConcatenate(policy -> throttle.forgetIdle(policy, start))
                .collect().asList().map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

    private Uni<OptionalLong> spend(Throttle.Policy policy, String subject, Instant now) {
        long index = Math.floorDiv(now.getEpochSecond(), window.toSeconds());
        String key = (subject == null ? "unknown" : subject) + "/" + index;
        return throttle.reserve(policy, key).map(attempt -> {
            if (attempt instanceof Attempt.Allowed) {
                return OptionalLong.empty();
            }
            long untilWindowEnds = (index + 1) * window.toSeconds() - now.getEpochSecond();
            long wait = attempt instanceof Attempt.Throttled t ? Math.min(t.retryAfterSeconds(), untilWindowEnds) : untilWindowEnds;
            return OptionalLong.of(Math.max(1, wait));
        });
    }

    private Instant windowStart(Instant now) {
        return Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), window.toSeconds()) * window.toSeconds());
    }
}
