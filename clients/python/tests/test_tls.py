"""Certificate verification stays on: a self-signed service is refused unless its CA is given (TWOFA_CA_BUNDLE)."""

import os
import shutil
import subprocess
import tempfile
import unittest
from unittest import mock

from twofa_client import Session, TransportError

from fake_service import FakeService


@unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make a test certificate")
class TlsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="twofa-tls-")
        cls.cert = os.path.join(cls.dir, "cert.pem")
        cls.key = os.path.join(cls.dir, "key.pem")
        subprocess.check_call(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                               "-nodes", "-days", "2", "-subj", "/CN=twofa-test", "-keyout", cls.key, "-out",
                               cls.cert, "-addext", "subjectAltName=IP:127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, True)

    def setUp(self):
        self.cache = tempfile.mkdtemp(prefix="twofa-test-")
        self.addCleanup(shutil.rmtree, self.cache, True)
        self.service = FakeService(tls=(self.cert, self.key))
        self.service.__enter__()
        self.addCleanup(self.service.__exit__)
        self.service.add_user("a", "plain")

    def test_unknown_certificate_authority_is_refused(self):
        with mock.patch.dict(os.environ, {"TWOFA_CA_BUNDLE": ""}):
            with self.assertRaises(TransportError) as caught:
                Session(self.service.url, "a", cache_dir=self.cache).login("pw")
        self.assertIn("could not be verified", str(caught.exception))
        self.assertIn("TWOFA_CA_BUNDLE", str(caught.exception))
        self.assertEqual(self.service.paths_called(), [])

    def test_ca_bundle_from_the_environment(self):
        with mock.patch.dict(os.environ, {"TWOFA_CA_BUNDLE": self.cert}):
            s = Session(self.service.url, "a", cache_dir=self.cache)
            self.assertTrue(s.login("pw")["access_token"])

    def test_ca_bundle_argument(self):
        s = Session(self.service.url, "a", cache_dir=self.cache, ca_bundle=self.cert)
        self.assertTrue(s.login("pw")["access_token"])

    def test_missing_ca_bundle_file_is_an_error(self):
        with self.assertRaises(TransportError):
            Session(self.service.url, "a", cache_dir=self.cache, ca_bundle=os.path.join(self.dir, "missing.pem"))


if __name__ == "__main__":
    unittest.main()
