"""Session: log in (password, then a TOTP or backup code, or enrolment), keep a valid access token, log out."""

import base64
import ipaddress
import json
import logging
import os
import threading
import time
import urllib.parse

from .cache import DEFAULT_LOCK_TIMEOUT, SessionCache
from .errors import (STEP_API, STEP_DEVICE, STEP_ENROLLMENT, STEP_PASSWORD, STEP_PASSWORD_CHANGE, STEP_REFRESH,
                     STEP_SECOND_FACTOR, LoginCancelled, LoginRequired, PasswordChangeRequired, ProblemError,
                     SecondFactorSetupRequired, TransportError, TwofaError)
from .http import Transport

log = logging.getLogger("twofa_client")

TOTP = "totp"
BACKUP_CODE = "backup_code"

#: renew when less than this share of the access token's lifetime is left
RENEW_AT_REMAINING = 0.10
#: wrong codes a person may retype within one login before the error is raised
MAX_CODE_ATTEMPTS = 3

# Used when the service publishes no discovery document (servers from before it existed): the documented paths
# under the URL the user gave.
DOCUMENTED_PATHS = {
    "login_endpoint": "/api/v1/auth/login",
    "verify_endpoint": "/api/v1/auth/verify",
    "refresh_endpoint": "/api/v1/auth/refresh",
    "logout_endpoint": "/api/v1/auth/logout",
    "enrollment_endpoint": "/api/v1/enrollment",
    "enrollment_confirm_endpoint": "/api/v1/enrollment/confirm",
    "step_up_endpoint": "/api/v1/auth/step-up",
    "sessions_endpoint": "/api/v1/me/sessions",
    "device_authorization_endpoint": "/api/v1/device/authorize",
    "device_token_endpoint": "/api/v1/device/token",
    # not in the discovery document
    "me_endpoint": "/api/v1/me",
    "password_endpoint": "/api/v1/me/password",
}
DISCOVERY_PATH = "/.well-known/twofa-configuration"
#: the longest device name the service accepts (device authorization)
DEVICE_NAME_MAX = 64


def normalize_url(url):
    """The site's canonical base URL (scheme, lower-case host, port only if not the default, path without a
    trailing slash). Plain http is refused except to this machine, since passwords and tokens would travel
    in the clear; TWOFA_ALLOW_HTTP=1 allows it anyway (a test network)."""
    if not url:
        raise TwofaError("No service URL given (--url or TWOFA_URL).")
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise TwofaError("The service URL must look like https://host[:port][/path], not %r." % url)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise TwofaError("The service URL must not carry a query, a fragment or credentials: %r." % url)
    host = parts.hostname.lower()
    if scheme == "http" and not _is_loopback(host) and os.environ.get("TWOFA_ALLOW_HTTP") != "1":
        raise TwofaError("Refusing plain http to %s: passwords and tokens would be readable on the network. "
                         "Use https (or set TWOFA_ALLOW_HTTP=1 on a closed test network)." % host)
    port = parts.port
    netloc = "[%s]" % host if ":" in host else host
    if port and not (scheme == "http" and port == 80) and not (scheme == "https" and port == 443):
        netloc += ":%d" % port
    return "%s://%s%s" % (scheme, netloc, parts.path.rstrip("/"))


