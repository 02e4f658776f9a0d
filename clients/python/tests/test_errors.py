"""One clear message per problem type (and per revocation reason); unknown types show the server's detail."""

import unittest

from twofa_client.errors import (REVOCATION_MESSAGES, STEP_API, STEP_ENROLLMENT, STEP_PASSWORD, STEP_REFRESH,
                                 STEP_SECOND_FACTOR, ProblemError)

P = "urn:twofa:problem:"


def message(status, name, step=STEP_API, detail="server detail", retry_after=None, **ext):
    return str(ProblemError(status, P + name if name else None, "title", detail, ext, retry_after, step))


class MessagesTest(unittest.TestCase):

    def test_wrong_password_and_wrong_code_differ_by_step(self):
        self.assertEqual(message(401, "unauthenticated", STEP_PASSWORD), "Wrong login or password.")
        for step in (STEP_SECOND_FACTOR, STEP_ENROLLMENT):
            self.assertTrue(message(401, "unauthenticated", step).startswith("Wrong code:"))

    def test_throttled_names_the_wait(self):
        self.assertEqual(message(429, "throttled", retry_after="30"), "Too many attempts: try again in 30 seconds.")
        self.assertEqual(message(429, "throttled"),
                         "Too many attempts: try again in a moment.")
        self.assertEqual(str(ProblemError(429, P + "throttled", "t", "d", {"retry_after": 900}, None)),
                         "Too many attempts: try again in 15 minutes.")

    def test_each_session_type_and_reason(self):
        self.assertEqual(message(401, "refresh-expired", STEP_REFRESH), "Your session has expired. Log in again.")
        self.assertIn("possible theft", message(401, "refresh-reused", STEP_REFRESH))
        self.assertIn("tell your administrator", message(401, "refresh-reused", STEP_REFRESH))
        seen = set()
        for reason, text in REVOCATION_MESSAGES.items():
            got = message(401, "session-revoked", STEP_REFRESH, reason=reason)
            self.assertEqual(got, text)
            seen.add(got)
        self.assertEqual(len(seen), len(REVOCATION_MESSAGES))
        self.assertEqual(set(REVOCATION_MESSAGES), {
            "logout", "password_changed", "revoked_by_user", "revoked_by_admin", "second_factor_reset",
            "second_factor_changed", "two_factor_switched_on", "two_factor_required", "account_disabled", "reuse"})
        self.assertEqual(message(401, "session-revoked", STEP_REFRESH, reason="cosmic_rays"),
                         "This session was ended (cosmic_rays). Log in again.")

    def test_other_types(self):
        self.assertIn("ask an administrator", message(403, "second-factor-locked", STEP_SECOND_FACTOR))
        self.assertIn("Start the login again", message(401, "challenge-spent", STEP_SECOND_FACTOR))
        self.assertIn("within the last 5 minutes", message(403, "step-up-required", max_age=300))
        self.assertEqual(message(503, "unavailable", retry_after="5"),
                         "The login service is unavailable right now: try again in 5 seconds.")
        self.assertIn("expired", message(401, "invalid-token", STEP_SECOND_FACTOR))

    def test_unknown_type_uses_the_detail(self):
        self.assertEqual(message(409, "brand-new-type", detail="Something new happened."), "Something new happened.")

    def test_non_problem_answer(self):
        self.assertEqual(str(ProblemError(502, None, "Bad Gateway", "The service answered HTTP 502 Bad Gateway.")),
                         "The service answered HTTP 502 Bad Gateway.")

    def test_ends_session_only_for_refresh_failures(self):
        self.assertTrue(ProblemError(401, P + "session-revoked", step=STEP_REFRESH).ends_session)
        self.assertTrue(ProblemError(401, P + "unauthenticated", step=STEP_REFRESH).ends_session)
        self.assertFalse(ProblemError(429, P + "throttled", step=STEP_REFRESH).ends_session)
        self.assertFalse(ProblemError(503, P + "unavailable", step=STEP_REFRESH).ends_session)
        self.assertFalse(ProblemError(401, P + "unauthenticated", step=STEP_PASSWORD).ends_session)


if __name__ == "__main__":
    unittest.main()
