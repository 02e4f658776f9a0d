"""The inter-process lock: many processes doing read-modify-write on one cached session lose no update, and
many processes renewing one session at once make exactly one refresh."""

import multiprocessing
import os
import shutil
import tempfile
import threading
import time
import unittest

from twofa_client import Session
from twofa_client.cache import FileLock, SessionCache
from twofa_client.errors import CacheError

from fake_service import FakeService

PROCESSES = 8
INCREMENTS = 25
SPAWN = multiprocessing.get_context("spawn")  # as on Windows and macOS: nothing inherited but the arguments


def increment(directory, start):
    cache = SessionCache("https://twofa.example.com", "alice", directory)
    start.wait()
    for _ in range(INCREMENTS):
        with cache.lock():
            state = cache.read()
            time.sleep(0.001)  # widen the window a lost update would need
            state["counter"] += 1
            cache.write(state)


def hold_lock(directory, held, release):
    with SessionCache("https://twofa.example.com", "alice", directory).lock():
        held.set()
        release.wait(30)


def renew(url, directory, start, results):
    start.wait()
    try:
        results.put(("ok", Session(url, "alice", cache_dir=directory).token()))
    except Exception as e:  # reported to the test process
        results.put(("error", "%s: %s" % (type(e).__name__, e)))


class LockTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="twofa-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_eight_processes_lose_no_update(self):
        cache = SessionCache("https://twofa.example.com", "alice", self.dir)
        cache.write({"counter": 0})
        start = SPAWN.Barrier(PROCESSES)  # all begin together once every process is up
        procs = [SPAWN.Process(target=increment, args=(self.dir, start)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
            self.assertEqual(p.exitcode, 0)
        self.assertEqual(cache.read()["counter"], PROCESSES * INCREMENTS)

    def test_threads_of_one_process_are_excluded_too(self):
        cache = SessionCache("https://twofa.example.com", "alice", self.dir)
        cache.write({"counter": 0})

        def work():
            for _ in range(INCREMENTS):
                with cache.lock():
                    state = cache.read()
                    time.sleep(0.0005)
                    state["counter"] += 1
                    cache.write(state)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(cache.read()["counter"], 4 * INCREMENTS)

    def test_waiting_for_a_held_lock_times_out_with_a_clear_error(self):
        held, release = SPAWN.Event(), SPAWN.Event()
        holder = SPAWN.Process(target=hold_lock, args=(self.dir, held, release))
        holder.start()
        try:
            self.assertTrue(held.wait(60))
            cache = SessionCache("https://twofa.example.com", "alice", self.dir, lock_timeout=0.3)
            started = time.time()
            with self.assertRaises(CacheError) as caught:
                with cache.lock():
                    pass
            self.assertGreaterEqual(time.time() - started, 0.3)
            self.assertIn("another process holds it", str(caught.exception))
        finally:
            release.set()
            holder.join(30)
        with cache.lock():  # free again once the holder ends
            pass

    def test_lock_file_is_kept(self):
        path = os.path.join(self.dir, "x.lock")
        with FileLock(path):
            pass
        self.assertTrue(os.path.exists(path))

    def test_eight_processes_renewing_at_once_make_one_refresh(self):
        with FakeService() as service:
            service.add_user("alice", "plain")
            service.refresh_delay = 0.3  # a slow refresh: the others must wait for it, not start their own
            session = Session(service.url, "alice", cache_dir=self.dir)
            session.login("pw")
            state = session.cache.read()
            old_token = state["access_token"]
            state["access_expires_at"] = time.time() + 5  # due: less than 10 % of 600 s left
            session.cache.write(state)

            start = SPAWN.Barrier(PROCESSES)
            results = SPAWN.Queue()
            procs = [SPAWN.Process(target=renew, args=(service.url, self.dir, start, results))
                     for _ in range(PROCESSES)]
            for p in procs:
                p.start()
            outcomes = [results.get(timeout=120) for _ in procs]
            for p in procs:
                p.join(60)
            self.assertEqual([o[0] for o in outcomes], ["ok"] * PROCESSES, outcomes)
            tokens = set(o[1] for o in outcomes)
            self.assertEqual(len(tokens), 1)
            self.assertNotEqual(tokens.pop(), old_token)
            self.assertEqual(service.refresh_count, 1)
            self.assertEqual(len([t for t, e in service.refresh_tokens.items() if e["state"] == "live"]), 1)


if __name__ == "__main__":
    unittest.main()
