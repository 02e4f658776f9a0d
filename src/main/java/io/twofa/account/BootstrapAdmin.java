package io.twofa.account;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.KeyDirectory;
import io.twofa.crypto.PasswordHasher;

/**
 * On first start with an empty database, creates the {@code admin} account (SPEC §7). Several instances
 * starting at once are safe: the insert does nothing when any account exists. A generated password goes to an
 * owner-only file in the data directory, never to the log (issue 21).
 */
@ApplicationScoped
public class BootstrapAdmin {

    private static final Logger LOG = Logger.getLogger(BootstrapAdmin.class);
    public static final String LOGIN = "admin";

    /** Where a generated password goes, in the data directory (owner-only); never to the log. */
    public static final String PASSWORD_FILE = "bootstrap-admin-password";

    void onStart(@Observes StartupEvent event, TwofaConfig config, PasswordHasher hasher, AccountService accounts,
            AccountRepository repository) throws Throwable {
        boolean generated = config.bootstrap().adminPassword().isEmpty();
        Path passwordFile = Path.of(config.dataDir(), PASSWORD_FILE).toAbsolutePath().normalize();
        Path pending = null;
        if (generated) {
            if (VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(repository::anyExists))) {
                // nothing to create: a data directory that cannot be written must not stop a restart
                return;
            }
            pending = preparePasswordFile(passwordFile);
        }
        try {
            String password = generated ? Files.readString(pending) : config.bootstrap().adminPassword().get();
            Account admin = accounts.newAccount(LOGIN, hasher.hash(password), Role.ADMIN);
            Path written = pending;
            Integer inserted = VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> repository
                    .insertIfNoAccount(admin)
                    // inside the transaction: if the file cannot take its place, no admin with an unknown password
                    .invoke(count -> {
                        if (count == 1 && written != null) {
                            publish(written, passwordFile);
                        }
                    })));
            if (inserted != null && inserted == 1) {
                if (generated) {
                    LOG.warnf("Created account 'admin' with a generated password, written to %s (readable by this user only). "
                            + "Read it there, sign in, and delete the file; TWOFA_BOOTSTRAP_ADMIN_PASSWORD chooses the password "
                            + "on a fresh database instead", passwordFile);
                } else {
                    LOG.info("Created account 'admin' with the password from TWOFA_BOOTSTRAP_ADMIN_PASSWORD");
                }
            }
        } finally {
            if (pending != null) {
                Files.deleteIfExists(pending);
            }
        }
    }

    /**
     * Writes a new random password into an owner-only file next to {@code target} (not yet under its name), or
     * refuses to go on: the generated password has no other way to reach the operator.
     */
    private static Path preparePasswordFile(Path target) {
        Path pending = target.resolveSibling("." + PASSWORD_FILE + "." + UUID.randomUUID());
        try {
            KeyDirectory.createOwnerOnlyDirectories(target.getParent());
            KeyDirectory.writeNewOwnerOnly(pending, randomPassword());
            return pending;
        } catch (IOException | RuntimeException e) {
            throw refusal(target, e);
        }
    }

    private static void publish(Path pending, Path target) {
        try {
            Files.move(pending, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw refusal(target, e);
        }
    }

    private static IllegalStateException refusal(Path target, Exception e) {
        return new IllegalStateException("No admin account was created: its generated password cannot be written to "
                + target + " (" + e + "). Set TWOFA_BOOTSTRAP_ADMIN_PASSWORD to choose the password of the first "
                + "admin account, or make TWOFA_DATA_DIR a writable directory, and start again.", e);
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
