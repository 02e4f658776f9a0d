package io.twofa.token;

import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;

import io.quarkus.runtime.Startup;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.KeyDirectory;

/**
 * ES256 (P-256) signing keys by {@code kid}. Each {@code <kid>.pem} holds a PUBLIC KEY block and, for keys that
 * may still sign, a PRIVATE KEY block (PKCS#8).
 * <p>
 * At start the files alone decide (the current key signs, all are published), as the benchmark uses this class;
 * in the service {@link KeyRotation} then replaces that with the rotation rules ({@link KeySchedule}) applied to what
 * all instances have seen, before the first request, and again at each rescan of the directory.
 */
@Singleton
@Startup
public class SigningKeys {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    static {
        EcdsaProvider.install();
    }

    /** The key that signs new tokens. */
    public record Signer(String kid, PrivateKey key) {
    }

    /** What signs and what is published, swapped as a whole so that a reader never sees half of a change. */
    private record State(Signer signer, Map<String, PublicKey> published, String jwksJson) {
    }

    private final Optional<Path> directory;
    private volatile State state;

    /** Public for the benchmark (bench/), which signs tokens without the application. */
    public SigningKeys(TwofaConfig config) {
        boolean mayGenerate = config.embeddedDatabase().active() || config.crypto().generateKeys();
        Optional<Path> dir = config.token().keysDir().map(Path::of)
                .or(() -> mayGenerate ? Optional.of(Path.of(config.dataDir(), "keys", "signing")) : Optional.empty());
        KeyDirectory.Contents contents = KeyDirectory.load(dir, "pem", config.token().currentKeyId(), mayGenerate,
                SigningKeys::newKeyPem, "twofa.token.keys-dir (TWOFA_TOKEN_KEYS_DIR)");
        this.directory = dir;
        Map<String, PublicKey> publicKeys = new TreeMap<>();
        PrivateKey privateKey = null;
        for (Map.Entry<String, String> e : contents.byId().entrySet()) {
            Map<String, byte[]> blocks = blocks(e.getValue());
            if (!blocks.containsKey("PUBLIC KEY")) {
                throw new IllegalStateException("Signing key " + e.getKey() + ".pem has no PUBLIC KEY block");
            }
            publicKeys.put(e.getKey(), decode(new X509EncodedKeySpec(blocks.get("PUBLIC KEY")), true));
            if (e.getKey().equals(contents.currentId())) {
                if (!blocks.containsKey("PRIVATE KEY")) {
                    throw new IllegalStateException("The current signing key " + e.getKey() + ".pem has no PRIVATE KEY block");
                }
                privateKey = decode(new PKCS8EncodedKeySpec(blocks.get("PRIVATE KEY")), false);
            }
        }
        publish(new Signer(contents.currentId(), privateKey), publicKeys);
    }

    /** The directory of {@code <kid>.pem} files (configured, or the generated one in embedded mode). */
    Optional<Path> directory() {
        return directory;
    }

    /** Replaces what signs and what is published (and verifies). */
    void publish(Signer signer, Map<String, PublicKey> published) {
        Map<String, PublicKey> keys = java.util.Collections.unmodifiableMap(new TreeMap<>(published));
        state = new State(signer, keys, buildJwks(keys));
    }

    /** The kid and private key that sign new tokens, read together (a rotation may swap them at any time). */
    public Signer signer() {
        return state.signer();
    }

    public String currentKeyId() {
        return state.signer().kid();
    }

    public PrivateKey currentPrivateKey() {
        return state.signer().key();
    }

    /** The public key {@code kid} if it is published in the JWKS now (null once it has left it). */
    public PublicKey publicKey(String kid) {
        return kid == null ? null : state.published().get(kid);
    }

    /** The kids published now, oldest name first. */
    public java.util.Set<String> publishedKeyIds() {
        return state.published().keySet();
    }

    /** The public keys as JWKs (for verification). */
    public List<JsonWebKey> jsonWebKeys() {
        return jsonWebKeys(state.published());
    }

    private static List<JsonWebKey> jsonWebKeys(Map<String, PublicKey> publicKeys) {
        List<JsonWebKey> jwks = new ArrayList<>();
        publicKeys.forEach((kid, key) -> {
            try {
                PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(key);
                jwk.setKeyId(kid);
                jwk.setAlgorithm(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
                jwk.setUse("sig");
                jwks.add(jwk);
            } catch (org.jose4j.lang.JoseException e) {
                throw new IllegalStateException(e);
            }
        });
        return jwks;
    }

    /** The JWK Set document served at /.well-known/jwks.json. */
    public String jwksJson() {
        return state.jwksJson();
    }

    private static String buildJwks(Map<String, PublicKey> publicKeys) {
        return new JsonWebKeySet(jsonWebKeys(publicKeys)).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    /** A new P-256 key pair as the PEM file this class reads. */
    public static String newKeyPem() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            return pem("PRIVATE KEY", pair.getPrivate().getEncoded()) + pem("PUBLIC KEY", pair.getPublic().getEncoded());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate a P-256 key pair", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static Map<String, byte[]> blocks(String pem) {
        Map<String, byte[]> blocks = new TreeMap<>();
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            blocks.put(m.group(1), Base64.getMimeDecoder().decode(m.group(2)));
        }
        return blocks;
    }

    @SuppressWarnings("unchecked")
    static <K> K decode(java.security.spec.EncodedKeySpec spec, boolean isPublic) {
        try {
            KeyFactory factory = EcdsaProvider.keyFactory();
            Object key = isPublic ? factory.generatePublic(spec) : factory.generatePrivate(spec);
            if (isPublic && !(key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256)) {
                throw new IllegalStateException("Signing keys must be EC P-256 (ES256)");
            }
            return (K) key;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Signing keys must be EC P-256 (ES256) in PEM: " + e.getMessage(), e);
        }
    }

}
