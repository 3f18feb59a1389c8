"""Cursor stores: load/save, atomic replacement, the protocol."""

from __future__ import annotations

import os
import tempfile
import threading
import unittest
from unittest import mock

import hookbridge


class FileCursorStoreTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.path = os.path.join(self.dir, "app.cursor")

    def tearDown(self):
        self.tmp.cleanup()

    def leftovers(self):
        return sorted(n for n in os.listdir(self.dir) if n != "app.cursor")

    def test_missing_file_loads_none(self):
        self.assertIsNone(hookbridge.FileCursorStore(self.path).load())

    def test_save_then_load(self):
        store = hookbridge.FileCursorStore(self.path)
        store.save(42)
        self.assertEqual(hookbridge.FileCursorStore(self.path).load(), 42)
        with open(self.path) as f:
            self.assertEqual(f.read(), "42\n")
        store.save(43)
        self.assertEqual(hookbridge.FileCursorStore(self.path).load(), 43)
        store.save(0)
        self.assertEqual(hookbridge.FileCursorStore(self.path).load(), 0)
        self.assertEqual(self.leftovers(), [])

    def test_accepts_path_objects_and_surrounding_whitespace(self):
        import pathlib

        with open(self.path, "w") as f:
            f.write("  7 \n")
        self.assertEqual(hookbridge.FileCursorStore(pathlib.Path(self.path)).load(), 7)

    def test_malformed_file_raises(self):
        for text in ("", "abc", "-1", "1.5", "12 13"):
            with open(self.path, "w") as f:
                f.write(text)
            with self.assertRaises(ValueError, msg=repr(text)):
                hookbridge.FileCursorStore(self.path).load()

    def test_negative_sequence_is_refused(self):
        with self.assertRaises(ValueError):
            hookbridge.FileCursorStore(self.path).save(-1)

    def test_save_writes_a_synced_temp_file_in_the_same_directory_and_renames_it(self):
        store = hookbridge.FileCursorStore(self.path)
        store.save(1)
        calls = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd):
            calls.append(("fsync", os.fstat(fd).st_size))
            return real_fsync(fd)

        def replace(src, dst):
            calls.append(("replace", os.path.dirname(os.path.abspath(src)), os.path.basename(dst)))
            with open(dst) as f:  # the old cursor is whole until the rename
                self.assertEqual(f.read(), "1\n")
            with open(src) as f:
                self.assertEqual(f.read(), "2\n")
            return real_replace(src, dst)

        with mock.patch("os.fsync", fsync), mock.patch("os.replace", replace):
            store.save(2)
        self.assertEqual(calls[0], ("fsync", 2))  # the temp file, written in full
        self.assertEqual(calls[1], ("replace", os.path.realpath(self.dir), "app.cursor"))
        self.assertEqual(calls[2][0], "fsync")  # the directory
        self.assertEqual(store.load(), 2)

    def test_failed_save_keeps_the_old_cursor_and_no_temp_file(self):
        store = hookbridge.FileCursorStore(self.path)
        store.save(5)
        with mock.patch("os.replace", side_effect=OSError("disk gone")):
            with self.assertRaises(OSError):
                store.save(6)
        self.assertEqual(hookbridge.FileCursorStore(self.path).load(), 5)
        self.assertEqual(self.leftovers(), [])
        with mock.patch("os.fsync", side_effect=OSError("io error")):
            with self.assertRaises(OSError):
                store.save(7)
        self.assertEqual(hookbridge.FileCursorStore(self.path).load(), 5)
        self.assertEqual(self.leftovers(), [])
        store.save(8)  # and it recovers
        self.assertEqual(hookbridge.FileCursorStore(self.path).load(), 8)

    def test_readers_never_see_a_torn_cursor(self):
        store = hookbridge.FileCursorStore(self.path)
        store.save(0)
        stop = threading.Event()
        bad = []

        def read():
            reader = hookbridge.FileCursorStore(self.path)
            while not stop.is_set():
                try:
                    reader.load()
                except ValueError as error:
                    bad.append(error)

        threads = [threading.Thread(target=read) for _ in range(2)]
        for t in threads:
            t.start()
        for n in range(1, 300):
            store.save(n * 1000003)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(bad, [])
        self.assertEqual(store.load(), 299 * 1000003)
        self.assertEqual(self.leftovers(), [])

    def test_concurrent_saves_leave_one_valid_cursor(self):
        stores = [hookbridge.FileCursorStore(self.path) for _ in range(4)]
        threads = [
            threading.Thread(target=lambda s=s, i=i: [s.save(i * 1000 + n) for n in range(50)])
            for i, s in enumerate(stores)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertIn(hookbridge.FileCursorStore(self.path).load(), {i * 1000 + 49 for i in range(4)})
        self.assertEqual(self.leftovers(), [])

    def test_is_a_cursor_store(self):
        self.assertIsInstance(hookbridge.FileCursorStore(self.path), hookbridge.CursorStore)
        self.assertIsInstance(hookbridge.MemoryCursorStore(), hookbridge.CursorStore)
        self.assertNotIsInstance(object(), hookbridge.CursorStore)


class MemoryCursorStoreTest(unittest.TestCase):
    def test_load_save(self):
        store = hookbridge.MemoryCursorStore()
        self.assertIsNone(store.load())
        store.save(3)
        self.assertEqual(store.load(), 3)
        self.assertEqual(hookbridge.MemoryCursorStore(9).load(), 9)


if __name__ == "__main__":
    unittest.main()
