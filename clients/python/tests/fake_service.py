"""A small in-memory stand-in for twofa-service (http.server in a thread), for offline tests of the client's
protocol logic. It follows the API contract; the integration tests check the real service."""

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

P = "urn:twofa:problem:"
BACKUP = "ABCD-EFGH-JKMN-PQRS"
TOTP_CODE = "123456"
ENROLL_CODE = "654321"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fake_jwt(login, lifetime, **claims):
    now = int(time.time())
    payload = {"upn": login, "iat": now, "exp": now + lifetime, "jti": uuid.uuid4().hex}
    payload.update(claims)
    return "%s.%s.%s" % (_b64({"alg": "ES256", "typ": "at+jwt"}), _b64(payload), "c2ln")


def problem(status, name, detail, **ext):
    body = {"type": P + name, "title": name, "status": status, "detail": detail}
    body.update(ext)
    return status, body


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True


class FakeService(object):
    """Accounts: ``add_user(login, mode)`` with mode "plain" (password only), "totp" (code 123456 or backup code
    ABCD-EFGH-JKMN-PQRS) or "enroll" (enrolment, first code 654321). ``overrides[path]`` = (status, body)
    answers a path instead of the normal logic (a list is consumed answer by answer)."""

    def __init__(self, discovery=True, discovery_base=None, tls=None):
        self.lock = threading.Lock()
        self.requests = []
        self.users = {}
        self.discovery = discovery
        self.discovery_base = discovery_base
        self.access_lifetime = 600
        self.refresh_delay = 0.0
        self.refresh_count = 0
        self.refresh_tokens = {}
        self.access_tokens = {}
        self.overrides = {}
        self.device_answers = []
        self.device_requests = []
        self.challenges = {}
        handler = self._handler()
        self.server = _Server(("127.0.0.1", 0), handler)
        scheme = "http"
        if tls:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d" % (scheme, self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # the paths the discovery document names: deliberately not the documented ones, so tests see which is used
    PATHS = {
        "login_endpoint": "/d/login", "verify_endpoint": "/d/verify", "refresh_endpoint": "/d/refresh",
        "logout_endpoint": "/d/logout", "enrollment_endpoint": "/d/enrollment",
        "enrollment_confirm_endpoint": "/d/enrollment/confirm", "sessions_endpoint": "/d/sessions",
        "device_authorization_endpoint": "/d/device/authorize", "device_token_endpoint": "/d/device/token",
    }
    DOCUMENTED = {
        "/api/v1/auth/login": "login", "/api/v1/auth/verify": "verify", "/api/v1/auth/refresh": "refresh",
        "/api/v1/auth/logout": "logout", "/api/v1/enrollment": "enrollment",
        "/api/v1/enrollment/confirm": "confirm", "/api/v1/me/sessions": "sessions", "/api/v1/me": "me",
        "/api/v1/device/authorize": "device_authorize", "/api/v1/device/token": "device_token",
    }

    def add_user(self, login, mode="plain", password="pw"):
        self.users[login.lower()] = {"login": login, "mode": mode, "password": password, "backup": [BACKUP]}

    def paths_called(self):
        with self.lock:
            return [r[1] for r in self.requests]

    # ------------------------------------------------------------------------------------------- logic

    def _route(self, method, path):
        if path == "/.well-known/twofa-configuration":
            return "discovery"
        for name, p in self.PATHS.items():
            if p == path:
                return {"login_endpoint": "login", "verify_endpoint": "verify", "refresh_endpoint": "refresh",
                        "logout_endpoint": "logout", "enrollment_endpoint": "enrollment",
                        "enrollment_confirm_endpoint": "confirm", "sessions_endpoint": "sessions",
                        "device_authorization_endpoint": "device_authorize",
                        "device_token_endpoint": "device_token"}[name]
        return self.DOCUMENTED.get(path)

    def handle(self, method, path, headers, body):
        with self.lock:
            self.requests.append((method, path, headers, body))
            override = self.overrides.get(path)
            if isinstance(override, list):
                override = override.pop(0) if override else None
        if override is not None:
            return override
        route = self._route(method, path)
        if route is None:
            return problem(404, "http-404", "No such resource.")
        if route == "discovery":
            if not self.discovery:
                return problem(404, "http-404", "No such resource.")
            base = self.discovery_base or self.url
            doc = dict((k, base + v) for k, v in self.PATHS.items())
            doc.update({"issuer": "twofa-service", "refresh_grace_period_seconds": 30})
            return 200, doc
        return getattr(self, "_" + route)(headers, body)

    def _tokens(self, login, client):
        access = fake_jwt(login, self.access_lifetime, client=client)
        self.access_tokens[access] = login
        answer = {"status": "authenticated", "access_token": access, "token_type": "Bearer",
                  "expires_in": self.access_lifetime}
        if client != "web":
            refresh = "rt-" + uuid.uuid4().hex
            self.refresh_tokens[refresh] = {"login": login, "client": client, "state": "live"}
            answer.update({"refresh_token": refresh, "refresh_expires_in": 86400})
        return answer

    def _challenge(self, login, client, purpose):
        token = "ch-" + uuid.uuid4().hex
        self.challenges[token] = (login, client, purpose)
        return token

    def _bearer_challenge(self, headers, purpose):
        token = (headers.get("Authorization") or "")[len("Bearer "):]
        found = self.challenges.get(token)
        if not found or found[2] != purpose:
            return None
        return found

    def _login(self, headers, body):
        user = self.users.get(str(body.get("login", "")).lower())
        if user is None or body.get("password") != user["password"]:
            return problem(401, "unauthenticated", "The login or password is incorrect.")
        client = body.get("client", "web")
        if user["mode"] == "plain":
            return 200, self._tokens(user["login"], client)
        if user["mode"] == "totp":
            return 200, {"status": "second_factor_required", "challenge_token":
                         self._challenge(user["login"], client, "verify"), "expires_in": 300,
                         "methods": ["totp", "backup_code"]}
        return 200, {"status": "enrollment_required", "challenge_token":
                     self._challenge(user["login"], client, "enroll"), "expires_in": 300}

    def _verify(self, headers, body):
        found = self._bearer_challenge(headers, "verify")
        if found is None:
            return problem(401, "invalid-token", "The bearer token is missing, invalid or expired.")
        login, client, _ = found
        user = self.users[login.lower()]
        if body.get("code") == TOTP_CODE:
            answer = self._tokens(login, client)
        elif body.get("backup_code") in user["backup"]:
            user["backup"].remove(body["backup_code"])
            answer = self._tokens(login, client)
            answer.update({"backup_codes_remaining": 2, "regenerate_backup_codes": True})
        else:
            return problem(401, "unauthenticated", "The code is incorrect.")
        del self.challenges[headers["Authorization"][len("Bearer "):]]
        return 200, answer

    def _enrollment(self, headers, body):
        found = self._bearer_challenge(headers, "enroll")
        if found is None:
            return problem(401, "invalid-token", "The bearer token is missing, invalid or expired.")
        login = found[0]
        return 201, {"secret": SECRET, "otpauth_uri": "otpauth://totp/Flow%%20Production%%20Tracking:%s?secret=%s"
                     % (login, SECRET), "qr_png": "data:image/png;base64,AAAA", "expires_in": 600}

    def _confirm(self, headers, body):
        found = self._bearer_challenge(headers, "enroll")
        if found is None:
            return problem(401, "invalid-token", "The bearer token is missing, invalid or expired.")
        if body.get("code") != ENROLL_CODE:
            return problem(401, "unauthenticated", "The code is incorrect.")
        login, client, _ = found
        self.users[login.lower()]["mode"] = "totp"
        answer = self._tokens(login, client)
        answer.update({"status": "enrolled", "backup_codes": ["AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG-HHHH"]})
        return 200, answer

    def _refresh(self, headers, body):
        if self.refresh_delay:
            time.sleep(self.refresh_delay)
        with self.lock:
            self.refresh_count += 1
            entry = self.refresh_tokens.get(body.get("refresh_token"))
            if entry is None:
                return problem(401, "refresh-invalid", "Unknown refresh token.")
            if entry["state"] == "revoked":
                return problem(401, "session-revoked", "The session was ended.", reason=entry.get("reason"))
            if entry["state"] == "rotated":
                # no grace period here: a second use is theft
                for other in self.refresh_tokens.values():
                    if other["login"] == entry["login"]:
                        other.update(state="revoked", reason="reuse")
                return problem(401, "refresh-reused", "This refresh token was already used; the session is revoked.")
            entry["state"] = "rotated"
            return 200, self._tokens(entry["login"], entry["client"])

    def _logout(self, headers, body):
        with self.lock:
            entry = self.refresh_tokens.get(body.get("refresh_token"))
            if entry is not None:
                entry.update(state="revoked", reason="logout")
        return 204, None

    def _bearer_access(self, headers):
        return self.access_tokens.get((headers.get("Authorization") or "")[len("Bearer "):])

    def _sessions(self, headers, body):
        login = self._bearer_access(headers)
        if login is None:
            return problem(401, "invalid-token", "The bearer token is missing, invalid or expired.")
        live = [t for t, e in self.refresh_tokens.items() if e["login"] == login and e["state"] == "live"]
        return 200, {"sessions": [{"id": "s-%d" % i, "client": "toolkit", "created_at": "2026-01-01T00:00:00Z",
                                   "last_used_at": "2026-01-01T00:00:00Z", "expires_at": "2026-02-01T00:00:00Z"}
                                  for i, _ in enumerate(live)]}

    def _me(self, headers, body):
        login = self._bearer_access(headers)
        if login is None:
            return problem(401, "invalid-token", "The bearer token is missing, invalid or expired.")
        return 200, {"account": {"login": login}}

    def _device_authorize(self, headers, body):
        self.device_requests.append(body)
        return 200, {"device_code": "dc-1", "user_code": "WXYZ-2345", "verification_uri": self.url + "/device",
                     "verification_uri_complete": self.url + "/device?user_code=WXYZ-2345", "expires_in": 600,
                     "interval": self.device_interval}

    def _device_token(self, headers, body):
        if body.get("device_code") != "dc-1":
            return problem(400, "invalid-input", "Unknown device code.")
        if self.device_answers:
            answer = self.device_answers.pop(0)
            if answer != "approve":
                return problem(400, answer.replace("_", "-"), answer, error=answer)
        return 200, self._tokens(self.device_login, "cli")

    device_login = "Dora"
    device_interval = 5

    # ------------------------------------------------------------------------------------------- HTTP

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw.decode()) if raw else {}
                status, answer = service.handle(self.command, self.path, dict(self.headers.items()), body)
                headers = {}
                if isinstance(answer, tuple):
                    answer, headers = answer
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                ctype = "application/problem+json" if status >= 400 else "application/json"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