def _is_loopback(host):
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def unverified_claims(token):
    """The claims of a JWT, read without checking its signature.

    Acceptable here and only here: the token is the service's own answer to our request, received over the
    connection the user chose (TLS verified), so reading it trusts nothing beyond that answer, and the claims
    are only used to name and label the local cache. Anything that *accepts* access tokens must verify them
    (JWKS signature, iss, aud, typ, exp)."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")).decode("utf-8"))
    except (IndexError, ValueError, UnicodeError, AttributeError):
        raise TwofaError("The service returned an access token that is not a JWT.")
    if not isinstance(claims, dict):
        raise TwofaError("The service returned an access token that is not a JWT.")
    return claims


class CodePrompt(object):
    """What ``code_callback`` gets: the second factors offered, and the error of the previous attempt, if any.
    The callback returns ``(TOTP, "123456")`` or ``(BACKUP_CODE, "XXXX-XXXX-XXXX-XXXX")``, or None to cancel."""

    def __init__(self, login, methods, error, attempt):
        self.login = login
        self.methods = methods
        self.error = error
        self.attempt = attempt


class EnrollmentPrompt(object):
    """What ``enrollment_callback`` gets: the authenticator to set up (``otpauth_uri`` for a QR code or a link,
    ``secret`` to type in). It is called again with ``error`` set after a wrong code. It returns the first code
    the app shows, or None to cancel."""

    def __init__(self, login, secret, otpauth_uri, qr_png, expires_in, error, attempt):
        self.login = login
        self.secret = secret
        self.otpauth_uri = otpauth_uri
        self.qr_png = qr_png
        self.expires_in = expires_in
        self.error = error
        self.attempt = attempt

    @property
    def secret_grouped(self):
        """The key in groups of four, as people type it."""
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


class DevicePrompt(object):
    """What ``prompt_callback`` of a browser sign-in gets: the page, the code to check there, its lifetime."""

    def __init__(self, verification_uri, verification_uri_complete, user_code, expires_in):
        self.verification_uri = verification_uri
        self.verification_uri_complete = verification_uri_complete
        self.user_code = user_code
        self.expires_in = expires_in


class Site(object):
    """One service: its base URL, its endpoints (from discovery, else documented paths) and the HTTP transport."""

    _discovery_lock = threading.Lock()

    def __init__(self, url, timeout=None, ca_bundle=None, transport=None):
        self.url = normalize_url(url)
        self.transport = transport or Transport(timeout=timeout, ca_bundle=ca_bundle)
        self._endpoints = None
        self.discovery = None

    def endpoint(self, name):
        if self._endpoints is None:
            with self._discovery_lock:
                if self._endpoints is None:
                    self._endpoints = self._discover()
        return self._endpoints[name]

    def _discover(self):
        endpoints = dict((name, self.url + path) for name, path in DOCUMENTED_PATHS.items())
        try:
            _, document = self.transport.request("GET", self.url + DISCOVERY_PATH)
        except ProblemError as e:
            if e.status in (404, 405):
                # an older service without discovery: the documented paths are its endpoints
                log.debug("no discovery document at %s (HTTP %s): using the documented paths", self.url, e.status)
                return endpoints
            raise
        if not isinstance(document, dict):
            return endpoints
        self.discovery = document
        origin = _origin(self.url)
        for name in DOCUMENTED_PATHS:
            value = document.get(name)
            if not isinstance(value, str) or not value:
                continue
            if _origin(value) != origin:
                # Tokens and passwords go only to the origin the user chose: a proxy that terminates TLS can make
                # the service see (and advertise) another scheme or host, e.g. http://internal:8080.
                log.warning("discovery names %s for %s, outside %s: using the documented path instead",
                            value, name, self.url)
                continue
            endpoints[name] = value
        return endpoints

    def call(self, method, endpoint_name, body=None, bearer=None, step=STEP_API):
        return self.transport.request(method, self.endpoint(endpoint_name), body=body, bearer=bearer, step=step)[1]


class Session(object):
    """A login at one site, shared through the session cache with every process of the same user.

    >>> s = Session("https://twofa.example.com", "alice", code_callback=ask_code)
    >>> s.login(password)          # once; asks for a code (or enrols) through the callbacks
    >>> s.token()                  # any process, any time: a valid access token, renewed when due

    Callbacks (all optional; a step that needs a missing one raises an error):
    ``code_callback(CodePrompt) -> (TOTP|BACKUP_CODE, code)``,
    ``enrollment_callback(EnrollmentPrompt) -> first code``,
    ``backup_codes_callback(list_of_codes)`` (show them once, they are not kept),
    ``password_change_callback() -> new password`` (after an administrator reset the password),
    ``notice_callback(message)`` (e.g. how many backup codes are left).
    """

    def __init__(self, url, login, client="toolkit", code_callback=None, enrollment_callback=None,
                 backup_codes_callback=None, password_change_callback=None, notice_callback=None, cache_dir=None,
                 timeout=None, ca_bundle=None, lock_timeout=DEFAULT_LOCK_TIMEOUT, site=None):
        if not login:
            raise TwofaError("No login given.")
        self.site = site or Site(url, timeout=timeout, ca_bundle=ca_bundle)
        self.url = self.site.url
        self.login_name = login.strip()
        self.client = client
        self.code_callback = code_callback
        self.enrollment_callback = enrollment_callback
        self.backup_codes_callback = backup_codes_callback
        self.password_change_callback = password_change_callback
        self.notice_callback = notice_callback
        # logins are case-insensitive at the service: one cache file per account
        self.cache = SessionCache(self.url, self.login_name.lower(), cache_dir, lock_timeout)

    # ----------------------------------------------------------------------------------------------- login

    def login(self, password):
        """Logs in with the password and whatever second step the site asks for; saves the session.
        Returns the login answer (a dict with ``access_token``, ``expires_in``, ...)."""
        answer = self.site.call("POST", "login_endpoint",
                                {"login": self.login_name, "password": password, "client": self.client},
                                step=STEP_PASSWORD)
        # a login has at most: password change, then enrolment or a second factor, then the tokens
        for _ in range(4):
            status = answer.get("status") if isinstance(answer, dict) else None
            if isinstance(answer, dict) and answer.get("access_token") and status in (None, "authenticated", "enrolled"):
                self._save_login(answer)
                return answer
            if status == "second_factor_required":
                answer = self._second_factor(answer)
            elif status == "enrollment_required":
                answer = self._enrol(answer)
            elif status == "password_change_required":
                answer = self._change_password(answer, password)
            else:
                raise TwofaError("The service answered the login with an unexpected status %r." % status)
        raise TwofaError("The login did not finish.")

    def _second_factor(self, answer):
        if self.code_callback is None:
            raise TwofaError("This account needs a code from an authenticator app, but no code callback was given.")
        challenge = _field(answer, "challenge_token")
        methods = answer.get("methods") or [TOTP, BACKUP_CODE]
        error = None
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            choice = self.code_callback(CodePrompt(self.login_name, methods, error, attempt))
            if not choice:
                raise LoginCancelled("No code was entered; the login was cancelled.")
            factor, code = choice
            code = (code or "").strip()
            if factor == TOTP:
                body = {"code": code.replace(" ", "")}
            elif factor == BACKUP_CODE:
                body = {"backup_code": code}
            else:
                raise TwofaError("Unknown second factor %r (use %r or %r)." % (factor, TOTP, BACKUP_CODE))
            try:
                result = self.site.call("POST", "verify_endpoint", body, bearer=challenge, step=STEP_SECOND_FACTOR)
            except ProblemError as e:
                if e.name == "unauthenticated" and attempt < MAX_CODE_ATTEMPTS:
                    error = e
                    continue
                raise
            remaining = result.get("backup_codes_remaining")
            if remaining is not None and self.notice_callback:
                note = "You have %d backup code%s left." % (remaining, "" if remaining == 1 else "s")
                if result.get("regenerate_backup_codes"):
                    note += " Make a new set soon (web page: Backup codes)."
                self.notice_callback(note)
            return result
        raise TwofaError("The login did not finish.")  # not reached: the last attempt returns or raises

    def _enrol(self, answer):
        if self.enrollment_callback is None:
            raise SecondFactorSetupRequired(
                "This site requires two-factor login and your account has no authenticator app yet: log in once "
                "in a terminal (python -m twofa_client login) or on the web page to set it up.")
        if self.backup_codes_callback is None:
            # the backup codes are shown only once: enrolling without a way to show them would lose them
            raise TwofaError("Setting up an authenticator app needs backup_codes_callback to show the backup codes.")
        challenge = _field(answer, "challenge_token")
        pending = self.site.call("POST", "enrollment_endpoint", {}, bearer=challenge, step=STEP_ENROLLMENT)
        qr = pending.get("qr_png")
        error = None
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            code = self.enrollment_callback(EnrollmentPrompt(self.login_name, _field(pending, "secret"),
                                                             _field(pending, "otpauth_uri"), qr, pending.get("expires_in"),
                                                             error, attempt))
            if not code:
                raise LoginCancelled("No code was entered; the authenticator app was not set up.")
            try:
                confirmed = self.site.call("POST", "enrollment_confirm_endpoint",
                                           {"code": code.strip().replace(" ", "")}, bearer=challenge,
                                           step=STEP_ENROLLMENT)
            except ProblemError as e:
                if e.name == "unauthenticated" and attempt < MAX_CODE_ATTEMPTS:
                    error = e
                    continue
                raise
            self.backup_codes_callback(list(confirmed.get("backup_codes") or []))
            return confirmed
        raise TwofaError("The login did not finish.")

    def _change_password(self, answer, password):
        if self.password_change_callback is None:
            raise PasswordChangeRequired("An administrator reset your password: choose a new one on the web page, "
                                         "or log in in a terminal (python -m twofa_client login).")
        new_password = self.password_change_callback()
        if not new_password:
            raise LoginCancelled("No new password was given; the login was cancelled.")
        return self.site.call("PUT", "password_endpoint",
                              {"current_password": password, "new_password": new_password},
                              bearer=_field(answer, "challenge_token"), step=STEP_PASSWORD_CHANGE)

    def _save_login(self, answer):
        state = _state_from(answer, self.client, time.time())
        with self.cache.lock():
            previous = self.cache.read()
            self.cache.write(state)
        # a replaced session is ended at the service too, so no valid refresh token is left behind
        old = (previous or {}).get("refresh_token")
        if old and old != state.get("refresh_token"):
            try:
                self.site.call("POST", "logout_endpoint", {"refresh_token": old}, step=STEP_REFRESH)
            except TwofaError as e:
                log.info("could not end the replaced session: %s", e)

    # ----------------------------------------------------------------------------------------------- tokens

    def token(self):
        """A valid access token, renewed (POST refresh) when less than 10 % of its lifetime is left.

        Raises LoginRequired when there is no session, it expired or it was ended (``.problem`` says why)."""
        token = _fresh_token(self.cache.read(), time.time())
        if token:
            return token
        with self.cache.lock():
            # another process may have renewed while we waited for the lock: use its result
            state = self.cache.read()
            now = time.time()
            token = _fresh_token(state, now)
            if token:
                return token
            return self._renew_locked(state, now)

    def _renew_locked(self, state, now):
        if state is None:
            raise LoginRequired("No saved session for %s at %s: log in first." % (self.login_name, self.url))
        ended = state.get("ended")
        if ended:
            problem = ProblemError(ended.get("status") or 401, ended.get("type"), ended.get("title"),
                                   ended.get("detail"), ended.get("extensions"), step=STEP_REFRESH)
            raise LoginRequired(problem.message, problem)
        still_valid = state.get("access_token") and now < state.get("access_expires_at", 0) - 5
        if not state.get("refresh_token"):
            if still_valid:
                return state["access_token"]
            raise LoginRequired("The saved login of %s at %s has expired: log in again." % (self.login_name, self.url))
        try:
            answer = self.site.call("POST", "refresh_endpoint", {"refresh_token": state["refresh_token"]},
                                    step=STEP_REFRESH)
        except ProblemError as e:
            if e.ends_session:
                self._mark_ended(state, e)
                raise LoginRequired(e.message, e)
            if still_valid:
                log.warning("could not renew the session yet (%s); the current token is still valid", e)
                return state["access_token"]
            raise
        except TransportError as e:
            if still_valid:
                log.warning("could not renew the session yet (%s); the current token is still valid", e)
                return state["access_token"]
            raise
        renewed = _state_from(answer, state.get("client"), time.time(), previous=state)
        self.cache.write(renewed)
        return renewed["access_token"]

    def _mark_ended(self, state, problem):
        # Kept so every other process shows the same reason without asking the service; no token stays behind.
        ended = {"status": problem.status, "type": problem.type, "title": problem.title, "detail": problem.detail,
                 "extensions": problem.extensions, "at": time.time()}
        keep = dict((k, state[k]) for k in ("client", "created_at") if k in state)
        keep["ended"] = ended
        self.cache.write(keep)

    def claims(self):
        """The claims of the current access token (unverified; see unverified_claims)."""
        return unverified_claims(self.token())

    # ----------------------------------------------------------------------------------------------- the rest

    def logout(self):
        """Ends the session at the service and removes it from the cache. Returns False when there was none.
        If the service cannot be reached the cache is kept, so the logout can be retried."""
        with self.cache.lock():
            state = self.cache.read()
            if state is None:
                return False
            if state.get("refresh_token") and not state.get("ended"):
                try:
                    self.site.call("POST", "logout_endpoint", {"refresh_token": state["refresh_token"]},
                                   step=STEP_REFRESH)
                except ProblemError as e:
                    if e.status >= 500 or e.status == 429:
                        raise
                    # 4xx: the service no longer knows this session; nothing left to end there
            self.cache.remove()
            return True

    def sessions(self):
        """The account's live sessions (list of dicts: id, client, created_at, last_used_at, expires_at)."""
        answer = self.site.call("GET", "sessions_endpoint", bearer=self.token())
        return (answer or {}).get("sessions", [])

    def me(self):
        """GET /api/v1/me with the current access token."""
        return self.site.call("GET", "me_endpoint", bearer=self.token())

    @classmethod
    def login_with_browser(cls, url, client="cli", device_name=None, prompt_callback=None, cache_dir=None,
                           timeout=None, ca_bundle=None, sleep=time.sleep, **kwargs):
        """Device authorization (RFC 8628): the person signs in and approves in a browser; nothing of the
        password or the code passes through this process. ``prompt_callback(DevicePrompt)`` shows the link and
        the user code. Returns the Session, saved in the cache under the login the service names."""
        site = Site(url, timeout=timeout, ca_bundle=ca_bundle)
        request = {"client": client}
        # the service takes up to 64 printable characters (a fully qualified host name can be longer)
        name = "".join(c for c in (device_name or "") if c.isprintable()).strip()[:DEVICE_NAME_MAX].strip()
        if name:
            request["device_name"] = name
        grant = site.call("POST", "device_authorization_endpoint", request, step=STEP_DEVICE)
        if prompt_callback:
            prompt_callback(DevicePrompt(grant.get("verification_uri"), grant.get("verification_uri_complete"),
                                         grant.get("user_code"), grant.get("expires_in")))
        interval = max(int(grant.get("interval") or 5), 1)
        deadline = time.time() + int(grant.get("expires_in") or 600)
        failures = 0
        while True:
            sleep(interval)
            if time.time() > deadline:
                raise TwofaError("The sign-in request expired before it was approved. Run the command again.")
            try:
                answer = site.call("POST", "device_token_endpoint", {"device_code": _field(grant, "device_code")},
                                   step=STEP_DEVICE)
            except ProblemError as e:
                error = e.extensions.get("error") or (e.name or "").replace("-", "_")
                # the service names the interval it expects from now on; without it, RFC 8628 §3.5 rules
                advised = _int(e.extensions.get("interval"))
                if error == "authorization_pending":
                    interval = max(interval, advised)
                    continue
                if error == "slow_down":
                    interval = max(interval + 5, advised)
                    continue
                if e.status >= 500 and failures < 3:
                    failures += 1
                    continue
                raise
            except TransportError:
                if failures >= 3:
                    raise
                failures += 1
                continue
            login = unverified_claims(_field(answer, "access_token")).get("upn")
            if not login:
                raise TwofaError("The access token names no login (claim upn).")
            session = cls(url, login, client=client, cache_dir=cache_dir, site=site, **kwargs)
            session._save_login(answer)
            return session


