"""Errors of the client and the messages shown for each problem type of the service.

Every error of the service is an RFC 9457 problem (``urn:twofa:problem:<name>``). The client turns each known
type into a message a person can act on; an unknown type falls back to the server's ``detail``.
"""

PROBLEM_PREFIX = "urn:twofa:problem:"

# The step a request belonged to: some problem types mean different things at different steps.
STEP_PASSWORD = "password"
STEP_SECOND_FACTOR = "second_factor"
STEP_ENROLLMENT = "enrollment"
STEP_PASSWORD_CHANGE = "password_change"
STEP_REFRESH = "refresh"
STEP_DEVICE = "device"
STEP_API = "api"

# Problem types at POST refresh that end the session: the user must log in again.
SESSION_ENDED_TYPES = ("refresh-invalid", "refresh-expired", "session-revoked", "refresh-reused")

REVOCATION_MESSAGES = {
    "logout": "This session was logged out. Log in again.",
    "password_changed": "Your password was changed, which ended this session. Log in again.",
    "revoked_by_user": "This session was ended from your list of sessions. Log in again.",
    "revoked_by_admin": "An administrator ended this session. Log in again.",
    "second_factor_reset": "An administrator reset your second factor, which ended this session. "
                           "Log in again and set up your authenticator app again.",
    "second_factor_changed": "Your authenticator app was replaced, which ended this session. Log in again.",
    "two_factor_switched_on": "The site now requires two-factor login, which ended this session. Log in again.",
    "two_factor_required": "The site requires two-factor login and this session was opened with a password only. "
                           "Log in again.",
    "account_disabled": "Your account is disabled, which ended this session. Ask an administrator.",
    "reuse": "This session was ended because its refresh token was used twice (possible theft). "
             "Log in again and tell your administrator.",
}


class TwofaError(Exception):
    """Base class of every error raised by twofa_client. ``str(error)`` is a message fit for the user."""

    #: exit code of the command line for this error
    exit_code = 1

    def __init__(self, message):
        super(TwofaError, self).__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class TransportError(TwofaError):
    """The service could not be reached or answered something that is not the API (network, TLS, proxy)."""


class CacheError(TwofaError):
    """The session cache could not be read, written or locked."""


class LoginCancelled(TwofaError):
    """A callback gave no answer (for example no code was entered)."""


class ProblemError(TwofaError):
    """The service answered with a problem (RFC 9457)."""

    def __init__(self, status, problem_type=None, title=None, detail=None, extensions=None, retry_after=None,
                 step=STEP_API):
        self.status = status
        self.type = problem_type
        self.name = problem_type[len(PROBLEM_PREFIX):] if problem_type and problem_type.startswith(PROBLEM_PREFIX) \
            else problem_type
        self.title = title
        self.detail = detail
        self.extensions = extensions or {}
        self.retry_after = retry_after
        self.step = step
        super(ProblemError, self).__init__(describe(self))

    @property
    def reason(self):
        """The revocation reason of a ``session-revoked`` problem, else None."""
        return self.extensions.get("reason")

    @property
    def ends_session(self):
        """True when this answer to a refresh means the session is over (log in again)."""
        if self.step != STEP_REFRESH:
            return False
        if self.name in SESSION_ENDED_TYPES:
            return True
        # Older servers answer every refresh failure with one 401; a 400 means the stored token is unusable.
        return self.status in (400, 401, 403) and self.name not in ("throttled", "unavailable")

    def __repr__(self):
        return "ProblemError(%r, %r, %r)" % (self.status, self.name, self.detail)


class LoginRequired(TwofaError):
    """No usable session: there is none, it expired, or it was ended. ``problem`` is the server's answer, if any."""

    exit_code = 2

    def __init__(self, message, problem=None):
        super(LoginRequired, self).__init__(message)
        self.problem = problem

    @property
    def reason(self):
        return self.problem.reason if self.problem is not None else None


class SecondFactorSetupRequired(TwofaError):
    """The site requires an authenticator app and the account has none, but no enrolment callback was given."""


class PasswordChangeRequired(TwofaError):
    """An administrator reset the password and no callback for a new password was given."""


def _seconds(value):
    try:
        seconds = int(float(value))
    except (TypeError, ValueError):
        return None
    return max(seconds, 1)


def _wait_text(seconds):
    if seconds is None:
        return "a moment"
    if seconds < 120:
        return "%d seconds" % seconds
    return "%d minutes" % ((seconds + 59) // 60)


def describe(problem):
    """The message for a problem answer, by type and step; unknown types use the server's ``detail``."""
    name = problem.name
    step = problem.step
    ext = problem.extensions
    fallback = problem.detail or problem.title or ("The service answered HTTP %s." % problem.status)

    if name == "throttled" or (name is None and problem.status == 429):
        wait = _seconds(problem.retry_after if problem.retry_after is not None else ext.get("retry_after"))
        return "Too many attempts: try again in %s." % _wait_text(wait)
    if name == "unavailable" or (name is None and problem.status == 503):
        wait = _seconds(problem.retry_after if problem.retry_after is not None else ext.get("retry_after"))
        return "The login service is unavailable right now: try again in %s." % _wait_text(wait)
    if name == "unauthenticated":
        if step == STEP_PASSWORD:
            return "Wrong login or password."
        if step in (STEP_SECOND_FACTOR, STEP_ENROLLMENT):
            return "Wrong code: check the code in your authenticator app (or the backup code) and try again."
        if step == STEP_PASSWORD_CHANGE:
            return "The password was not accepted. " + fallback
        if step == STEP_REFRESH:
            return "The saved session is no longer valid (expired or ended). Log in again."
        return fallback
    if name == "second-factor-locked":
        return ("Your second factor is locked after too many wrong codes: ask an administrator to reset it, "
                "then set up your authenticator app again.")
    if name == "session-revoked":
        reason = ext.get("reason")
        if reason in REVOCATION_MESSAGES:
            return REVOCATION_MESSAGES[reason]
        return "This session was ended (%s). Log in again." % (reason or fallback)
    if name == "refresh-reused":
        return ("This session's refresh token had already been used, so the session was ended as possible theft. "
                "Log in again and tell your administrator.")
    if name == "refresh-expired":
        return "Your session has expired. Log in again."
    if name == "refresh-invalid":
        return "The saved session is not known to the service. Log in again."
    if name == "challenge-spent":
        return "This login was already completed or abandoned. Start the login again."
    if name == "invalid-token":
        if step in (STEP_SECOND_FACTOR, STEP_ENROLLMENT, STEP_PASSWORD_CHANGE):
            return "The login took too long and its first step expired. Start the login again."
        return "The access token is missing, expired or not accepted here. Log in again."
    if name == "step-up-required":
        max_age = _seconds(ext.get("max_age"))
        window = (" within the last %s" % _wait_text(max_age)) if max_age else " recently"
        return ("This action needs a login with your password and code%s: confirm them again (step-up), "
                "then retry." % window)
    if name == "no-pending-enrollment":
        return "The setup of your authenticator app expired or was replaced. Start the login again."
    if name == "authorization-pending":
        return "The sign-in has not been approved in the browser yet."
    if name == "slow-down":
        return "Polling too fast; waiting longer between checks."
    if name == "access-denied":
        return "The sign-in was denied in the browser."
    if name == "expired-token":
        return "The sign-in request expired before it was approved. Run the command again."
    if name == "invalid-grant" and step == STEP_DEVICE:
        return "The sign-in request is no longer valid (already used, or unknown to the service). Run the command again."
    return fallback
