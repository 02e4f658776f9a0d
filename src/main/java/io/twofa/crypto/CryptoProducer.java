package io.twofa.crypto;

import java.nio.file.Path;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;
import io.twofa.config.TwofaConfig;

/** Builds the crypto cores from configuration, once, at start-up (so a missing key stops the service at once). */
@ApplicationScoped
public class CryptoProducer {

    @Produces
    @Singleton
    @Startup
    SecretCipher secretCipher(TwofaConfig config) {
        boolean mayGenerate = config.embeddedDatabase().active() || config.crypto().generateKeys();
        Optional<Path> dir = config.crypto().keysDir().map(Path::of)
                .or(() -> mayGenerate ? Optional.of(Path.of(config.dataDir(), "keys", "secrets")) : Optional.empty());
        KeyDirectory.Contents keys = KeyDirectory.load(dir, "key", config.crypto().currentKeyId(), mayGenerate,
                SecretCipher::newKeyBase64, "twofa.crypto.keys-dir (TWOFA_CRYPTO_KEYS_DIR)");
        return new SecretCipher(keys.byId(), keys.currentId());
    }

    @Produces
    @Singleton
    PasswordHasher passwordHasher(TwofaConfig config) {
        return new PasswordHasher(config.crypto().argon2MemoryKib(), config.crypto().argon2Iterations(),
                config.crypto().argon2Parallelism());
    }
}
