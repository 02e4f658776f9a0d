"""Protocol logic of twofa_client.Session against the in-memory fake service (offline)."""

import json
import os
import shutil
import tempfile
import time
import unittest

import twofa_client
from twofa_client import BACKUP_CODE, TOTP, LoginRequired, ProblemError, Session, TwofaError
from twofa_client.errors import LoginCancelled

from fake_service import BACKUP, ENROLL_CODE, SECRET, TOTP_CODE, FakeService, problem


class SessionTestCase(unittest.TestCase):
    discovery = True

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="twofa-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.service = FakeService(discovery=self.discovery)
        self.service.__enter__()
        self.addCleanup(self.service.__exit__)

    def session(self, login, **kwargs):
        kwargs.setdefault("cache_dir", self.dir)
        return Session(self.service.url, login, **kwargs)

    def cached_files_text(self):
        text = ""
        for name in os.listdir(self.dir):
            with open(os.path.join(self.dir, name), "rb") as f:
                text += f.read().decode("utf-8", "replace")
        return text


class LoginTest(SessionTestCase):

    def test_password_only_login_saves_the_session_and_never_the_password(self):
        self.service.add_user("Alice", "plain", password="s3cret-pass")
        s = self.session("Alice")
        answer = s.login("s3cret-pass")
        self.assertEqual(s.token(), answer["access_token"])
        self.assertIn(answer["refresh_token"], self.cached_files_text())
        self.assertNotIn("s3cret-pass", self.cached_files_text())
        # the login request carried the client kind
        body = [r[3] for r in self.service.requests if r[1] == "/d/login"][0]
        self.assertEqual(body["client"], "toolkit")

    def test_totp_login_asks_the_callback_and_sends_the_code(self):
        self.service.add_user("bob", "totp")
        prompts = []

        def ask(prompt):
            prompts.append(prompt)
            return TOTP, " 123 456 "

        s = self.session("bob", code_callback=ask)
        s.login("pw")
        self.assertEqual(len(prompts), 1)
        self.assertEqual(prompts[0].methods, ["totp", "backup_code"])
        self.assertIsNone(prompts[0].error)
        verify = [r[3] for r in self.service.requests if r[1] == "/d/verify"]
        self.assertEqual(verify, [{"code": TOTP_CODE}])
        self.assertNotIn(TOTP_CODE, self.cached_files_text())
        self.assertTrue(s.token())

    def test_backup_code_login_sends_backup_code_and_reports_remaining(self):
        self.service.add_user("carol", "totp")
        notices = []
        s = self.session("carol", code_callback=lambda p: (BACKUP_CODE, BACKUP), notice_callback=notices.append)
        s.login("pw")
        verify = [r[3] for r in self.service.requests if r[1] == "/d/verify"]
        self.assertEqual(verify, [{"backup_code": BACKUP}])
        self.assertEqual(len(notices), 1)
        self.assertIn("2 backup codes left", notices[0])
        self.assertNotIn(BACKUP, self.cached_files_text())

    def test_wrong_code_is_asked_again_with_the_error(self):
        self.service.add_user("dave", "totp")
        answers = [(TOTP, "000000"), (TOTP, TOTP_CODE)]
        prompts = []

        def ask(prompt):
            prompts.append(prompt)
            return answers.pop(0)

        self.session("dave", code_callback=ask).login("pw")
        self.assertEqual([p.attempt for p in prompts], [1, 2])
        self.assertIsInstance(prompts[1].error, ProblemError)
        self.assertTrue(str(prompts[1].error).startswith("Wrong code"))

    def test_three_wrong_codes_raise_the_wrong_code_error(self):
        self.service.add_user("erin", "totp")
        with self.assertRaises(ProblemError) as caught:
            self.session("erin", code_callback=lambda p: (TOTP, "000000")).login("pw")
        self.assertEqual(caught.exception.name, "unauthenticated")
        self.assertIn("Wrong code", str(caught.exception))
        self.assertEqual(len([r for r in self.service.requests if r[1] == "/d/verify"]), 3)

    def test_wrong_password_message(self):
        self.service.add_user("frank", "plain")
        with self.assertRaises(ProblemError) as caught:
            self.session("frank").login("nope")
        self.assertEqual(str(caught.exception), "Wrong login or password.")

    def test_throttled_message_carries_the_wait(self):
        self.service.add_user("gina", "totp")
        self.service.overrides["/d/verify"] = (429, ({"type": "urn:twofa:problem:throttled", "title": "x",
                                                      "status": 429, "detail": "x", "retry_after": 60},
                                                     {"Retry-After": "60"}))
        with self.assertRaises(ProblemError) as caught:
            self.session("gina", code_callback=lambda p: (TOTP, TOTP_CODE)).login("pw")
        self.assertEqual(str(caught.exception), "Too many attempts: try again in 60 seconds.")
        # throttled: not asked again
        self.assertEqual(len([r for r in self.service.requests if r[1] == "/d/verify"]), 1)

    def test_locked_second_factor_says_ask_an_admin(self):
        self.service.add_user("hal", "totp")
        self.service.overrides["/d/verify"] = problem(403, "second-factor-locked", "Locked.")
        with self.assertRaises(ProblemError) as caught:
            self.session("hal", code_callback=lambda p: (TOTP, TOTP_CODE)).login("pw")
        self.assertIn("ask an administrator", str(caught.exception))

    def test_no_code_cancels(self):
        self.service.add_user("ian", "totp")
        with self.assertRaises(LoginCancelled):
            self.session("ian", code_callback=lambda p: None).login("pw")
        self.assertIsNone(self.session("ian").cache.read())

    def test_enrolment_shows_uri_and_key_then_backup_codes_once(self):
        self.service.add_user("judy", "enroll")
        shown = []
        codes = []

        def enrol(prompt):
            shown.append(prompt)
            return ENROLL_CODE if prompt.attempt == 2 else "111111"

        s = self.session("judy", enrollment_callback=enrol, backup_codes_callback=codes.append)
        answer = s.login("pw")
        self.assertEqual(shown[0].secret, SECRET)
        self.assertEqual(shown[0].secret_grouped, "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP")
        self.assertTrue(shown[0].otpauth_uri.startswith("otpauth://totp/"))
        self.assertIsNone(shown[0].error)
        self.assertIn("Wrong code", str(shown[1].error))
        self.assertEqual(codes, [["AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG-HHHH"]])
        self.assertEqual(s.token(), answer["access_token"])
        text = self.cached_files_text()
        for secret in (SECRET, "AAAA-BBBB-CCCC-DDDD", ENROLL_CODE):
            self.assertNotIn(secret, text)

    def test_enrolment_without_callback_says_how_to_set_up(self):
        self.service.add_user("kim", "enroll")
        with self.assertRaises(twofa_client.SecondFactorSetupRequired) as caught:
            self.session("kim").login("pw")
        self.assertIn("python -m twofa_client login", str(caught.exception))

    def test_new_login_ends_the_replaced_session(self):
        self.service.add_user("lee", "plain")
        s = self.session("lee")
        first = s.login("pw")["refresh_token"]
        s.login("pw")
        self.assertEqual(self.service.refresh_tokens[first]["state"], "revoked")

    def test_login_names_differing_in_case_share_one_cache(self):
        self.service.add_user("Mia", "plain")
        token = self.session("Mia").login("pw")["access_token"]
        self.assertEqual(self.session("mia").token(), token)


