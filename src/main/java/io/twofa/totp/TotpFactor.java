package io.twofa.totp;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.crypto.SecretCipher;
import io.twofa.database.Sql;
import io.twofa.factor.Evaluation;
import io.twofa.factor.FactorStatus;
import io.twofa.factor.FactorType;
import io.twofa.factor.SecondFactor;
import io.vertx.mutiny.sqlclient.Row;

/**
 * TOTP (RFC 6238) as a second factor: the 6-digit code of an authenticator app, accepted for steps T-1..T+1, each
 * step at most once (the replay guard is one conditional UPDATE, SPEC §5).
 */
@ApplicationScoped
public class TotpFactor implements SecondFactor {

    public static final FactorType TYPE = new FactorType("totp");
    /** Accept the codes of steps T-1, T and T+1. */
    static final int WINDOW = 1;

    private final AuthenticatorRepository authenticators;
    private final SecretCipher cipher;

    TotpFactor(AuthenticatorRepository authenticators, SecretCipher cipher) {
        this.authenticators = authenticators;
        this.cipher = cipher;
    }

    @Override
    public FactorType type() {
        return TYPE;
    }

    @Override
    public String inputField() {
        return "code";
    }

    @Override
    public boolean primary() {
        return true;
    }

    @Override
    public Sql load(UUID accountId) {
        return AuthenticatorRepository.loadActive(accountId);
    }

    /** Constant-time match within the window; the replay guard runs when the match is spent. */
    @Override
    public Evaluation evaluate(UUID accountId, Row loaded, String input, Instant now) {
        if (loaded == null || loaded.getUUID("totp_id") == null) {
            return new Evaluation.Rejected();
        }
        SecretCipher.Sealed sealed = new SecretCipher.Sealed(loaded.getString("totp_key_id"),
                loaded.getBuffer("totp_secret").getBytes());
        byte[] secret = cipher.open(sealed, accountId.toString());
        OptionalLong step = Totp.matchingStep(secret, input, now, WINDOW);
        Arrays.fill(secret, (byte) 0);
        return step.isEmpty() ? new Evaluation.Rejected()
                : new Evaluation.Matched(AuthenticatorRepository.acceptStepOnceSql(loaded.getUUID("totp_id"), step.getAsLong()),
                        Map.of(), null, null);
    }

    @Override
    public Uni<FactorStatus> status(UUID accountId) {
        return authenticators.findActive(accountId)
                .map(active -> new FactorStatus(TYPE, true, active != null, active == null ? null : active.activatedAt, null));
    }

    @Override
    public Sql enrolledAccounts() {
        return AuthenticatorRepository.activeAccounts();
    }

    @Override
    public Uni<Void> remove(UUID accountId) {
        return authenticators.deleteAllOf(accountId).replaceWithVoid();
    }
}
