package io.twofa.account;

import java.security.SecureRandom;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.PasswordHasher;

/**
 * On first start with an empty database, creates the {@code admin} account (SPEC §7). Several instances
 * starting at once are safe: the insert does nothing when any account exists.
 */
@ApplicationScoped
public class BootstrapAdmin {

    private static final Logger LOG = Logger.getLogger(BootstrapAdmin.class);
    public static final String LOGIN = "admin";

    void onStart(@Observes StartupEvent event, TwofaConfig config, PasswordHasher hasher, AccountService accounts,
            AccountRepository repository)
            throws Throwable {
        boolean generated = config.bootstrap().adminPassword().isEmpty();
        String password = config.bootstrap().adminPassword().orElseGet(BootstrapAdmin::randomPassword);
        Account admin = accounts.newAccount(LOGIN, hasher.hash(password), Role.ADMIN);
        Integer inserted = VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> repository.insertIfNoAccount(admin)));
        if (inserted != null && inserted == 1) {
            if (generated) {
                // logged once, at creation: the operator's one chance to read it
                LOG.warnf("Created account 'admin' with the generated password %s (shown only this once; "
                        + "set TWOFA_BOOTSTRAP_ADMIN_PASSWORD to choose it on a fresh database)", password);
            } else {
                LOG.info("Created account 'admin' with the password from TWOFA_BOOTSTRAP_ADMIN_PASSWORD");
            }
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
