"""The session cache: one owner-only JSON file per (site, login), replaced atomically, guarded by a lock file.

Many processes share one session (Desktop and every tool it starts). Reads need no lock because a file is
only ever replaced whole (temp file + os.replace); every read-renew-write holds an exclusive lock on a
separate ``.lock`` file (fcntl.flock on POSIX, msvcrt.locking on Windows), so only one process renews and the
others find its result when they re-read under the lock.
"""

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import sys
import threading
import time

from .errors import CacheError

FORMAT_VERSION = 1
DEFAULT_LOCK_TIMEOUT = 60.0

_WINDOWS = sys.platform.startswith("win")
if _WINDOWS:  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def default_cache_dir():
    """``TWOFA_CACHE_DIR``, else ``twofa/sessions`` in the user's configuration directory."""
    override = os.environ.get("TWOFA_CACHE_DIR")
    if override:
        return os.path.abspath(os.path.expanduser(override))
    home = os.path.expanduser("~")
    if _WINDOWS:
        base = os.environ.get("APPDATA") or os.path.join(home, "AppData", "Roaming")
    elif sys.platform == "darwin":
        base = os.path.join(home, "Library", "Application Support")
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME")
        # the XDG spec says relative paths are to be ignored
        base = xdg if xdg and os.path.isabs(xdg) else os.path.join(home, ".config")
    return os.path.join(base, "twofa", "sessions")


def file_stem(site, login):
    """A file name safe on every OS: readable host and login for people, a hash of both for uniqueness."""
    digest = hashlib.sha256(("%s\n%s" % (site, login)).encode("utf-8")).hexdigest()[:20]
    host = site.split("://", 1)[-1].split("/", 1)[0]
    readable = re.sub(r"[^A-Za-z0-9.-]+", "_", "%s_%s" % (host, login))[:60]
    return "%s-%s" % (readable, digest)


def _check_private(st, path, what):
    """POSIX only: the file or directory must be ours and closed to group and others (Windows relies on the
    per-user ACL of %APPDATA%, since st_mode does not describe Windows permissions)."""
    if _WINDOWS:
        return
    if st.st_uid != os.geteuid():
        raise CacheError("The session cache %s %s belongs to another user; refusing to use it." % (what, path))
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise CacheError("The session cache %s %s is open to other users (mode %o); make it owner-only "
                         "(chmod %s %s) or remove it." % (what, path, stat.S_IMODE(st.st_mode),
                                                          "700" if what == "directory" else "600", path))


def ensure_private_dir(path):
    """Creates the directory (and missing parents) with mode 0700 and checks an existing one is owner-only."""
    missing = []
    current = path
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except OSError as e:
            if e.errno != errno.EEXIST:
                raise CacheError("Cannot create the session cache directory %s: %s" % (directory, e.strerror))
            continue
        if not _WINDOWS:
            # mkdir's mode passes through the umask, which may remove owner bits too: set exactly 0700
            os.chmod(directory, 0o700)
    try:
        st = os.lstat(path)
    except OSError as e:
        raise CacheError("Cannot use the session cache directory %s: %s" % (path, e.strerror))
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError("The session cache path %s is not a directory." % path)
    _check_private(st, path, "directory")


_thread_locks = {}
_thread_locks_guard = threading.Lock()


def _thread_lock(path):
    with _thread_locks_guard:
        lock = _thread_locks.get(path)
        if lock is None:
            lock = _thread_locks[path] = threading.Lock()
        return lock


class FileLock(object):
    """An exclusive inter-process lock on a lock file, plus a thread lock for threads of this process.

    The lock file is never deleted: removing it while another process waits on it would let two processes
    hold "the" lock at once (each on a different inode)."""

    def __init__(self, path, timeout=DEFAULT_LOCK_TIMEOUT):
        self.path = path
        self.timeout = timeout
        self._fd = None
        self._thread = _thread_lock(os.path.abspath(path))

    def __enter__(self):
        deadline = time.time() + self.timeout
        if not self._thread.acquire(True, self.timeout):
            raise CacheError("Timed out waiting for the session cache lock %s." % self.path)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _BINARY, 0o600)
        except OSError as e:
            self._thread.release()
            raise CacheError("Cannot open the lock file %s: %s" % (self.path, e.strerror))
        try:
            if not _WINDOWS:
                _check_private(os.fstat(fd), self.path, "lock file")
            delay = 0.005
            while True:
                if self._try_lock(fd):
                    break
                if time.time() >= deadline:
                    raise CacheError("Timed out after %.0f s waiting for the session cache lock %s: another "
                                     "process holds it." % (self.timeout, self.path))
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        except BaseException:
            os.close(fd)
            self._thread.release()
            raise
        self._fd = fd
        return self

    def _try_lock(self, fd):
        try:
            if _WINDOWS:  # pragma: no cover
                # msvcrt locks a byte range from the current position; byte 0 is the lock (may lie past EOF)
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EAGAIN, errno.EDEADLK, getattr(errno, "EWOULDBLOCK", errno.EAGAIN)):
                return False
            raise CacheError("Cannot lock %s: %s" % (self.path, e))

    def __exit__(self, *exc):
        fd, self._fd = self._fd, None
        try:
            if _WINDOWS:  # pragma: no cover
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
            self._thread.release()
        return False


