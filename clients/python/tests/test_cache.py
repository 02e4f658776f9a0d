"""The session cache: where it lives, owner-only permissions, atomic replacement, refusing unsafe files."""

import json
import os
import shutil
import stat
import sys
import tempfile
import threading
import unittest
from unittest import mock

from twofa_client import cache as cache_module
from twofa_client.cache import SessionCache, default_cache_dir
from twofa_client.errors import CacheError

POSIX = os.name == "posix"


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class CacheDirectoryTest(unittest.TestCase):

    def test_override(self):
        with mock.patch.dict(os.environ, {"TWOFA_CACHE_DIR": "/somewhere/else"}):
            self.assertEqual(default_cache_dir(), os.path.abspath("/somewhere/else"))

    def test_linux_xdg_config_home_and_its_default(self):
        with mock.patch.object(cache_module, "_WINDOWS", False), mock.patch.object(sys, "platform", "linux"):
            with mock.patch.dict(os.environ, {"XDG_CONFIG_HOME": "/xdg", "TWOFA_CACHE_DIR": ""}):
                self.assertEqual(default_cache_dir(), os.path.join("/xdg", "twofa", "sessions"))
            with mock.patch.dict(os.environ, {"XDG_CONFIG_HOME": "relative/ignored", "TWOFA_CACHE_DIR": ""}):
                self.assertEqual(default_cache_dir(),
                                 os.path.join(os.path.expanduser("~"), ".config", "twofa", "sessions"))

    def test_macos(self):
        with mock.patch.object(cache_module, "_WINDOWS", False), mock.patch.object(sys, "platform", "darwin"), \
                mock.patch.dict(os.environ, {"TWOFA_CACHE_DIR": ""}):
            self.assertEqual(default_cache_dir(), os.path.join(os.path.expanduser("~"), "Library",
                                                               "Application Support", "twofa", "sessions"))

    def test_windows_appdata(self):
        with mock.patch.object(cache_module, "_WINDOWS", True), mock.patch.object(sys, "platform", "win32"), \
                mock.patch.dict(os.environ, {"APPDATA": "C:\\Users\\ann\\AppData\\Roaming", "TWOFA_CACHE_DIR": ""}):
            self.assertEqual(default_cache_dir(), os.path.join("C:\\Users\\ann\\AppData\\Roaming", "twofa", "sessions"))


