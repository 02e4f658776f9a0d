package io.twofa.token;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;

import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPrivateKey;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPublicKey;
import org.bouncycastle.jcajce.provider.asymmetric.ec.KeyFactorySpi;
import org.bouncycastle.jcajce.provider.asymmetric.ec.SignatureSpi;

/**
 * Routes ES256 signatures over the service's own signing keys to Bouncy Castle.
 * <p>
 * SmallRye JWT (through jose4j) asks the JCA for {@code SHA256withECDSA} without naming a provider. The JDK 17 SunEC
 * implementation needs about 1 ms to sign and 2 ms to verify on the benchmark machine, several times Bouncy Castle's
 * cost, and every verify signs one access token (bench/, docs/performance.md). This provider, first in the list,
 * offers Bouncy Castle's ECDSA only for Bouncy Castle key objects (which {@link SigningKeys} creates), so no other
 * use of ECDSA in the JVM (TLS, for one) changes.
 * <p>
 * The keys are decoded into Bouncy Castle's key objects by {@link #keyFactory()} (handed JDK key objects, Bouncy Castle
 * converts them on every signature, which tripled the cost of a sign or verify). Neither needs Bouncy Castle's whole
 * JCA provider, whose construction loads every algorithm it has: it took about 0.4 s of each start.
 */
final class EcdsaProvider extends Provider {

    static final String NAME = "twofa-es256";

    private EcdsaProvider() {
        super(NAME, "1", "Bouncy Castle SHA256withECDSA for Bouncy Castle EC keys");
        putService(new Service(this, "Signature", "SHA256withECDSA", SignatureSpi.ecDSA256.class.getName(), List.of(),
                Map.of()) {
            @Override
            public boolean supportsParameter(Object key) {
                return key instanceof BCECPrivateKey || key instanceof BCECPublicKey;
            }

            @Override
            public Object newInstance(Object constructorParameter) {
                return new SignatureSpi.ecDSA256();
            }
        });
    }

    /** Decodes EC keys into Bouncy Castle key objects; a provider of its own, never registered (no JVM default changes). */
    private static final Provider KEYS = new Provider(NAME + "-keys", "1", "Bouncy Castle EC key factory") {
        {
            putService(new Service(this, "KeyFactory", "EC", KeyFactorySpi.EC.class.getName(), List.of(), Map.of()) {
                @Override
                public Object newInstance(Object constructorParameter) {
                    return new KeyFactorySpi.EC();
                }
            });
        }
    };

    static KeyFactory keyFactory() throws GeneralSecurityException {
        return KeyFactory.getInstance("EC", KEYS);
    }

    /** Registers the provider once per JVM, first in the list (idempotent). */
    static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.insertProviderAt(new EcdsaProvider(), 1);
        }
    }
}
