"""The command line (python -m twofa_client) against the fake service: prompts, output, exit codes."""

import json
import os
import shutil
import tempfile
import time
import unittest

from fake_service import BACKUP, ENROLL_CODE, SECRET, TOTP_CODE, FakeService, problem
from support import run_cli

PROMPT = "Enter the 6-digit code from your authenticator app, or 'b' to use a backup code"


class CliTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="twofa-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.service = FakeService()
        self.service.__enter__()
        self.addCleanup(self.service.__exit__)

    def cli(self, *args, **kwargs):
        stdin = kwargs.pop("stdin", "")
        return run_cli(list(args), self.dir, stdin_text=stdin, **kwargs)

    def login(self, login, stdin="", **env):
        env.setdefault("TWOFA_PASSWORD", "pw")
        return self.cli("login", "--url", self.service.url, "--login", login, stdin=stdin, **env)

    def test_login_with_a_code_from_stdin_then_token(self):
        self.service.add_user("ann", "totp")
        code, out, err = self.login("ann", TOTP_CODE + "\n")
        self.assertEqual(code, 0, err)
        self.assertIn(PROMPT + ":", err)
        self.assertIn("Logged in as ann", err)
        code, out, err = self.cli("token", "--url", self.service.url, "--login", "ann")
        self.assertEqual(code, 0, err)
        token = out.strip()
        self.assertIn(token, self.service.access_tokens)

    def test_b_then_a_backup_code(self):
        self.service.add_user("ben", "totp")
        code, out, err = self.login("ben", "b\n%s\n" % BACKUP)
        self.assertEqual(code, 0, err)
        self.assertIn("Enter a backup code", err)
        self.assertIn("2 backup codes left", err)
        verify = [r[3] for r in self.service.requests if r[1] == "/d/verify"]
        self.assertEqual(verify, [{"backup_code": BACKUP}])

    def test_wrong_code_then_no_more_input(self):
        self.service.add_user("cat", "totp")
        code, out, err = self.login("cat", "000000\n")
        self.assertEqual(code, 1)
        self.assertIn("Wrong code", err)
        self.assertIn("cancelled", err)

    def test_wrong_password(self):
        self.service.add_user("dan", "plain")
        code, out, err = self.login("dan", TWOFA_PASSWORD="wrong")
        self.assertEqual(code, 1)
        self.assertIn("twofa: Wrong login or password.", err)

    def test_enrolment_prints_uri_key_in_groups_and_backup_codes_once(self):
        self.service.add_user("eve", "enroll")
        code, out, err = self.login("eve", ENROLL_CODE + "\n")
        self.assertEqual(code, 0, err)
        self.assertIn("otpauth://totp/", out)
        self.assertIn("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP", out)
        self.assertEqual(out.count("AAAA-BBBB-CCCC-DDDD"), 1)
        self.assertIn("EEEE-FFFF-GGGG-HHHH", out)
        for name in os.listdir(self.dir):
            with open(os.path.join(self.dir, name)) as f:
                text = f.read()
            self.assertNotIn('"pw"', text)  # the password
            for secret in (SECRET, "AAAA-BBBB-CCCC-DDDD", ENROLL_CODE):
                self.assertNotIn(secret, text)

    def test_token_exit_codes(self):
        code, out, err = self.cli("token", "--url", self.service.url, "--login", "nobody")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("log in first", err)

        self.service.add_user("fay", "plain")
        self.assertEqual(self.login("fay")[0], 0)
        self.due("fay")
        self.service.overrides["/d/refresh"] = problem(401, "session-revoked", "x", reason="revoked_by_admin")
        code, out, err = self.cli("token", "--url", self.service.url, "--login", "fay")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("An administrator ended this session", err)

        self.service.add_user("gil", "plain")
        self.assertEqual(self.login("gil")[0], 0)
        self.due("gil", -5)
        self.service.overrides["/d/refresh"] = problem(503, "unavailable", "down")
        code, out, err = self.cli("token", "--url", self.service.url, "--login", "gil")
        self.assertEqual((code, out), (1, ""))
        self.assertIn("unavailable", err)

    def due(self, login, remaining=10):
        from twofa_client.cache import SessionCache
        cache = SessionCache(self.service.url, login, self.dir)
        state = cache.read()
        state["access_expires_at"] = time.time() + remaining
        cache.write(state)

    def test_usage_error_is_not_exit_code_2(self):
        code, out, err = self.cli("token", "--url", self.service.url)
        self.assertEqual(code, 1)
        self.assertIn("--login", err)

    def test_sessions_and_logout(self):
        self.service.add_user("hana", "plain")
        self.assertEqual(self.login("hana")[0], 0)
        code, out, err = self.cli("sessions", "--url", self.service.url, "--login", "hana")
        self.assertEqual(code, 0, err)
        self.assertIn("CLIENT", out)
        self.assertIn("s-0", out)
        code, out, err = self.cli("logout", "--url", self.service.url, "--login", "hana")
        self.assertEqual(code, 0, err)
        self.assertIn("Logged out", err)
        self.assertEqual([r[3] for r in self.service.requests if r[1] == "/d/logout"][0].keys(), {"refresh_token"})
        code, out, err = self.cli("token", "--url", self.service.url, "--login", "hana")
        self.assertEqual(code, 2)

    def test_login_browser(self):
        self.service.device_answers = ["authorization_pending", "approve"]
        self.service.device_login = "ivy"
        self.service.device_interval = 1
        code, out, err = self.cli("login", "--browser", "--url", self.service.url, "--device-name", "farm-12",
                                  timeout=30)
        self.assertEqual(code, 0, err)
        self.assertIn("/device?user_code=WXYZ-2345", err)
        self.assertIn("WXYZ-2345", err)
        self.assertIn("Logged in as ivy", err)
        self.assertEqual(self.service.device_requests, [{"client": "cli", "device_name": "farm-12"}])
        code, out, err = self.cli("token", "--url", self.service.url, "--login", "ivy")
        self.assertEqual(code, 0, err)


if __name__ == "__main__":
    unittest.main()
