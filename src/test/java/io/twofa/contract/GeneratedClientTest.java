package io.twofa.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.twofa.client.ApiClient;
import io.twofa.client.ApiException;
import io.twofa.client.api.AccountsApi;
import io.twofa.client.api.EnrollmentApi;
import io.twofa.client.api.LoginApi;
import io.twofa.client.api.SessionsApi;
import io.twofa.client.model.AccessTokenResponse;
import io.twofa.client.model.Client;
import io.twofa.client.model.ConfirmEnrollmentRequest;
import io.twofa.client.model.EnrollmentConfirmed;
import io.twofa.client.model.EnrollmentRequired;
import io.twofa.client.model.EnrollmentStarted;
import io.twofa.client.model.LoginRequest;
import io.twofa.client.model.LoginResponse;
import io.twofa.client.model.RefreshRequest;
import io.twofa.client.model.SecondFactorRequired;
import io.twofa.client.model.VerifyRequest;
import io.twofa.crypto.Base32Secret;
import io.twofa.support.Api;
import io.twofa.support.TestClock;
import io.twofa.support.WithTwoFactorOn;
import io.twofa.totp.Totp;

/**
 * A Java client generated from openapi.yaml at build time (openapi-generator, test scope) performs the whole flow:
 * password login, enrolment with a TOTP code, verify, a backup-code login, refresh, logout. If the contract and the
 * service disagree in a shape, the generated client fails to read an answer here.
 */
@QuarkusTest
class GeneratedClientTest extends WithTwoFactorOn {

    @TestHTTPResource("/")
    URL root;

    private final AtomicReference<String> bearer = new AtomicReference<>();

    private ApiClient client() {
        ApiClient client = new ApiClient();
        client.updateBaseUri(root.toString().replaceAll("/$", ""));
        client.setRequestInterceptor(request -> {
            if (bearer.get() != null) {
                request.header("Authorization", "Bearer " + bearer.get());
            }
        });
        return client;
    }

    private static String code(String secret, int offset) {
        return Totp.format(Totp.hotp(Base32Secret.decode(secret), Totp.step(TestClock.now()) + offset, Totp.HMAC_SHA1, 6), 6);
    }

    @Test
    void theWholeFlowThroughTheGeneratedClient() throws ApiException {
        String login = Api.createUser("user");
        ApiClient client = client();
        LoginApi auth = new LoginApi(client);
        EnrollmentApi enrollment = new EnrollmentApi(client);
        SessionsApi sessions = new SessionsApi(client);
        AccountsApi accounts = new AccountsApi(client);
        LoginRequest credentials = new LoginRequest().login(login).password(Api.PASSWORD).client(Client.DESKTOP);
        TestClock.toStartOfNextStep();

        // password step: enrolment required
        LoginResponse first = auth.login(credentials);
        EnrollmentRequired required = first.getEnrollmentRequired();
        bearer.set(required.getChallengeToken());
        EnrollmentStarted started = enrollment.startEnrollment(null);
        assertThat(started.getOtpauthUri()).startsWith("otpauth://totp/").contains("secret=" + started.getSecret());
        EnrollmentConfirmed confirmed = enrollment.confirmEnrollment(new ConfirmEnrollmentRequest().code(code(started.getSecret(), -1)));
        assertThat(confirmed.getBackupCodes()).hasSize(10);
        assertThat(confirmed.getAccessToken()).isNotBlank();

        // a second login: second factor with the current step's code
        bearer.set(null);
        SecondFactorRequired second = auth.login(credentials).getSecondFactorRequired();
        assertThat(second.getMethods()).extracting(Object::toString).contains("totp", "backup_code");
        bearer.set(second.getChallengeToken());
        AccessTokenResponse verified = auth.verifySecondFactor(new VerifyRequest().code(code(started.getSecret(), 0)));
        assertThat(verified.getAccessToken()).isNotBlank();
        assertThat(verified.getRefreshToken()).hasSize(43);
        bearer.set(verified.getAccessToken());
        assertThat(accounts.getMe().getAccount().getLogin()).isEqualTo(login);

        // a backup-code login
        bearer.set(null);
        bearer.set(auth.login(credentials).getSecondFactorRequired().getChallengeToken());
        AccessTokenResponse withCode = auth.verifySecondFactor(new VerifyRequest().backupCode(confirmed.getBackupCodes().get(0)));
        assertThat(withCode.getBackupCodesRemaining()).isEqualTo(9L);

        // refresh, then logout: the session ends
        bearer.set(null);
        AccessTokenResponse refreshed = sessions.refreshSession(new RefreshRequest().refreshToken(withCode.getRefreshToken()));
        assertThat(refreshed.getRefreshToken()).isNotEqualTo(withCode.getRefreshToken());
        sessions.logout(new RefreshRequest().refreshToken(refreshed.getRefreshToken()));
        assertThatThrownBy(() -> sessions.refreshSession(new RefreshRequest().refreshToken(refreshed.getRefreshToken())))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(401);
                    assertThat(e.getResponseBody()).contains("urn:twofa:problem:session-revoked");
                });
        assertThat(List.of(first.getActualInstance().getClass().getSimpleName())).containsExactly("EnrollmentRequired");
    }
}
