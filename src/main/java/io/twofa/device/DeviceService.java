package io.twofa.device;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.AccountService;
import io.twofa.account.Role;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.config.TwofaConfig;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.error.Require;
import io.twofa.policy.SitePolicy;
import io.twofa.policy.SitePolicyService;
import io.twofa.session.LoginTokens;
import io.twofa.token.IssuedTokens;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;
import io.twofa.web.RequestOrigin;

/**
 * Device authorization (RFC 8628) for tools that sign in through a browser: a tool starts it ({@link #authorize}), a
 * person signed in on the web page looks it up by its user code and approves or denies it ({@link #pending},
 * {@link #approve}, {@link #deny}), and the tool polls until it gets the tokens, once ({@link #poll}).
 * <p>
 * The tool's tokens state what the approving sign-in proved ({@code amr}, {@code factor}, {@code auth_time}) with the
 * authorization's client kind; they are issued at redemption, in the transaction that marks the authorization
 * redeemed (a conditional UPDATE), so of any number of concurrent polls exactly one gets them.
 */
@ApplicationScoped
@Startup // a wrong twofa.device.* setting stops the service at once
public class DeviceService {

    /** The client kinds that may use the device flow (programs outside the browser). */
    public static final Set<String> KINDS = Set.of("desktop", "toolkit", "rv", "review-ios", "cli");
    static final int DEVICE_NAME_MAX = 64;
    /** RFC 8628 §3.5: each slow_down adds this to the interval. */
    static final int SLOW_DOWN_SECONDS = 5;
    private static final int USER_CODE_TRIES = 3;

    private final DeviceAuthorizationRepository authorizations;
    private final DeviceCodes codes;
    private final DeviceBudgets budgets;
    private final AccountService accounts;
    private final SitePolicyService policies;
    private final LoginTokens loginTokens;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration lifetime;
    private final int interval;

    DeviceService(DeviceAuthorizationRepository authorizations, DeviceCodes codes, DeviceBudgets budgets,
            AccountService accounts, SitePolicyService policies, LoginTokens loginTokens, AuditLog audit, Clock clock,
            TwofaConfig config) {
        this.authorizations = authorizations;
        this.codes = codes;
        this.budgets = budgets;
        this.accounts = accounts;
        this.policies = policies;
        this.loginTokens = loginTokens;
        this.audit = audit;
        this.clock = clock;
        this.lifetime = config.device().lifetime();
        this.interval = (int) config.device().interval().toSeconds();
        if (lifetime.toSeconds() < 60 || interval < 1 || interval * 2L > lifetime.toSeconds()) {
            throw new IllegalStateException("twofa.device.lifetime must be at least 60 s and twofa.device.interval "
                    + "at least 1 s and at most half the lifetime");
        }
    }

    // ------------------------------------------------------------------------------------------------ the tool

    /** Starts a device authorization (RFC 8628 §3.1, §3.2). No authentication; budgeted per client address. */
    public Uni<DeviceGrant> authorize(String client, String deviceName, RequestOrigin from) {
        String kind = Require.oneOf("client", client, KINDS);
        String name = deviceName(deviceName);
        RequestOrigin origin = from.withClient(kind);
        return budgets.authorization(origin.sourceIp()).flatMap(wait -> wait.isPresent()
                ? Uni.createFrom().failure(ProblemException.throttled(wait.getAsLong()))
                : create(kind, name, origin, 1));
    }

    private Uni<DeviceGrant> create(String kind, String name, RequestOrigin origin, int attempt) {
        Instant now = clock.instant();
        String deviceCode = DeviceCodes.newDeviceCode();
        String userCode = DeviceCodes.newUserCode();
        var authorization = new DeviceAuthorizationRepository.NewAuthorization(UUID.randomUUID(),
                DeviceCodes.deviceCodeHash(deviceCode).orElseThrow(), codes.userCodeHash(userCode), kind, name, now,
                origin.sourceIp(), now.plus(lifetime), interval);
        AuditLog.Entry requested = new AuditLog.Entry(AuditType.DEVICE_AUTHORIZATION_REQUESTED, null, null, null, origin,
                describe(name, null));
        return authorizations.insert(authorization, audit.insert("requested", requested, DeviceAuthorizationRepository.CREATED, true))
                .invoke(() -> audit.counted(requested))
                .map(ignored -> new DeviceGrant(deviceCode, DeviceCodes.display(userCode), lifetime.toSeconds(), interval))
                // 20^8 codes: a live one is drawn again about never, but then another is drawn
                .onFailure(e -> DeviceAuthorizationRepository.isUserCodeTaken(e) && attempt < USER_CODE_TRIES)
                .recoverWithUni(() -> create(kind, name, origin, attempt + 1));
    }