class DiscoveryTest(SessionTestCase):

    def test_discovered_endpoints_are_used(self):
        self.service.add_user("a", "plain")
        self.session("a").login("pw")
        self.assertEqual(self.service.paths_called(), ["/.well-known/twofa-configuration", "/d/login"])

    def test_endpoints_outside_the_site_origin_are_not_used(self):
        self.service.discovery_base = "http://127.0.0.2:1"
        self.service.add_user("a", "plain")
        with self.assertLogs("twofa_client", "WARNING"):
            self.session("a").login("pw")
        self.assertEqual(self.service.paths_called(), ["/.well-known/twofa-configuration", "/api/v1/auth/login"])


class NoDiscoveryTest(SessionTestCase):
    discovery = False

    def test_documented_paths_when_the_service_has_no_discovery(self):
        self.service.add_user("a", "plain")
        s = self.session("a")
        s.login("pw")
        state = s.cache.read()
        state["access_expires_at"] = time.time() + 30
        s.cache.write(state)
        s.token()
        self.assertEqual(self.service.paths_called(),
                         ["/.well-known/twofa-configuration", "/api/v1/auth/login", "/api/v1/auth/refresh"])


class TokenTest(SessionTestCase):

    def logged_in(self, login="tom"):
        self.service.add_user(login, "plain")
        s = self.session(login)
        s.login("pw")
        return s

    def set_remaining(self, s, seconds):
        state = s.cache.read()
        state["access_expires_at"] = time.time() + seconds
        s.cache.write(state)
        return state

    def test_token_is_not_renewed_with_more_than_ten_percent_left(self):
        s = self.logged_in()
        old = self.set_remaining(s, 61)["access_token"]  # lifetime 600: 10 % is 60 s
        self.assertEqual(s.token(), old)
        self.assertEqual(self.service.refresh_count, 0)

    def test_token_is_renewed_with_less_than_ten_percent_left(self):
        s = self.logged_in()
        old_state = self.set_remaining(s, 59)
        new = s.token()
        self.assertNotEqual(new, old_state["access_token"])
        self.assertEqual(self.service.refresh_count, 1)
        state = s.cache.read()
        self.assertEqual(state["access_token"], new)
        self.assertNotEqual(state["refresh_token"], old_state["refresh_token"])
        self.assertAlmostEqual(state["access_expires_at"], time.time() + 600, delta=5)
        # a second call uses the renewed token
        self.assertEqual(s.token(), new)
        self.assertEqual(self.service.refresh_count, 1)

    def test_expired_token_is_renewed(self):
        s = self.logged_in()
        self.set_remaining(s, -100)
        s.token()
        self.assertEqual(self.service.refresh_count, 1)

    def test_no_session_needs_login(self):
        with self.assertRaises(LoginRequired) as caught:
            self.session("nobody").token()
        self.assertEqual(caught.exception.exit_code, 2)
        self.assertIn("log in first", str(caught.exception))

    def check_ended(self, answer, expected_message, reason=None):
        s = self.logged_in("u%d" % len(self.service.users))
        self.set_remaining(s, 10)
        self.service.overrides["/d/refresh"] = answer
        with self.assertRaises(LoginRequired) as caught:
            s.token()
        self.assertIn(expected_message, str(caught.exception))
        self.assertEqual(caught.exception.reason, reason)
        # the end is remembered: other processes get the same answer without asking the service, no token is kept
        calls = self.service.paths_called().count("/d/refresh")
        del self.service.overrides["/d/refresh"]
        with self.assertRaises(LoginRequired) as again:
            self.session(s.login_name).token()
        self.assertEqual(str(again.exception), str(caught.exception))
        state = s.cache.read()
        self.assertNotIn("refresh_token", state)
        self.assertNotIn("access_token", state)
        self.assertEqual(self.service.paths_called().count("/d/refresh"), calls)

    def test_typed_session_problems_each_have_their_message(self):
        self.check_ended(problem(401, "refresh-expired", "x"), "Your session has expired. Log in again.")
        self.check_ended(problem(401, "refresh-reused", "x"), "possible theft")
        self.check_ended(problem(401, "refresh-invalid", "x"), "not known to the service")
        self.check_ended(problem(401, "session-revoked", "x", reason="revoked_by_admin"),
                         "An administrator ended this session", "revoked_by_admin")
        self.check_ended(problem(401, "session-revoked", "x", reason="reuse"), "used twice (possible theft)", "reuse")
        self.check_ended(problem(401, "session-revoked", "x", reason="password_changed"),
                         "Your password was changed", "password_changed")

    def test_untyped_401_of_an_older_service_needs_login(self):
        self.check_ended(problem(401, "unauthenticated", "The refresh token is invalid, expired or revoked."),
                         "no longer valid")

    def test_reused_refresh_token_is_reported_and_revokes(self):
        s = self.logged_in()
        stale = s.cache.read()
        self.set_remaining(s, 10)
        s.token()  # rotates the refresh token
        stale["access_expires_at"] = time.time() + 10
        s.cache.write(stale)  # a process writes back an old copy: its refresh token was spent
        with self.assertRaises(LoginRequired) as caught:
            s.token()
        self.assertEqual(caught.exception.problem.name, "refresh-reused")

    def test_transient_failure_keeps_a_still_valid_token(self):
        s = self.logged_in()
        old = self.set_remaining(s, 30)["access_token"]
        self.service.overrides["/d/refresh"] = problem(503, "unavailable", "Down.")
        with self.assertLogs("twofa_client", "WARNING"):
            self.assertEqual(s.token(), old)
        self.assertEqual(s.cache.read()["access_token"], old)

    def test_transient_failure_with_an_expired_token_raises(self):
        s = self.logged_in()
        self.set_remaining(s, -1)
        self.service.overrides["/d/refresh"] = (503, ({"type": "urn:twofa:problem:unavailable", "title": "x",
                                                       "status": 503, "detail": "x"}, {"Retry-After": "7"}))
        with self.assertRaises(ProblemError) as caught:
            s.token()
        self.assertEqual(str(caught.exception), "The login service is unavailable right now: try again in 7 seconds.")
        self.assertNotIsInstance(caught.exception, LoginRequired)

    def test_logout_ends_the_session_and_removes_the_cache(self):
        s = self.logged_in()
        refresh = s.cache.read()["refresh_token"]
        self.assertTrue(s.logout())
        self.assertEqual(self.service.refresh_tokens[refresh]["state"], "revoked")
        self.assertIsNone(s.cache.read())
        self.assertFalse(s.logout())

    def test_logout_keeps_the_cache_when_the_service_is_down(self):
        s = self.logged_in()
        self.service.overrides["/d/logout"] = problem(503, "unavailable", "Down.")
        with self.assertRaises(ProblemError):
            s.logout()
        self.assertIsNotNone(s.cache.read())

    def test_sessions_lists_the_live_sessions(self):
        s = self.logged_in()
        sessions = s.sessions()
        self.assertEqual(len(sessions), 1)
        self.assertEqual(sessions[0]["client"], "toolkit")


