"""Tests against the real twofa-service: skipped unless TWOFA_TEST_URL is set.

Environment: TWOFA_TEST_URL (e.g. http://127.0.0.1:18080), TWOFA_TEST_ADMIN_LOGIN (default admin),
TWOFA_TEST_ADMIN_PASSWORD. The tests switch two-factor on for the site while they run (which ends every
session of every account) and off at the end; every test uses accounts of its own.

Server features from issue 16 that some tests need (they fail against a service without them):
- refresh grace period: test_concurrent_refresh_within_the_grace_period_returns_the_same_successor
- typed session problems (refresh-reused, session-revoked + reason):
  test_refresh_token_reused_after_the_grace_period_revokes_the_session, test_logout_ends_the_session_at_the_service
- discovery document: test_discovery_document_is_used
"""

import json
import multiprocessing
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from twofa_client import BACKUP_CODE, TOTP, LoginRequired, ProblemError, Session, unverified_claims

from support import PASSWORD, Admin, Authenticator, Http, env_for_cli, run_cli

URL = os.environ.get("TWOFA_TEST_URL")
SPAWN = multiprocessing.get_context("spawn")
PROCESSES = 8
PROBLEM = "urn:twofa:problem:"


def renew_at_once(url, login, directory, barrier, results):
    """One of the processes sharing a cache: wait for the others, then ask for a token at the same moment."""
    try:
        barrier.wait(60)
        results.put(("ok", Session(url, login, cache_dir=directory).token()))
    except Exception as e:  # reported to the test process
        results.put(("error", "%s: %s" % (type(e).__name__, e)))