class SessionCache(object):
    """The cached session of one (site, login): ``read()``, ``write(state)``, ``remove()`` and ``lock()``."""

    def __init__(self, site, login, directory=None, lock_timeout=DEFAULT_LOCK_TIMEOUT):
        self.site = site
        self.login = login
        self.directory = os.path.abspath(directory) if directory else default_cache_dir()
        stem = file_stem(site, login)
        self.path = os.path.join(self.directory, stem + ".json")
        self.lock_path = os.path.join(self.directory, stem + ".lock")
        self.lock_timeout = lock_timeout

    def lock(self):
        """The inter-process lock around read-renew-write (a context manager)."""
        ensure_private_dir(self.directory)
        return FileLock(self.lock_path, self.lock_timeout)

    def read(self):
        """The cached state (a dict), or None when there is none (or it belongs to another site or login)."""
        raw = self._read_bytes()
        if raw is None:
            return None
        try:
            state = json.loads(raw.decode("utf-8"))
        except ValueError:
            # a damaged file holds no session we could use; the next login replaces it
            return None
        if not isinstance(state, dict) or state.get("version") != FORMAT_VERSION \
                or state.get("site") != self.site or state.get("login") != self.login:
            return None
        return state

    def _read_bytes(self):
        for attempt in range(20):
            try:
                fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW | _BINARY)
            except OSError as e:
                if e.errno == errno.ENOENT:
                    return None
                if _WINDOWS and e.errno == errno.EACCES and attempt < 19:  # pragma: no cover
                    time.sleep(0.05)  # being replaced right now
                    continue
                raise CacheError("Cannot read the session cache %s: %s" % (self.path, e.strerror))
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise CacheError("The session cache %s is not a regular file." % self.path)
                _check_private(st, self.path, "file")
                chunks = []
                while True:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                return b"".join(chunks)
            finally:
                os.close(fd)
        return None

    def write(self, state):
        """Replaces the cached state atomically; the file is owner-only (0600) from the moment it exists."""
        ensure_private_dir(self.directory)
        state = dict(state)
        state["version"] = FORMAT_VERSION
        state["site"] = self.site
        state["login"] = self.login
        data = json.dumps(state, indent=1, sort_keys=True).encode("utf-8")
        tmp = os.path.join(self.directory, ".%s.%s.tmp" % (os.path.basename(self.path), os.urandom(6).hex()))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600)
        except OSError as e:
            raise CacheError("Cannot write the session cache in %s: %s" % (self.directory, e.strerror))
        try:
            try:
                if not _WINDOWS:
                    # the umask can only remove bits from 0600, but may remove the owner's: set it exactly
                    os.fchmod(fd, 0o600)
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            self._replace(tmp)
        except BaseException as e:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(e, OSError):
                raise CacheError("Cannot write the session cache %s: %s" % (self.path, e.strerror or e))
            raise
        if not _WINDOWS:
            _fsync_dir(self.directory)

    def _replace(self, tmp):
        for attempt in range(40):
            try:
                os.replace(tmp, self.path)
                return
            except PermissionError:  # pragma: no cover - Windows: a reader has the file open for a moment
                if not _WINDOWS or attempt == 39:
                    raise
                time.sleep(0.05)

    def remove(self):
        """Deletes the cached session (the lock file stays: see FileLock)."""
        try:
            os.unlink(self.path)
        except OSError as e:
            if e.errno != errno.ENOENT:
                raise CacheError("Cannot remove the session cache %s: %s" % (self.path, e.strerror))


def _fsync_dir(directory):
    # makes the rename itself durable; not every file system allows it, and losing it only loses a renewal
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