def _fresh_token(state, now):
    """The cached access token if it has at least 10 % of its lifetime left."""
    if not state or state.get("ended") or not state.get("access_token"):
        return None
    expires_at = state.get("access_expires_at") or 0
    lifetime = state.get("access_lifetime") or 0
    if expires_at - now >= lifetime * RENEW_AT_REMAINING and expires_at > now:
        return state["access_token"]
    return None


def _state_from(answer, client, now, previous=None):
    """The cache entry for a login or refresh answer. Expiry is on this machine's clock (received time plus
    expires_in), so a skewed clock does not make the client renew too late."""
    _field(answer, "access_token")
    lifetime = int(answer.get("expires_in") or 0)
    state = {
        "client": client,
        "token_type": answer.get("token_type") or "Bearer",
        "access_token": answer["access_token"],
        "access_lifetime": lifetime,
        "access_expires_at": now + lifetime,
        "created_at": (previous or {}).get("created_at", now),
        "renewed_at": now,
    }
    refresh = answer.get("refresh_token") or (previous or {}).get("refresh_token")
    if refresh:
        state["refresh_token"] = refresh
        if answer.get("refresh_expires_in") is not None:
            state["refresh_expires_at"] = now + int(answer["refresh_expires_in"])
        elif previous and previous.get("refresh_expires_at"):
            state["refresh_expires_at"] = previous["refresh_expires_at"]
    return state


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _field(answer, name):
    """A member the API promises; a missing one means the URL is not (this version of) the service."""
    value = answer.get(name) if isinstance(answer, dict) else None
    if not value:
        raise TransportError("The service's answer lacks %r: is the URL the twofa login service?" % name)
    return value
