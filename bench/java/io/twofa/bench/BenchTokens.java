package io.twofa.bench;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.smallrye.config.WithDefault;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.KeyDirectory;
import io.twofa.crypto.SecretCipher;
import io.twofa.token.SigningKeys;
import io.twofa.token.TokenPrincipal;
import io.twofa.token.TokenService;

/**
 * Challenge tokens for the benchmark, made by the service's own {@link TokenService} with the service's keys (the
 * signing keys and the secret keys the challenge key derives from; {@code <data-dir>/keys/...} or the TWOFA_*_KEYS_DIR
 * settings): byte for byte what {@code POST /api/v1/auth/login} returns for an enrolled account, without paying an
 * Argon2id hash per token. The password step itself is measured separately (login_rps, full_flow_rps).
 */
public final class BenchTokens {

    static {
        // SmallRye JWT reads MicroProfile Config; with the service's classes on the class path that would run its
        // embedded-database config source, which starts a PostgreSQL when no URL is set. A URL (never used) stops that.
        if (System.getProperty("quarkus.datasource.reactive.url") == null) {
            System.setProperty("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/not-used-by-bench-tokens");
        }
    }

    private final TokenService tokens;

    /**
     * @param signingKeysDir the directory of {@code <kid>.pem} the service signs with
     * @param secretKeysDir the directory of {@code <kid>.key} the service seals secrets with
     */
    public BenchTokens(Path signingKeysDir, Path secretKeysDir) {
        TwofaConfig config = config(TwofaConfig.class, signingKeysDir);
        KeyDirectory.Contents secrets = KeyDirectory.load(Optional.of(secretKeysDir), "key", Optional.empty(), false, null,
                "-DsecretKeys");
        this.tokens = new TokenService(new SigningKeys(config), new SecretCipher(secrets.byId(), secrets.currentId()), config,
                Clock.systemUTC());
    }

    public String challenge(UUID accountId, String login) {
        return tokens.issueChallenge(accountId, login, "user", "web", TokenPrincipal.PURPOSE_SECOND_FACTOR, Instant.now()).token();
    }

    /**
     * The token work of one successful verify, as the service does it: check the challenge token (HS256 and claims),
     * then sign the access token (ES256).
     */
    public String secondStep(String challenge) {
        TokenPrincipal p = tokens.verify(challenge);
        return tokens.issueAccess(new TokenService.Login(p.accountId(), p.login(), p.role(), p.client(),
                java.util.List.of("pwd", "otp", "mfa"), "totp", p.authTime()), 600).token();
    }

    /** The service's configuration interface answered with its own defaults, and the key directory given. */
    @SuppressWarnings("unchecked")
    private static <T> T config(Class<T> type, Path signingKeysDir) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            switch (method.getName()) {
                case "toString":
                    return "bench " + type.getSimpleName();
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    break;
            }
            if (type == TwofaConfig.Token.class && method.getName().equals("keysDir")) {
                return Optional.of(signingKeysDir.toString());
            }
            return defaultOf(method, signingKeysDir);
        });
    }

    private static Object defaultOf(Method method, Path signingKeysDir) {
        Class<?> r = method.getReturnType();
        WithDefault d = method.getAnnotation(WithDefault.class);
        if (r == Optional.class) {
            return Optional.empty();
        }
        if (d == null) {
            if (r.isInterface()) {
                return config(r, signingKeysDir);
            }
            throw new IllegalStateException("No default for " + method);
        }
        String v = d.value();
        if (r == String.class) {
            return v;
        }
        if (r == int.class) {
            return Integer.parseInt(v);
        }
        if (r == boolean.class) {
            return Boolean.parseBoolean(v);
        }
        if (r == Duration.class) {
            return Duration.parse("PT" + v);
        }
        throw new IllegalStateException("Unsupported type for " + method);
    }
}
