package io.twofa.policy;

import io.smallrye.mutiny.Uni;
import io.twofa.web.RequestOrigin;

/**
 * What other features do when the site policy changes, inside the policy change's transaction (so both happen or
 * neither). Implemented by features above this one (sessions end when two-factor is switched on), which keeps the
 * dependency one-way.
 */
public interface PolicyListener {

    /** Two-factor login became required for the whole site. */
    Uni<Void> twoFactorSwitchedOn(String actor, RequestOrigin origin);
}