    /**
     * A poll of the token endpoint (RFC 8628 §3.4, §3.5): the tokens once approved, else a problem whose {@code error}
     * is the RFC's (authorization_pending, slow_down, access_denied, expired_token, invalid_grant).
     */
    public Uni<IssuedTokens> poll(String deviceCode, RequestOrigin from) {
        String value = Require.text("device_code", deviceCode, 1, 256);
        Optional<byte[]> hash = DeviceCodes.deviceCodeHash(value);
        if (hash.isEmpty()) {
            return Uni.createFrom().failure(invalidGrant());
        }
        Instant now = clock.instant();
        return authorizations.poll(hash.get(), now).flatMap(polled -> {
            if (polled == null) {
                return Uni.createFrom().failure(invalidGrant());
            }
            if (!polled.expiresAt().isAfter(now)) {
                return Uni.createFrom().failure(DeviceAuthorizationRepository.REDEEMED.equals(polled.status()) ? invalidGrant()
                        : rfc(ProblemType.EXPIRED_TOKEN, "expired_token",
                                "The sign-in request has expired before it was approved; start again.", Map.of()));
            }
            if (DeviceAuthorizationRepository.DENIED.equals(polled.status())) {
                return Uni.createFrom().failure(accessDenied("The sign-in request was denied in the browser."));
            }
            if (DeviceAuthorizationRepository.PENDING.equals(polled.status())) {
                return Uni.createFrom().failure(polled.tooSoon()
                        ? rfc(ProblemType.SLOW_DOWN, "slow_down", "Polling too fast: wait at least "
                                + polled.intervalSeconds() + " seconds between requests.", Map.of("interval", polled.intervalSeconds()))
                        : rfc(ProblemType.AUTHORIZATION_PENDING, "authorization_pending",
                                "The sign-in request has not been approved yet.", Map.of("interval", polled.intervalSeconds())));
            }
            // approved, or already redeemed: the conditional UPDATE of the redemption alone decides who gets the tokens
            return redeem(polled, now, from.withClient(polled.client()));
        });
    }

    /** Issues the tokens of an approved authorization, in the transaction that marks it redeemed. */
    private Uni<IssuedTokens> redeem(DeviceAuthorizationRepository.Polled approved, Instant now, RequestOrigin origin) {
        return Panache.withTransaction(() -> authorizations.redeemInTransaction(approved.id(), now)
                .flatMap(redeemed -> redeemed != 1 ? Uni.createFrom().<Account>failure(invalidGrant())
                        : accounts.findById(approved.accountId()))
                .flatMap(account -> account == null ? Uni.createFrom().<IssuedTokens>failure(invalidGrant())
                        : policies.current().flatMap(policy -> {
                            List<String> amr = List.of(approved.amr().split(" "));
                            if (!amr.contains("mfa") && secondFactorDue(account.isExemptFromTwoFactor(), policy, now)) {
                                // approved with the password alone, and two-factor has become required since
                                return Uni.createFrom().failure(accessDenied("Two-step verification is now required: "
                                        + "start again and approve after signing in with your second factor."));
                            }
                            TokenService.Login login = new TokenService.Login(account.id, account.login,
                                    account.role.wireName(), approved.client(), amr, approved.factor(), approved.authTime());
                            return loginTokens.issue(login, policy.accessTokenLifetimeSeconds)
                                    .call(() -> audit.record(AuditType.DEVICE_AUTHORIZATION_REDEEMED, account.login,
                                            account.login, origin, describe(approved.deviceName(), null)));
                        })));
    }

    // ------------------------------------------------------------------------------------------------ the person

    /** The pending request a user code names, for the approval page. */
    public Uni<PendingDevice> pending(String userCode, TokenPrincipal caller, RequestOrigin origin) {
        return lookup(userCodeOf(userCode), true, caller, origin);
    }

    /**
     * Approves: the tool will get a session of the caller's account. Needs a sign-in with both factors, unless a login
     * of this account needs no second factor now (two-factor off, role client, or the grace period of enforce_from).
     */
    public Uni<PendingDevice> approve(String userCode, TokenPrincipal caller, RequestOrigin origin) {
        String code = userCodeOf(userCode);
        Instant now = clock.instant();
        return policies.current().flatMap(policy -> {
            boolean bothFactors = caller.amr() != null && caller.amr().contains("mfa");
            if (!bothFactors && secondFactorDue(Role.CLIENT.wireName().equals(caller.role()), policy, now)) {
                return Uni.createFrom().failure(new ProblemException(ProblemType.SECOND_FACTOR_REQUIRED,
                        "Approving a device needs a sign-in with two-step verification: sign in again with your code."));
            }
            return decide(code, DeviceAuthorizationRepository.APPROVED, caller, origin);
        });
    }

    /** Denies: the tool's next poll gets access_denied. Any signed-in person may refuse a request they were shown. */
    public Uni<PendingDevice> deny(String userCode, TokenPrincipal caller, RequestOrigin origin) {
        return decide(userCodeOf(userCode), DeviceAuthorizationRepository.DENIED, caller, origin);
    }

