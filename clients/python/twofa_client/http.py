"""JSON over HTTPS with urllib: certificate verification on, timeouts on every request, no redirects."""

import json
import os
import socket
import ssl
import sys
import urllib.error
import urllib.request

from . import __version__
from .errors import STEP_API, ProblemError, TransportError

DEFAULT_TIMEOUT = 30.0
MAX_BODY = 1024 * 1024
USER_AGENT = "twofa-client/%s Python/%d.%d" % (__version__, sys.version_info[0], sys.version_info[1])


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """The API never redirects. Following one would resend a password or a bearer token to another address
    (urllib copies the Authorization header), so a 3xx becomes an error that names the new address instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Transport(object):
    """Sends JSON requests and returns the decoded JSON answer; problem answers raise ProblemError."""

    def __init__(self, timeout=None, ca_bundle=None):
        self.timeout = float(timeout) if timeout else DEFAULT_TIMEOUT
        cafile = ca_bundle or os.environ.get("TWOFA_CA_BUNDLE") or None
        if cafile and not os.path.isfile(cafile):
            raise TransportError("The CA bundle %s (TWOFA_CA_BUNDLE) does not exist." % cafile)
        # the default context verifies the certificate chain and the host name; a studio CA can be added
        context = ssl.create_default_context(cafile=cafile)
        self._opener = urllib.request.build_opener(_RefuseRedirects(), urllib.request.HTTPSHandler(context=context))

    def request(self, method, url, body=None, bearer=None, step=STEP_API):
        """Returns (status, decoded JSON or None). Raises ProblemError for an HTTP error, TransportError else."""
        data = None
        headers = {"Accept": "application/json, application/problem+json", "User-Agent": USER_AGENT}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if bearer:
            headers["Authorization"] = "Bearer " + bearer
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            response = self._opener.open(req, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            try:
                raise _problem(e, url, step)
            finally:
                e.close()
        except urllib.error.URLError as e:
            raise _unreachable(url, e.reason)
        except (socket.timeout, ssl.SSLError, OSError) as e:
            raise _unreachable(url, e)
        try:
            status = response.status
            raw = _read(response, url)
        finally:
            response.close()
        if status == 204 or not raw.strip():
            return status, None
        try:
            return status, json.loads(raw.decode("utf-8"))
        except ValueError:
            raise TransportError("%s did not answer with JSON (HTTP %d): is the URL the login service?" % (url, status))


def _read(response, url):
    try:
        raw = response.read(MAX_BODY + 1)
    except (socket.timeout, OSError) as e:
        raise _unreachable(url, e)
    if len(raw) > MAX_BODY:
        raise TransportError("%s answered more than %d bytes." % (url, MAX_BODY))
    return raw


def _unreachable(url, reason):
    if isinstance(reason, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(reason):
        return TransportError(
            "The TLS certificate of %s could not be verified (%s). If your studio uses its own certificate "
            "authority, set TWOFA_CA_BUNDLE to its PEM file." % (url, reason))
    if isinstance(reason, socket.timeout) or "timed out" in str(reason):
        return TransportError("%s did not answer in time." % url)
    return TransportError("Could not reach %s (%s)." % (url, reason))


def _problem(error, url, step):
    status = error.code
    if 300 <= status < 400:
        return TransportError("%s redirected to %s: use that address as the service URL."
                              % (url, error.headers.get("Location", "another address")))
    retry_after = error.headers.get("Retry-After") if error.headers is not None else None
    try:
        raw = error.read(MAX_BODY + 1)
    except (socket.timeout, OSError):
        raw = b""
    body = None
    if raw and len(raw) <= MAX_BODY:
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = None
    if not isinstance(body, dict):
        # not from the service itself (a proxy or load balancer, or a non-problem error)
        return ProblemError(status, None, error.reason, "The service answered HTTP %d %s." % (status, error.reason),
                            retry_after=retry_after, step=step)
    extensions = dict((k, v) for k, v in body.items() if k not in ("type", "title", "status", "detail"))
    if retry_after is None:
        retry_after = extensions.get("retry_after")
    return ProblemError(status, body.get("type"), body.get("title"), body.get("detail"), extensions,
                        retry_after=retry_after, step=step)
