package io.twofa.account;

import io.smallrye.mutiny.Uni;
import io.twofa.web.RequestOrigin;

/**
 * What other features do when an account's credentials change, inside the change's transaction. Implemented by
 * features above this one (sessions end), which keeps the dependency one-way.
 */
public interface AccountListener {

    /** Why the account's sessions must end; kept with the session and told to its client. */
    enum Change {
        PASSWORD_CHANGED("password_changed"), SECOND_FACTOR_RESET("second_factor_reset"), ACCOUNT_DISABLED("account_disabled");

        private final String reason;

        Change(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    Uni<Void> credentialsChanged(Account account, Change change, String actor, RequestOrigin origin);
}
