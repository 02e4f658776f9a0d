"""``python -m twofa_client login --browser`` (device authorization, RFC 8628) against the real twofa-service.

The command line runs as a separate process, as a person would start it; the test reads the code it prints and then
does what the person does in the browser, through the same API the reference web page uses: sign in with the
password and a TOTP code, look at the request (kind of program, device name, address) and approve or deny it.
Skipped unless TWOFA_TEST_URL is set (see test_integration.py); run by PythonClientTest.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from twofa_client import Session, unverified_claims

from support import PASSWORD, Admin, Http, env_for_cli, run_cli

URL = os.environ.get("TWOFA_TEST_URL")
CODE = re.compile(r"shows the code ([B-Z]{4}-[B-Z]{4})")


@unittest.skipUnless(URL, "TWOFA_TEST_URL is not set: no real service to test against")
class BrowserLoginTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.http = Http(URL)
        cls.admin = Admin(cls.http, os.environ.get("TWOFA_TEST_ADMIN_LOGIN") or "admin",
                          os.environ.get("TWOFA_TEST_ADMIN_PASSWORD") or "")
        cls.admin.two_factor(True)

    @classmethod
    def tearDownClass(cls):
        cls.admin.two_factor(False)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="twofa-device-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def start_cli(self, device_name):
        """``login --browser`` in its own process; returns it and the user code it printed."""
        proc = subprocess.Popen([sys.executable, "-m", "twofa_client", "login", "--browser", "--url", URL,
                                 "--device-name", device_name],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, env=env_for_cli(self.dir),
                                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.addCleanup(self.stop, proc)
        printed = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            printed.append(line)
            match = CODE.search(line)
            if match:
                return proc, match.group(1), "".join(printed)
        self.fail("the command printed no code: %r" % "".join(printed))

    @staticmethod
    def stop(proc):
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    def finish(self, proc):
        """Waits for the command (it polls every few seconds); returns (exit code, rest of stderr)."""
        out, err = proc.communicate(timeout=120)
        return proc.returncode, err

    def browser_sign_in(self, login, app):
        """What the page does: password, then a code from the authenticator app. Returns the access token."""
        answer = self.http.expect(200, "POST", "/api/v1/auth/login",
                                  {"login": login, "password": PASSWORD, "client": "web"})
        self.assertEqual(answer["status"], "second_factor_required")
        done = self.http.expect(200, "POST", "/api/v1/auth/verify", {"code": app.next_code()},
                                answer["challenge_token"])
        return done["access_token"]

    def test_login_with_the_browser_then_token(self):
        login, app, _ = self.admin.enrolled_user("pydev")
        name = "py-node-" + login[-6:]
        proc, user_code, printed = self.start_cli(name)
        self.assertIn("/device?user_code=" + user_code, printed)

        token = self.browser_sign_in(login, app)
        request = self.http.expect(200, "GET", "/api/v1/device/requests/" + user_code.lower().replace("-", ""),
                                   token=token)
        self.assertEqual(request["client"], "cli")
        self.assertEqual(request["device_name"], name)
        self.assertEqual(request["requested_from"], "127.0.0.1")
        self.http.expect(200, "POST", "/api/v1/device/requests/%s/approve" % user_code, token=token)

        code, err = self.finish(proc)
        self.assertEqual(code, 0, err)
        self.assertIn("Logged in as %s" % login, err)
        # stored like a password login: the other commands find the session
        code, out, err = run_cli(["token", "--url", URL, "--login", login], self.dir)
        self.assertEqual(code, 0, err)
        claims = unverified_claims(out.strip())
        self.assertEqual(claims["upn"], login)
        self.assertEqual(claims["client"], "cli")
        self.assertEqual(claims["amr"], ["pwd", "otp", "mfa"])
        self.assertEqual(claims["factor"], "totp")
        self.assertEqual(self.http.expect(200, "GET", "/api/v1/me", token=out.strip())["account"]["login"], login)
        # a refresh-token session of kind cli, which renews without the browser
        state = Session(URL, login, cache_dir=self.dir).cache.read()
        self.assertTrue(state.get("refresh_token"))
        code, out, err = run_cli(["sessions", "--url", URL, "--login", login], self.dir)
        self.assertEqual(code, 0, err)
        self.assertIn("cli", out)

    def test_denied_in_the_browser(self):
        login, app, _ = self.admin.enrolled_user("pydev")
        proc, user_code, _ = self.start_cli("py-denied")
        token = self.browser_sign_in(login, app)
        self.http.expect(200, "POST", "/api/v1/device/requests/%s/deny" % user_code, token=token)
        code, err = self.finish(proc)
        self.assertEqual(code, 1, err)
        self.assertIn("The sign-in was denied in the browser.", err)
        self.assertFalse(os.listdir(self.dir), "no session is saved")

    def test_a_long_host_name_is_shortened_to_what_the_service_takes(self):
        login, app, _ = self.admin.enrolled_user("pydev")
        prompts = []
        result = {}

        def sign_in():
            try:
                result["session"] = Session.login_with_browser(URL, client="toolkit", device_name="n" * 80 + ".example",
                                                              prompt_callback=prompts.append, cache_dir=self.dir)
            except Exception as e:  # reported by the test thread
                result["error"] = e

        worker = threading.Thread(target=sign_in)
        worker.start()
        deadline = time.time() + 30
        while not prompts and time.time() < deadline:
            time.sleep(0.05)
        self.assertTrue(prompts, "no prompt")
        token = self.browser_sign_in(login, app)
        request = self.http.expect(200, "GET", "/api/v1/device/requests/" + prompts[0].user_code, token=token)
        self.assertEqual(request["device_name"], "n" * 64)
        self.assertEqual(request["client"], "toolkit")
        self.http.expect(200, "POST", "/api/v1/device/requests/%s/approve" % prompts[0].user_code, token=token)
        worker.join(60)
        self.assertNotIn("error", result)
        self.assertEqual(unverified_claims(result["session"].token())["client"], "toolkit")


if __name__ == "__main__":
    unittest.main()
