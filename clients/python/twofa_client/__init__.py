"""twofa_client: log in to twofa-service (password, then an authenticator code) from Python tools, and share
the session between processes through a locked per-user cache. Standard library only; Python 3.7+."""

__version__ = "0.1.0"

from .errors import (CacheError, LoginCancelled, LoginRequired, PasswordChangeRequired,  # noqa: E402
                     ProblemError, SecondFactorSetupRequired, TransportError, TwofaError, describe)
from .session import (BACKUP_CODE, TOTP, CodePrompt, DevicePrompt, EnrollmentPrompt, Session,  # noqa: E402
                      unverified_claims)

__all__ = ["Session", "TOTP", "BACKUP_CODE", "CodePrompt", "EnrollmentPrompt", "DevicePrompt", "TwofaError",
           "ProblemError", "LoginRequired", "TransportError", "CacheError", "LoginCancelled",
           "SecondFactorSetupRequired", "PasswordChangeRequired", "describe", "unverified_claims"]
