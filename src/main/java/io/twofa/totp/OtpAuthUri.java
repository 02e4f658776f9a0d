package io.twofa.totp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The Key Uri Format that Google Authenticator and Duo Mobile read from a QR code. */
public final class OtpAuthUri {

    private OtpAuthUri() {
    }

    /**
     * {@code otpauth://totp/{issuer}:{login}?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30}, label and
     * parameters percent-encoded (spaces as {@code %20}, which the apps require, not {@code +}).
     */
    public static String totp(String issuer, String login, String base32Secret) {
        return "otpauth://totp/" + encode(issuer) + ":" + encode(login)
                + "?secret=" + base32Secret
                + "&issuer=" + encode(issuer)
                + "&algorithm=SHA1&digits=6&period=30";
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
