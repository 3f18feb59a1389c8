"""The in-tree build backend: wheel and sdist contents, RECORD, metadata,
and an offline `pip install` into a fresh venv."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

import hookbridge_build

import hookbridge

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def cwd(path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


class BackendTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        with cwd(ROOT):
            cls.wheel_name = hookbridge_build.build_wheel(cls.tmp.name)
            cls.sdist_name = hookbridge_build.build_sdist(cls.tmp.name)
        cls.wheel = zipfile.ZipFile(os.path.join(cls.tmp.name, cls.wheel_name))

    @classmethod
    def tearDownClass(cls):
        cls.wheel.close()
        cls.tmp.cleanup()

    def test_wheel_name(self):
        self.assertEqual(self.wheel_name, f"hookbridge-{hookbridge.__version__}-py3-none-any.whl")

    def test_wheel_holds_library_generated_modules_and_stubs(self):
        names = set(self.wheel.namelist())
        for name in (
            "hookbridge/__init__.py",
            "hookbridge/__main__.py",
            "hookbridge/_client.py",
            "hookbridge/py.typed",
            "hookbridge/v1/__init__.py",
            "hookbridge/v1/event_pb2.py",
            "hookbridge/v1/event_pb2.pyi",
            "hookbridge/v1/service_pb2.py",
            "hookbridge/v1/service_pb2.pyi",
            "hookbridge/v1/service_pb2_grpc.py",
            "hookbridge/ckeditor/v1/ckeditor_pb2.py",
            "hookbridge/ckbox/v1/ckbox_pb2.py",
            "hookbridge/docspace/v1/docspace_pb2.py",
            "hookbridge/cand/v1/cand_pb2.pyi",
            "hookbridge/_rpc/status_pb2.py",
            "hookbridge/_rpc/error_details_pb2.py",
        ):
            self.assertIn(name, names)
        self.assertFalse([n for n in names if "__pycache__" in n or n.endswith(".pyc")])
        self.assertFalse([n for n in names if n.startswith("google/")])
        # gRPC stubs only where there is a service
        self.assertNotIn("hookbridge/v1/event_pb2_grpc.py", names)

    def test_record_lists_every_file_with_its_hash(self):
        dist_info = f"hookbridge-{hookbridge.__version__}.dist-info"
        record = self.wheel.read(f"{dist_info}/RECORD").decode().splitlines()
        listed = {}
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            listed[name] = (digest, size)
        self.assertEqual(set(listed), set(self.wheel.namelist()))
        self.assertEqual(listed[f"{dist_info}/RECORD"], ("", ""))
        for name, (digest, size) in listed.items():
            if name.endswith("/RECORD"):
                continue
            data = self.wheel.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            self.assertEqual(digest, f"sha256={expected}", name)
            self.assertEqual(int(size), len(data), name)

    def test_metadata_and_entry_points(self):
        dist_info = f"hookbridge-{hookbridge.__version__}.dist-info"
        metadata = self.wheel.read(f"{dist_info}/METADATA").decode()
        self.assertIn("Name: hookbridge\n", metadata)
        self.assertIn(f"Version: {hookbridge.__version__}\n", metadata)
        self.assertIn("Requires-Dist: grpcio>=1.51\n", metadata)
        self.assertIn("Requires-Dist: protobuf>=4.21\n", metadata)
        self.assertIn("Description-Content-Type: text/markdown\n", metadata)
        self.assertIn("License: Apache-2.0\n", metadata)
        self.assertIn("Classifier: License :: OSI Approved :: Apache Software License\n", metadata)
        entry_points = self.wheel.read(f"{dist_info}/entry_points.txt").decode()
        self.assertIn("hookbridge-subscribe = hookbridge._cli:main", entry_points)
        self.assertIn("Root-Is-Purelib: true", self.wheel.read(f"{dist_info}/WHEEL").decode())
        with tempfile.TemporaryDirectory() as tmp, cwd(ROOT):
            name = hookbridge_build.prepare_metadata_for_build_wheel(tmp)
            self.assertEqual(name, dist_info)
            with open(os.path.join(tmp, name, "METADATA")) as f:
                self.assertEqual(f.read(), metadata)

    def test_google_rpc_modules_are_renamed_into_the_package(self):
        text = self.wheel.read("hookbridge/_rpc/status_pb2.py").decode()
        self.assertIn("'hookbridge._rpc.status_pb2'", text)
        self.assertNotIn("'google.rpc.status_pb2'", text)

    def test_sdist_carries_the_proto_module_and_builds_on_its_own(self):
        with tempfile.TemporaryDirectory() as tmp:
            with tarfile.open(os.path.join(self.tmp.name, self.sdist_name)) as sdist:
                names = sdist.getnames()
                top = f"hookbridge-{hookbridge.__version__}"
                for name in ("PKG-INFO", "pyproject.toml", "README.md",
                             "build_backend/hookbridge_build.py", "src/hookbridge/_client.py",
                             "proto/hookbridge/v1/service.proto", "proto/google/rpc/status.proto"):
                    self.assertIn(f"{top}/{name}", names)
                sdist.extractall(tmp)
            env_override = os.environ.pop("HOOKBRIDGE_PROTO_DIR", None)
            try:
                with cwd(os.path.join(tmp, top)):
                    wheel = hookbridge_build.build_wheel(tmp)
            finally:
                if env_override is not None:
                    os.environ["HOOKBRIDGE_PROTO_DIR"] = env_override
            with zipfile.ZipFile(os.path.join(tmp, wheel)) as built:
                self.assertEqual(sorted(built.namelist()), sorted(self.wheel.namelist()))

    def test_reproducible(self):
        with tempfile.TemporaryDirectory() as tmp, cwd(ROOT):
            again = hookbridge_build.build_wheel(tmp)
            with open(os.path.join(tmp, again), "rb") as a, \
                    open(os.path.join(self.tmp.name, self.wheel_name), "rb") as b:
                self.assertEqual(a.read(), b.read())

    def test_simple_toml_reader_agrees_with_tomllib(self):
        try:
            import tomllib
        except ImportError:
            self.skipTest("no tomllib")
        with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(hookbridge_build._read_simple_toml(text), tomllib.loads(text))

    def test_version_matches_pyproject(self):
        project = hookbridge_build._Project(__import__("pathlib").Path(ROOT))
        self.assertEqual(project.version, hookbridge.__version__)


class PipInstallTest(unittest.TestCase):
    """`pip install clients/python` into a fresh venv that sees the system's
    grpcio and protobuf: nothing to download, so it works offline."""

    def test_pip_install_into_a_fresh_venv(self):
        import importlib.util

        if importlib.util.find_spec("ensurepip") is None:
            self.skipTest("no ensurepip (Debian: python3-venv)")
        with tempfile.TemporaryDirectory() as tmp:
            venv = os.path.join(tmp, "venv")
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv],
                           check=True, stdout=subprocess.DEVNULL)
            env = dict(os.environ)
            env.pop("PYTHONPATH", None)
            env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
            pip = subprocess.run([os.path.join(venv, "bin", "pip"), "install", ROOT],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
            self.assertEqual(pip.returncode, 0, pip.stdout)
            help_ = subprocess.run([os.path.join(venv, "bin", "hookbridge-subscribe"), "--help"],
                                   stdout=subprocess.PIPE, env=env, text=True, cwd=tmp)
            self.assertEqual(help_.returncode, 0)
            self.assertIn("--cursor", help_.stdout)
            probe = subprocess.run(
                [os.path.join(venv, "bin", "python"), "-c",
                 "import hookbridge, hookbridge.v1.service_pb2_grpc, hookbridge.ckeditor.v1.ckeditor_pb2;"
                 "print(hookbridge.__file__)"],
                stdout=subprocess.PIPE, env=env, text=True, cwd=tmp)
            self.assertEqual(probe.returncode, 0)
            self.assertTrue(probe.stdout.startswith(venv), probe.stdout)


if __name__ == "__main__":
    unittest.main()