@unittest.skipUnless(URL, "TWOFA_TEST_URL is not set: no real service to test against")
class RealServiceTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.http = Http(URL)
        cls.admin = Admin(cls.http, os.environ.get("TWOFA_TEST_ADMIN_LOGIN") or "admin",
                          os.environ.get("TWOFA_TEST_ADMIN_PASSWORD") or "")
        cls.admin.two_factor(True)
        status, document = cls.http.call("GET", "/.well-known/twofa-configuration")
        cls.discovery = document if status == 200 else None

    @classmethod
    def tearDownClass(cls):
        cls.admin.two_factor(False)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="twofa-it-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    # ------------------------------------------------------------------------------------------- helpers

    def session(self, login, **kwargs):
        kwargs.setdefault("cache_dir", self.dir)
        return Session(URL, login, **kwargs)

    def logged_in(self):
        """An enrolled user logged in through the client (toolkit: with a refresh token)."""
        login, app, codes = self.admin.enrolled_user()
        s = self.session(login, code_callback=lambda prompt: (TOTP, app.next_code()))
        s.login(PASSWORD)
        return s

    def make_due(self, session, remaining=5):
        """Edits the cached expiry so that less than 10 % of the token's lifetime seems left."""
        state = session.cache.read()
        state["access_expires_at"] = time.time() + remaining
        session.cache.write(state)
        return state

    def me(self, token):
        return self.http.expect(200, "GET", "/api/v1/me", token=token)

    def live_sessions(self, token):
        return self.http.expect(200, "GET", "/api/v1/me/sessions", token=token)["sessions"]

    def grace_seconds(self):
        if self.discovery and self.discovery.get("refresh_grace_period_seconds") is not None:
            return float(self.discovery["refresh_grace_period_seconds"])
        return float(os.environ.get("TWOFA_TEST_REFRESH_GRACE_SECONDS", "2"))

    # ------------------------------------------------------------------------------------------- login

    def test_login_with_a_totp_code(self):
        login, app, _ = self.admin.enrolled_user()
        prompts = []

        def ask(prompt):
            prompts.append(prompt)
            return TOTP, app.next_code()

        s = self.session(login, code_callback=ask)
        s.login(PASSWORD)
        self.assertEqual(prompts[0].methods, ["totp", "backup_code"])
        token = s.token()
        claims = unverified_claims(token)
        self.assertEqual(claims["upn"], login)
        self.assertEqual(claims["amr"], ["pwd", "otp", "mfa"])
        self.assertEqual(claims["factor"], "totp")
        self.assertEqual(claims["client"], "toolkit")
        self.assertEqual(self.me(token)["account"]["login"], login)
        if os.name == "posix":
            self.assertEqual(stat.S_IMODE(os.stat(s.cache.path).st_mode), 0o600)
            self.assertEqual(stat.S_IMODE(os.stat(self.dir).st_mode), 0o700)
        with open(s.cache.path) as f:
            self.assertNotIn(PASSWORD, f.read())

    def test_cli_login_with_a_totp_code_from_stdin_then_token(self):
        login, app, _ = self.admin.enrolled_user()
        code, out, err = run_cli(["login", "--url", URL, "--login", login], self.dir,
                                 stdin_text=app.next_code() + "\n", TWOFA_PASSWORD=PASSWORD)
        self.assertEqual(code, 0, err)
        self.assertIn("Enter the 6-digit code from your authenticator app, or 'b' to use a backup code", err)
        code, out, err = run_cli(["token", "--url", URL, "--login", login], self.dir)
        self.assertEqual(code, 0, err)
        self.assertEqual(self.me(out.strip())["account"]["login"], login)

    def test_login_with_a_backup_code(self):
        login, _, backup_codes = self.admin.enrolled_user()
        code, out, err = run_cli(["login", "--url", URL, "--login", login], self.dir,
                                 stdin_text="b\n%s\n" % backup_codes[0].lower(), TWOFA_PASSWORD=PASSWORD)
        self.assertEqual(code, 0, err)
        self.assertIn("backup codes left", err)
        token = self.session(login).token()
        self.assertEqual(unverified_claims(token)["factor"], "backup_code")
        self.assertEqual(self.me(token)["account"]["backup_codes_remaining"], len(backup_codes) - 1)
        # single use: the same code does not log in again
        s = self.session(login, code_callback=lambda p: (BACKUP_CODE, backup_codes[0]))
        with self.assertRaises(ProblemError) as caught:
            s.login(PASSWORD)
        self.assertEqual(caught.exception.name, "unauthenticated")
        self.assertIn("Wrong code", str(caught.exception))

    def test_enrolment_when_required_on_the_command_line(self):
        login = self.admin.create_user()
        proc = subprocess.Popen([sys.executable, "-m", "twofa_client", "login", "--url", URL, "--login", login],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, env=env_for_cli(self.dir, TWOFA_PASSWORD=PASSWORD))
        shown = []
        key = None
        try:
            while key is None:
                line = proc.stdout.readline()
                self.assertTrue(line, "the command ended before showing the key: %s" % "".join(shown))
                shown.append(line)
                if "type this key into it:" in line:
                    key = line.split(":", 1)[1].strip()
            app = Authenticator(key.replace(" ", ""))
            out, err = proc.communicate(app.next_code() + "\n", timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 0, err)
        uri_lines = [l.strip() for l in shown if l.strip().startswith("otpauth://totp/")]
        self.assertEqual(len(uri_lines), 1)
        self.assertIn("secret=" + key.replace(" ", ""), uri_lines[0])
        self.assertTrue(all(len(group) == 4 for group in key.split(" ")[:-1]), key)
        backup_codes = [l.strip() for l in out.splitlines() if re.match(r"^\s+[A-Z0-9]{4}(-[A-Z0-9]{4})+$", l)]
        self.assertEqual(len(backup_codes), 10, out)
        token = self.session(login).token()
        self.assertEqual(self.me(token)["account"]["enrolled"], True)
        # the printed backup codes are the real ones, and the key is the real secret
        s = self.session(login, cache_dir=tempfile.mkdtemp(dir=self.dir),
                         code_callback=lambda p: (BACKUP_CODE, backup_codes[3]))
        s.login(PASSWORD)
        s = self.session(login, cache_dir=tempfile.mkdtemp(dir=self.dir),
                         code_callback=lambda p: (TOTP, app.next_code()))
        s.login(PASSWORD)

    def test_enrolment_when_required_through_the_session_api(self):
        login = self.admin.create_user()
        apps = []
        shown_codes = []

        def enrol(prompt):
            if not apps:
                apps.append(Authenticator(prompt.secret))
            self.assertTrue(prompt.otpauth_uri.startswith("otpauth://totp/"))
            return apps[0].next_code()

        s = self.session(login, enrollment_callback=enrol, backup_codes_callback=shown_codes.append)
        s.login(PASSWORD)
        self.assertEqual(len(shown_codes), 1)
        self.assertEqual(len(shown_codes[0]), 10)
        claims = unverified_claims(s.token())
        self.assertEqual(claims["amr"], ["pwd", "otp", "mfa"])

    def test_wrong_password_and_wrong_code_messages(self):
        login, app, _ = self.admin.enrolled_user()
        code, out, err = run_cli(["login", "--url", URL, "--login", login], self.dir, stdin_text="",
                                 TWOFA_PASSWORD="not the password")
        self.assertEqual(code, 1)
        self.assertIn("twofa: Wrong login or password.", err)
        code, out, err = run_cli(["login", "--url", URL, "--login", login], self.dir, stdin_text="000000\n",
                                 TWOFA_PASSWORD=PASSWORD)
        self.assertEqual(code, 1)
        self.assertIn("Wrong code", err)

    # ------------------------------------------------------------------------------------------- sessions

    def test_eight_processes_share_one_cache_and_renew_at_the_same_moment(self):
        s = self.logged_in()
        old = self.make_due(s)
        barrier = SPAWN.Barrier(PROCESSES)
        results = SPAWN.Queue()
        procs = [SPAWN.Process(target=renew_at_once, args=(URL, s.login_name, self.dir, barrier, results))
                 for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=180) for _ in procs]
        for p in procs:
            p.join(60)
        self.assertEqual([o[0] for o in outcomes], ["ok"] * PROCESSES, outcomes)
        tokens = set(o[1] for o in outcomes)
        self.assertEqual(len(tokens), 1, "one process renewed, the others used its result")
        token = tokens.pop()
        self.assertNotEqual(token, old["access_token"])
        self.assertNotEqual(s.cache.read()["refresh_token"], old["refresh_token"])
        # the session was not revoked: the service still renews it, and it is the account's one live session
        self.make_due(s)
        renewed = s.token()
        self.assertNotEqual(renewed, token)
        self.assertEqual(self.me(renewed)["account"]["login"], s.login_name)
        self.assertEqual(len(self.live_sessions(renewed)), 1)

    def test_concurrent_refresh_within_the_grace_period_returns_the_same_successor(self):
        """Needs the refresh grace period (issue 16, 1).

        Processes that do NOT share the lock (e.g. two machines with one copied cache) present one refresh
        token at the same moment."""
        s = self.logged_in()
        refresh = s.cache.read()["refresh_token"]
        barrier = threading.Barrier(2)
        answers = []

        def present():
            barrier.wait(30)
            answers.append(self.http.call("POST", "/api/v1/auth/refresh", {"refresh_token": refresh}))

        threads = [threading.Thread(target=present) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual([a[0] for a in answers], [200, 200], answers)
        self.assertEqual(answers[0][1]["refresh_token"], answers[1][1]["refresh_token"])
        # the successor works: the session lives on
        status, answer = self.http.call("POST", "/api/v1/auth/refresh", {"refresh_token": answers[0][1]["refresh_token"]})
        self.assertEqual(status, 200, answer)
        self.assertEqual(len(self.live_sessions(answer["access_token"])), 1)

    def test_refresh_token_reused_after_the_grace_period_revokes_the_session(self):
        """Needs the typed problems (refresh-reused, session-revoked with reason reuse) of issue 16, 2."""
        grace = self.grace_seconds()
        if grace > 10:
            self.skipTest("the service's refresh grace period is %.0f s; start it with "
                          "TWOFA_REFRESH_GRACE_PERIOD=2S for this test" % grace)
        s = self.logged_in()
        stale = self.make_due(s)
        token = s.token()  # rotates: the refresh token in `stale` is spent
        self.assertNotEqual(s.cache.read()["refresh_token"], stale["refresh_token"])
        time.sleep(grace + 1)
        # a stale copy of the cache (a restored backup, a copied home directory) presents the spent token
        stale["access_expires_at"] = time.time() + 5
        s.cache.write(stale)
        code, out, err = run_cli(["token", "--url", URL, "--login", s.login_name], self.dir)
        self.assertEqual((code, out), (2, ""), err)
        self.assertIn("possible theft", err)
        ended = s.cache.read()["ended"]
        self.assertEqual(ended["type"], PROBLEM + "refresh-reused")
        with self.assertRaises(LoginRequired) as caught:
            s.token()
        self.assertEqual(caught.exception.problem.name, "refresh-reused")
        # the whole session is revoked: the newest refresh token fails too, and no live session is left
        self.assertEqual(self.live_sessions(token), [])

    def test_logout_ends_the_session_at_the_service(self):
        """Needs the typed problems (session-revoked, reason logout) of issue 16, 2."""
        s = self.logged_in()
        refresh = s.cache.read()["refresh_token"]
        token = s.token()
        code, out, err = run_cli(["logout", "--url", URL, "--login", s.login_name], self.dir)
        self.assertEqual(code, 0, err)
        self.assertIsNone(s.cache.read())
        self.assertEqual(self.live_sessions(token), [])
        code, out, err = run_cli(["token", "--url", URL, "--login", s.login_name], self.dir)
        self.assertEqual(code, 2)
        status, answer = self.http.call("POST", "/api/v1/auth/refresh", {"refresh_token": refresh})
        self.assertEqual(status, 401)
        self.assertEqual((answer["type"], answer.get("reason")), (PROBLEM + "session-revoked", "logout"))

    def test_sessions_command_lists_the_live_session(self):
        s = self.logged_in()
        code, out, err = run_cli(["sessions", "--url", URL, "--login", s.login_name], self.dir)
        self.assertEqual(code, 0, err)
        lines = out.strip().splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertIn("toolkit", lines[1])

    def test_discovery_document_is_used(self):
        """Needs GET /.well-known/twofa-configuration (issue 16, 3)."""
        self.assertIsNotNone(self.discovery, "the service publishes no discovery document")
        s = self.logged_in()
        self.assertEqual(s.site.discovery["refresh_endpoint"], URL.rstrip("/") + "/api/v1/auth/refresh")
        self.assertEqual(s.site.endpoint("refresh_endpoint"), self.discovery["refresh_endpoint"])
        self.assertTrue(self.discovery["two_factor_required"])


if __name__ == "__main__":
    unittest.main()
