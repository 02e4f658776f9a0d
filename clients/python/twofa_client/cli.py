"""The command line: ``python -m twofa_client login|token|logout|sessions``.

Prompts and messages go to stderr; what a script may capture (the token, the session list) and what the
person must copy (the key of a new authenticator, backup codes) go to stdout. Exit codes: 0 done, 1 error,
2 a new login is needed (no session, expired, ended).
"""

import argparse
import getpass
import os
import socket
import sys

from . import __version__
from .errors import LoginCancelled, LoginRequired, TwofaError
from .session import BACKUP_CODE, TOTP, Session

CODE_PROMPT = "Enter the 6-digit code from your authenticator app, or 'b' to use a backup code"
CLIENTS = ("toolkit", "desktop", "rv", "review-ios", "cli", "web")


def _err(message=""):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _out(message=""):
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def _read_line(prompt):
    """One line from stdin (a terminal, or a pipe in scripts); None at end of input."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        _err()
        return None
    return line.strip()


def ask_code(prompt):
    if prompt.error is not None:
        _err(str(prompt.error))
    while True:
        answer = _read_line(CODE_PROMPT + ": ")
        if answer is None:
            return None
        if answer.lower() == "b":
            backup = _read_line("Enter a backup code: ")
            return (BACKUP_CODE, backup) if backup else None
        digits = answer.replace(" ", "")
        if len(digits) == 6 and digits.isdigit():
            return TOTP, digits
        _err("A code from the app has 6 digits; type 'b' to use a backup code instead.")
        if not sys.stdin.isatty():
            return None


def show_enrollment(prompt):
    if prompt.attempt == 1:
        _out("This site requires two-factor login. Set up an authenticator app for %s:" % prompt.login)
        _out("  open or scan this link in the app:")
        _out("    " + prompt.otpauth_uri)
        _out("  or type this key into it: " + prompt.secret_grouped)
    elif prompt.error is not None:
        _err(str(prompt.error))
    while True:
        code = _read_line("Enter the 6-digit code the app now shows: ")
        if code is None:
            return None
        digits = code.replace(" ", "")
        if len(digits) == 6 and digits.isdigit():
            return digits
        _err("The code has 6 digits.")
        if not sys.stdin.isatty():
            return None


def show_backup_codes(codes):
    _out("Your backup codes: each works once, for when you do not have your phone.")
    _out("They are shown only now: print them or keep them in your password manager.")
    for code in codes:
        _out("  " + code)


def ask_new_password():
    new = os.environ.get("TWOFA_NEW_PASSWORD")
    if new:
        return new
    _err("An administrator reset your password: choose a new one (8 characters or more).")
    for _ in range(3):
        first = getpass.getpass("New password: ")
        if first and first == getpass.getpass("Repeat the new password: "):
            return first
        _err("The two entries differ (or are empty); try again.")
    return None


def show_device_prompt(prompt):
    _err("To sign in, open this page in your browser:")
    _err("  " + (prompt.verification_uri_complete or prompt.verification_uri))
    _err("and check that it shows the code %s (or go to %s and type it)." % (prompt.user_code,
                                                                          prompt.verification_uri))
    _err("Waiting for approval...")


def _login_name(args):
    if args.login:
        return args.login
    if sys.stdin.isatty():
        name = _read_line("Login: ")
        if name:
            return name
    raise TwofaError("No login given (--login or TWOFA_LOGIN).")


def cmd_login(args):
    if args.browser:
        session = Session.login_with_browser(args.url, client=args.client or "cli",
                                             device_name=args.device_name or socket.gethostname(),
                                             prompt_callback=show_device_prompt, notice_callback=_err)
        _err("Logged in as %s at %s." % (session.login_name, session.url))
        return 0
    login = _login_name(args)
    session = Session(args.url, login, client=args.client or "toolkit", code_callback=ask_code,
                      enrollment_callback=show_enrollment, backup_codes_callback=show_backup_codes,
                      password_change_callback=ask_new_password, notice_callback=_err)
    password = os.environ.get("TWOFA_PASSWORD")
    if not password:
        password = getpass.getpass("Password for %s at %s: " % (login, session.url))
    if not password:
        raise LoginCancelled("No password was entered.")
    answer = session.login(password)
    if answer.get("enrollment_due"):
        _err("Two-factor login becomes required on %s: you will set up an authenticator app at your next login "
             "after that." % answer["enrollment_due"])
    _err("Logged in as %s at %s." % (login, session.url))
    return 0


def _session(args):
    if not args.login:
        raise TwofaError("No login given (--login or TWOFA_LOGIN).")
    return Session(args.url, args.login)


def cmd_token(args):
    _out(_session(args).token())
    return 0


def cmd_logout(args):
    if _session(args).logout():
        _err("Logged out.")
    else:
        _err("There was no saved session for %s at %s." % (args.login, args.url))
    return 0


def cmd_sessions(args):
    sessions = _session(args).sessions()
    if not sessions:
        _out("No live sessions.")
        return 0
    columns = ("id", "client", "created_at", "last_used_at", "expires_at")
    rows = [[str(s.get(c) or "") for c in columns] for s in sessions]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    _out("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
    for row in rows:
        _out("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # exit code 2 means "log in again" for this tool, so a usage error exits 1 (argparse's default is 2)
        self.print_usage(sys.stderr)
        self.exit(1, "%s: error: %s\n" % (self.prog, message))


def build_parser():
    parser = _Parser(prog="python -m twofa_client",
                                     description="Log in to twofa-service and share the session with other tools.")
    parser.add_argument("--version", action="version", version="twofa_client " + __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    def common(p, login_required):
        p.add_argument("--url", default=os.environ.get("TWOFA_URL"), required=not os.environ.get("TWOFA_URL"),
                       help="the service, e.g. https://twofa.example.com (default: TWOFA_URL)")
        p.add_argument("--login", default=os.environ.get("TWOFA_LOGIN"),
                       required=login_required and not os.environ.get("TWOFA_LOGIN"),
                       help="your login (default: TWOFA_LOGIN)")

    p = commands.add_parser("login", help="log in and save the session")
    common(p, False)
    p.add_argument("--client", choices=CLIENTS, help="the kind of program (default: toolkit; cli with --browser)")
    p.add_argument("--browser", action="store_true", help="sign in and approve in a web browser (device code)")
    p.add_argument("--device-name", help="shown on the approval page (default: this machine's name)")
    p.set_defaults(func=cmd_login)

    p = commands.add_parser("token", help="print a valid access token, renewing the session when due")
    common(p, True)
    p.set_defaults(func=cmd_token)

    p = commands.add_parser("logout", help="end the session at the service and remove it from the cache")
    common(p, True)
    p.set_defaults(func=cmd_logout)

    p = commands.add_parser("sessions", help="list the live sessions of your account")
    common(p, True)
    p.set_defaults(func=cmd_sessions)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LoginRequired as e:
        _err("twofa: %s" % e)
        return e.exit_code
    except TwofaError as e:
        _err("twofa: %s" % e)
        return e.exit_code
    except KeyboardInterrupt:
        _err()
        return 130
