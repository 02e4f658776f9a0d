"""Helpers for the tests: RFC 6238 codes, plain HTTP calls (independent of the client under test), the admin API
of a real service, and a way to run the command line."""

import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "correct horse battery staple"


def hotp(key, counter, digits=6):
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % (10 ** digits)).zfill(digits)


def b32_key(secret):
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def totp(secret, step):
    """The 6-digit RFC 6238 code (HMAC-SHA1, 30 s) of the Base32 secret for a given time step."""
    return hotp(b32_key(secret), step)


def current_step(now=None):
    return int((time.time() if now is None else now) // 30)


class Authenticator(object):
    """A person's authenticator app. The service refuses a step at or before the last one it accepted and
    accepts only T-1..T+1, so each code uses a new step, waiting for the clock when none is left."""

    def __init__(self, secret):
        self.secret = secret
        self.last_step = None

    def next_code(self):
        now = current_step()
        step = now if self.last_step is None else max(now, self.last_step + 1)
        if step > now + 1:
            # wait until that step is at most one ahead of the service's clock
            time.sleep(max(0.0, (step - 1) * 30 - time.time()) + 0.5)
        self.last_step = step
        return totp(self.secret, step)


def env_for_cli(cache_dir, **extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = PACKAGE_ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["TWOFA_CACHE_DIR"] = cache_dir
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("TWOFA_PASSWORD", None)
    env.update(dict((k, v) for k, v in extra.items() if v is not None))
    return env


def run_cli(args, cache_dir, stdin_text="", timeout=120, **env):
    """Runs ``python -m twofa_client ARGS``; returns (exit code, stdout, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "twofa_client"] + list(args), input=stdin_text,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          env=env_for_cli(cache_dir, **env), cwd=PACKAGE_ROOT, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


class Http(object):
    """Plain JSON calls that never raise for an HTTP status: (status, body)."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, body=None, token=None):
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = "Bearer " + token
        url = path if path.startswith("http") else self.base + path
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as e:
            raw = e.read()
            status = e.code
            e.close()
        return status, (json.loads(raw.decode("utf-8")) if raw.strip() else None)

    def expect(self, status, method, path, body=None, token=None):
        got, answer = self.call(method, path, body, token)
        if got != status:
            raise AssertionError("%s %s: expected %d, got %d %r" % (method, path, status, got, answer))
        return answer


class Admin(object):
    """The admin of a real service, through the API: policy and accounts.

    The admin logs in with the password while the policy is off; if it ever has to log in with the policy on
    it enrols (keeping the secret and backup codes in memory) or uses TWOFA_TEST_ADMIN_TOTP_SECRET."""

    def __init__(self, http, login, password):
        self.http = http
        self.login = login
        self.password = password
        secret = os.environ.get("TWOFA_TEST_ADMIN_TOTP_SECRET")
        self.authenticator = Authenticator(secret) if secret else None
        self.backup_codes = []
        self._token = None
        self._expires = 0

    def token(self, fresh=False):
        if not fresh and self._token and self._expires - time.time() > 60:
            return self._token
        answer = self.http.expect(200, "POST", "/api/v1/auth/login",
                                  {"login": self.login, "password": self.password, "client": "web"})
        status = answer["status"]
        if status == "enrollment_required":
            challenge = answer["challenge_token"]
            pending = self.http.expect(201, "POST", "/api/v1/enrollment", {}, challenge)
            self.authenticator = Authenticator(pending["secret"])
            answer = self.http.expect(200, "POST", "/api/v1/enrollment/confirm",
                                      {"code": self.authenticator.next_code()}, challenge)
            self.backup_codes = list(answer["backup_codes"])
        elif status == "second_factor_required":
            if self.backup_codes:
                body = {"backup_code": self.backup_codes.pop()}
            elif self.authenticator:
                body = {"code": self.authenticator.next_code()}
            else:
                raise AssertionError("the admin account has a second factor these tests do not know; "
                                     "switch the site policy off or set TWOFA_TEST_ADMIN_TOTP_SECRET")
            answer = self.http.expect(200, "POST", "/api/v1/auth/verify", body, answer["challenge_token"])
        self._token = answer["access_token"]
        self._expires = time.time() + answer["expires_in"]
        return self._token

    def _admin_call(self, status, method, path, body):
        got, answer = self.http.call(method, path, body, self.token())
        if got == 403 and isinstance(answer, dict) and str(answer.get("type", "")).endswith(":step-up-required"):
            got, answer = self.http.call(method, path, body, self.token(fresh=True))
        if got != status:
            raise AssertionError("%s %s: expected %d, got %d %r" % (method, path, status, got, answer))
        return answer

    def two_factor(self, on):
        return self._admin_call(200, "PUT", "/api/v1/site-policy", {"two_factor_required": on, "enforce_from": None})

    def create_user(self, prefix="py", role="user"):
        login = "%s-%s" % (prefix, uuid.uuid4().hex[:10])
        self._admin_call(201, "POST", "/api/v1/users", {"login": login, "password": PASSWORD, "role": role})
        return login

    def enrolled_user(self, prefix="py"):
        """A user enrolled through the API (policy must be on): (login, Authenticator, backup codes)."""
        login = self.create_user(prefix)
        answer = self.http.expect(200, "POST", "/api/v1/auth/login",
                                  {"login": login, "password": PASSWORD, "client": "web"})
        if answer["status"] != "enrollment_required":
            raise AssertionError("expected enrollment_required for a new user, got %r" % answer)
        challenge = answer["challenge_token"]
        pending = self.http.expect(201, "POST", "/api/v1/enrollment", {}, challenge)
        app = Authenticator(pending["secret"])
        confirmed = self.http.expect(200, "POST", "/api/v1/enrollment/confirm", {"code": app.next_code()}, challenge)
        return login, app, list(confirmed["backup_codes"])