class CacheFileTest(unittest.TestCase):

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="twofa-test-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.dir = os.path.join(self.root, "config", "twofa", "sessions")
        self.cache = SessionCache("https://twofa.example.com", "alice", self.dir)

    def test_round_trip_and_file_per_site_and_login(self):
        self.cache.write({"access_token": "t1"})
        self.assertEqual(self.cache.read()["access_token"], "t1")
        other_login = SessionCache("https://twofa.example.com", "bob", self.dir)
        other_site = SessionCache("https://other.example.com", "alice", self.dir)
        self.assertIsNone(other_login.read())
        self.assertIsNone(other_site.read())
        self.assertEqual(len({self.cache.path, other_login.path, other_site.path}), 3)

    def test_file_name_stays_inside_the_directory(self):
        evil = SessionCache("https://twofa.example.com", "../../etc/passwd\\..\\con:x", self.dir)
        self.assertEqual(os.path.dirname(evil.path), os.path.abspath(self.dir))
        self.assertRegex(os.path.basename(evil.path), r"^[A-Za-z0-9._-]+\.json$")

    @unittest.skipUnless(POSIX, "POSIX permissions")
    def test_directory_0700_and_file_0600_whatever_the_umask(self):
        for umask in (0o000, 0o022, 0o377):
            shutil.rmtree(os.path.join(self.root, "config"), True)
            old = os.umask(umask)
            try:
                self.cache.write({"access_token": "t"})
                self.cache.write({"access_token": "t2"})  # a replacement too
            finally:
                os.umask(old)
            self.assertEqual(mode(self.dir), 0o700, "umask %o" % umask)
            self.assertEqual(mode(os.path.dirname(self.dir)), 0o700, "umask %o" % umask)
            self.assertEqual(mode(self.cache.path), 0o600, "umask %o" % umask)
            with self.cache.lock():
                pass
            self.assertEqual(mode(self.cache.lock_path) & 0o077, 0, "umask %o" % umask)

    @unittest.skipUnless(POSIX, "POSIX permissions")
    def test_the_file_is_owner_only_before_it_gets_its_name(self):
        seen = []
        real_replace = os.replace

        def spy(src, dst):
            seen.append(mode(src))
            return real_replace(src, dst)

        old = os.umask(0)
        try:
            with mock.patch.object(cache_module.os, "replace", spy):
                self.cache.write({"access_token": "t"})
        finally:
            os.umask(old)
        self.assertEqual(seen, [0o600])

    def test_write_is_atomic_for_concurrent_readers(self):
        big = "x" * 200000
        self.cache.write({"n": 0, "pad": big})
        errors = []
        stop = threading.Event()

        def reader():
            while not stop.is_set():
                state = self.cache.read()
                if state is None or state.get("pad") != big:
                    errors.append(state)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            for n in range(1, 60):
                self.cache.write({"n": n, "pad": big})
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.cache.read()["n"], 59)

    def test_failed_write_keeps_the_old_file_and_leaves_no_temp_file(self):
        self.cache.write({"access_token": "old"})

        def broken_write(fd, data):
            raise OSError(28, "No space left on device")

        with mock.patch.object(cache_module.os, "write", broken_write):
            with self.assertRaises(CacheError):
                self.cache.write({"access_token": "new"})
        self.assertEqual(self.cache.read()["access_token"], "old")
        self.assertEqual(sorted(os.listdir(self.dir)), [os.path.basename(self.cache.path)])

    def test_damaged_file_is_no_session(self):
        self.cache.write({"access_token": "t"})
        with open(self.cache.path, "w") as f:
            f.write("{not json")
        self.assertIsNone(self.cache.read())

    def test_remove(self):
        self.cache.write({"access_token": "t"})
        self.cache.remove()
        self.assertIsNone(self.cache.read())
        self.cache.remove()  # nothing to remove is fine

    @unittest.skipUnless(POSIX, "POSIX permissions")
    def test_refuses_a_directory_open_to_others(self):
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        with self.assertRaises(CacheError) as caught:
            self.cache.write({"access_token": "t"})
        self.assertIn("open to other users", str(caught.exception))

    @unittest.skipUnless(POSIX, "POSIX permissions")
    def test_refuses_a_file_open_to_others(self):
        self.cache.write({"access_token": "t"})
        os.chmod(self.cache.path, 0o644)
        with self.assertRaises(CacheError):
            self.cache.read()

    @unittest.skipUnless(POSIX and hasattr(os, "O_NOFOLLOW"), "symbolic links")
    def test_refuses_a_symbolic_link_as_cache_file(self):
        os.makedirs(self.dir, 0o700)
        target = os.path.join(self.root, "elsewhere.json")
        with open(target, "w") as f:
            json.dump({"version": 1, "site": self.cache.site, "login": "alice", "access_token": "planted"}, f)
        os.chmod(target, 0o600)
        os.symlink(target, self.cache.path)
        with self.assertRaises(CacheError):
            self.cache.read()


if __name__ == "__main__":
    unittest.main()


class FakeMsvcrt(object):
    """msvcrt.locking's contract (lock bytes from the current position; LK_NBLCK fails with EACCES when another
    handle holds them), built on flock so the Windows branch of the code can run here."""
    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self):
        self.calls = []

    def locking(self, fd, mode, nbytes):
        import errno
        import fcntl
        self.calls.append((mode, os.lseek(fd, 0, os.SEEK_CUR), nbytes))
        if mode == self.LK_UNLCK:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OSError(errno.EACCES, "Permission denied")


@unittest.skipUnless(POSIX, "simulates the Windows branch on POSIX")
class WindowsBranchTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="twofa-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_msvcrt_lock_excludes_another_handle_and_times_out(self):
        fake = FakeMsvcrt()
        path = os.path.join(self.dir, "s.lock")
        with mock.patch.object(cache_module, "_WINDOWS", True), \
                mock.patch.object(cache_module, "msvcrt", fake, create=True):
            holder = cache_module.FileLock(path)
            other = cache_module.FileLock(path, timeout=0.2)
            other._thread = threading.Lock()  # a different process: only the file lock stands between them
            with holder:
                with self.assertRaises(CacheError):
                    with other:
                        pass
            with other:  # free once released
                pass
        self.assertIn((FakeMsvcrt.LK_NBLCK, 0, 1), fake.calls)
        self.assertIn((FakeMsvcrt.LK_UNLCK, 0, 1), fake.calls)

    def test_replace_is_retried_while_a_reader_holds_the_file(self):
        cache = SessionCache("https://twofa.example.com", "alice", self.dir)
        cache.write({"access_token": "old"})
        real_replace = os.replace
        failures = [PermissionError(13, "in use"), PermissionError(13, "in use")]

        def flaky(src, dst):
            if failures:
                raise failures.pop()
            return real_replace(src, dst)

        with mock.patch.object(cache_module, "_WINDOWS", True), mock.patch.object(cache_module.os, "replace", flaky):
            cache.write({"access_token": "new"})
        self.assertEqual(failures, [])
        self.assertEqual(cache.read()["access_token"], "new")