    private Uni<PendingDevice> decide(String code, String status, TokenPrincipal caller, RequestOrigin origin) {
        boolean approve = DeviceAuthorizationRepository.APPROVED.equals(status);
        // the conditional UPDATE alone decides whether the request is still waiting (one decision per code)
        return lookup(code, false, caller, origin).flatMap(pending -> {
            var decider = new DeviceAuthorizationRepository.Decider(caller.accountId(), origin.sourceIp(),
                    approve ? String.join(" ", caller.amr()) : null, approve ? caller.factor() : null,
                    approve ? caller.authTime() : null);
            // recorded under the client kind that asked, from the address of the person who decided
            AuditLog.Entry decided = new AuditLog.Entry(approve ? AuditType.DEVICE_AUTHORIZATION_APPROVED
                    : AuditType.DEVICE_AUTHORIZATION_DENIED, null, caller.login(), caller.login(),
                    origin.withClient(pending.client()), describe(pending.deviceName(), pending.requestedFrom()));
            AuditLog.Entry notWaiting = new AuditLog.Entry(AuditType.DEVICE_USER_CODE_FAILED, null, caller.login(),
                    caller.login(), origin, "not waiting for a decision");
            return authorizations.decide(pending.id(), status, decider, clock.instant(),
                    audit.insert("decided", decided, DeviceAuthorizationRepository.DECIDED, true),
                    audit.insert("not_decided", notWaiting, DeviceAuthorizationRepository.DECIDED, false))
                    .flatMap(done -> {
                        if (!done) {
                            // decided already (by this code's one decision), or expired since the lookup
                            audit.counted(notWaiting);
                            return Uni.createFrom().failure(unknownUserCode());
                        }
                        audit.counted(decided);
                        return Uni.createFrom().item(pending);
                    });
        });
    }

    /** Spends one lookup of the budgets, then finds the unexpired (and if asked, pending) request; 404 when none. */
    private Uni<PendingDevice> lookup(String code, boolean pendingOnly, TokenPrincipal caller, RequestOrigin origin) {
        return budgets.lookup(origin.sourceIp()).flatMap((OptionalLong wait) -> {
            if (wait.isPresent()) {
                return recordThen(AuditType.DEVICE_USER_CODE_THROTTLED, caller, origin,
                        ProblemException.throttled(wait.getAsLong()));
            }
            return authorizations.find(codes.userCodeHashes(code), pendingOnly, clock.instant(), DeviceCodes.display(code))
                    .flatMap(pending -> pending != null ? Uni.createFrom().item(pending)
                            : recordThen(AuditType.DEVICE_USER_CODE_FAILED, caller, origin, unknownUserCode()));
        });
    }

    private Uni<PendingDevice> recordThen(AuditType type, TokenPrincipal caller, RequestOrigin origin, ProblemException problem) {
        return Panache.withTransaction(() -> audit.record(type, caller.login(), caller.login(), origin, null))
                .chain(() -> Uni.createFrom().failure(problem));
    }

    // ------------------------------------------------------------------------------------------------ rules and answers

    /** Whether a login of such an account needs a second factor under the policy now (as SessionService decides it). */
    private static boolean secondFactorDue(boolean exempt, SitePolicy policy, Instant now) {
        boolean inGrace = policy.enforceFrom != null && policy.enforceFrom.isAfter(now);
        return policy.twoFactorRequired && !exempt && !inGrace;
    }

    /** A user code as typed: 400 when it cannot be one (nothing is looked up or counted). */
    private static String userCodeOf(String typed) {
        return DeviceCodes.normalise(typed).orElseThrow(() -> ProblemException.invalidInput("user_code",
                "A code has 8 letters, such as BCDF-GHJK (dashes, spaces and letter case do not matter)."));
    }

    /**
     * The optional device name, shown on the approval page and in the audit trail: printable text only, since a name
     * with bidirectional or invisible characters could make the page show something else than what was sent.
     */
    static String deviceName(String name) {
        if (name == null) {
            return null;
        }
        String trimmed = name.strip();
        Require.text("device_name", trimmed, 1, DEVICE_NAME_MAX);
        boolean printable = trimmed.codePoints().allMatch(c -> {
            int type = Character.getType(c);
            return type != Character.FORMAT && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR
                    && type != Character.PRIVATE_USE && type != Character.SURROGATE && type != Character.UNASSIGNED;
        });
        if (!printable) {
            throw ProblemException.invalidInput("device_name", "'device_name' must contain printable characters only.");
        }
        return trimmed;
    }

    private static String describe(String deviceName, String requestedFrom) {
        return (deviceName == null ? "no device name" : "device '" + deviceName + "'")
                + (requestedFrom == null ? "" : ", requested from " + requestedFrom);
    }

    private static ProblemException rfc(ProblemType type, String error, String detail, Map<String, Object> more) {
        Map<String, Object> extensions = new java.util.LinkedHashMap<>();
        extensions.put("error", error);
        extensions.putAll(more);
        return new ProblemException(type, detail, extensions, Map.of());
    }

    private static ProblemException accessDenied(String detail) {
        return rfc(ProblemType.ACCESS_DENIED, "access_denied", detail, Map.of());
    }

    private static ProblemException invalidGrant() {
        return rfc(ProblemType.INVALID_GRANT, "invalid_grant",
                "The device code is unknown or was already used; start the sign-in again.", Map.of());
    }

    static ProblemException unknownUserCode() {
        return new ProblemException(ProblemType.UNKNOWN_USER_CODE, "No sign-in request is waiting for this code. Check "
                + "the code your tool shows: a code works once and only for a few minutes.");
    }
}