class DeviceLoginTest(SessionTestCase):

    def test_polls_at_the_interval_slows_down_and_saves_under_the_upn(self):
        self.service.device_answers = ["authorization_pending", "slow_down", "authorization_pending", "approve"]
        sleeps = []
        prompts = []
        s = Session.login_with_browser(self.service.url, client="cli", device_name="node-7",
                                       prompt_callback=prompts.append, cache_dir=self.dir, sleep=sleeps.append)
        self.assertEqual(sleeps, [5, 5, 10, 10])
        self.assertEqual(prompts[0].user_code, "WXYZ-2345")
        self.assertTrue(prompts[0].verification_uri_complete.endswith("/device?user_code=WXYZ-2345"))
        self.assertEqual(self.service.device_requests, [{"client": "cli", "device_name": "node-7"}])
        self.assertEqual(s.login_name, "Dora")
        # stored like a password login: another Session for that login finds it
        self.assertEqual(self.session("dora").token(), s.token())

    def test_denied(self):
        self.service.device_answers = ["access_denied"]
        with self.assertRaises(ProblemError) as caught:
            Session.login_with_browser(self.service.url, cache_dir=self.dir, sleep=lambda s: None)
        self.assertEqual(str(caught.exception), "The sign-in was denied in the browser.")

    def test_expired(self):
        self.service.device_answers = ["authorization_pending", "expired_token"]
        with self.assertRaises(ProblemError) as caught:
            Session.login_with_browser(self.service.url, cache_dir=self.dir, sleep=lambda s: None)
        self.assertIn("expired before it was approved", str(caught.exception))


class TransportTest(SessionTestCase):

    def test_redirects_are_refused(self):
        self.service.overrides["/.well-known/twofa-configuration"] = (302, (None, {"Location": "https://evil/"}))
        self.service.add_user("a", "plain")
        with self.assertRaises(twofa_client.TransportError) as caught:
            self.session("a").login("pw")
        self.assertIn("redirected to https://evil/", str(caught.exception))
        self.assertEqual(self.service.paths_called(), ["/.well-known/twofa-configuration"])

    def test_plain_http_only_to_this_machine(self):
        with self.assertRaises(TwofaError) as caught:
            Session("http://twofa.example.com", "a", cache_dir=self.dir)
        self.assertIn("Refusing plain http", str(caught.exception))
        Session("http://localhost:8080/", "a", cache_dir=self.dir)
        Session("https://twofa.example.com", "a", cache_dir=self.dir)

    def test_url_is_normalized_for_the_cache(self):
        a = Session("https://Twofa.Example.com:443/", "a", cache_dir=self.dir)
        b = Session("https://twofa.example.com", "A", cache_dir=self.dir)
        self.assertEqual(a.cache.path, b.cache.path)
        self.assertNotEqual(a.cache.path, Session("https://twofa.example.com:8443", "a", cache_dir=self.dir).cache.path)

    def test_timeout(self):
        import socket
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the connection, never answers
        self.addCleanup(listener.close)
        s = Session("http://127.0.0.1:%d" % listener.getsockname()[1], "a", cache_dir=self.dir, timeout=0.5)
        started = time.time()
        with self.assertRaises(twofa_client.TransportError) as caught:
            s.login("pw")
        self.assertLess(time.time() - started, 5)
        self.assertIn("did not answer in time", str(caught.exception))

    def test_unreachable(self):
        import socket
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        with self.assertRaises(twofa_client.TransportError) as caught:
            Session("http://127.0.0.1:%d" % port, "a", cache_dir=self.dir).login("pw")
        self.assertIn("Could not reach", str(caught.exception))


class ClaimsTest(unittest.TestCase):

    def test_unverified_claims(self):
        from fake_service import fake_jwt
        self.assertEqual(twofa_client.unverified_claims(fake_jwt("zoe", 60))["upn"], "zoe")
        with self.assertRaises(TwofaError):
            twofa_client.unverified_claims("not-a-jwt")
        with self.assertRaises(TwofaError):
            twofa_client.unverified_claims("a.%s.c" % "bm90IGpzb24")


if __name__ == "__main__":
    unittest.main()
