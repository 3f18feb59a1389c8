#!/usr/bin/env python3
"""The container image, run the way a container runtime runs it.

scripts/image.sh builds the image from the real Dockerfile (scripts/test.sh's
"image" stage does, with --prebuilt); this test starts the image's own
ENTRYPOINT and CMD inside the image's root filesystem as its USER
(`buildah run --isolation chroot`, which shares the host's network), with
only the environment the README's `docker run` line gives, then posts a
signed webhook to it, subscribes with the image's own hookbridge-tail and a
token, runs the image's HEALTHCHECK command, and stops it with SIGTERM.

    tests/image/image_test.py [unittest args]

HOOKBRIDGE_IMAGE: the image (default localhost/hookbridge:<project version>).
"""

import hashlib
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION = re.search(r"project\(hookbridge VERSION ([0-9.]+)",
                    (ROOT / "CMakeLists.txt").read_text()).group(1)
IMAGE = os.environ.get("HOOKBRIDGE_IMAGE") or f"localhost/hookbridge:{VERSION}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def inspect():
    out = subprocess.run(["buildah", "inspect", "--type", "image", IMAGE], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def descendants(pid):
    """Every process below `pid`, from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class ImageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.info = inspect()
        cls.config = cls.info["Docker"]["config"]

    def container(self):
        # The container runtime's usual descriptor limit: as many as this
        # process may have (buildah's own default, 1024, is lower than any
        # runtime's and than what the service checks it has at start).
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        name = subprocess.run(["buildah", "from", "--pull-never", "--ulimit",
                               f"nofile={hard}:{hard}", IMAGE],
                              capture_output=True, text=True, check=True).stdout.strip()
        self.addCleanup(subprocess.run, ["buildah", "rm", name], capture_output=True)
        return name

    def run_in(self, container, env, argv, **kwargs):
        """`argv` in the container as the image's USER, with `env` on top of
        the image's own environment."""
        cmd = ["buildah", "run", "--isolation", "chroot", "--user", self.config["User"]]
        for name, value in env.items():
            cmd += ["--env", f"{name}={value}"]
        return cmd + [container, "--"] + argv

    def test_labels_user_and_entrypoint(self):
        labels = self.config["Labels"]
        self.assertEqual(labels["org.opencontainers.image.licenses"], "Apache-2.0")
        self.assertEqual(labels["org.opencontainers.image.version"], VERSION)
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                              text=True)
        if head.returncode == 0:
            self.assertEqual(labels["org.opencontainers.image.revision"], head.stdout.strip())
        self.assertTrue(labels["org.opencontainers.image.source"].startswith("https://"))
        self.assertNotRegex(self.config["User"], r"^(0|root)(:|$)")
        self.assertEqual(self.config["Entrypoint"], ["/usr/local/bin/hookbridge"])
        self.assertEqual(self.config["Healthcheck"]["Test"][0], "CMD")
        size = int(subprocess.run(["podman", "image", "inspect", "--format", "{{.Size}}", IMAGE],
                                  capture_output=True, text=True, check=True).stdout)
        print(f"\nimage {IMAGE}: {size / 1e6:.1f} MB", flush=True)

    def test_a_webhook_in_an_event_out_a_healthcheck_and_a_clean_stop(self):
        container = self.container()
        token = secrets.token_urlsafe(32)
        http, grpc, admin = free_port(), free_port(), free_port()
        # What the README's docker run line sets, and the listen addresses
        # (ports published elsewhere by a runtime; here the host's loopback).
        env = {
            "CKEDITOR_WEBHOOK_SECRET": "image-test-secret",
            "HOOKBRIDGE_TOKEN_SHA256": hashlib.sha256(token.encode()).hexdigest(),
            "HOOKBRIDGE_HTTP_LISTEN": f"127.0.0.1:{http}",
            "HOOKBRIDGE_GRPC_LISTEN": f"127.0.0.1:{grpc}",
            "HOOKBRIDGE_ADMIN_LISTEN": f"127.0.0.1:{admin}",
        }
        argv = self.config["Entrypoint"] + self.config["Cmd"]
        server = subprocess.Popen(self.run_in(container, env, argv), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)

        def stop_server():
            if server.poll() is None:
                server.kill()
                server.wait()
            server.stdout.close()
        self.addCleanup(stop_server)
        wait_for(lambda: http_status(f"http://127.0.0.1:{admin}/readyz") == 200 or
                 server.poll() is not None, 60, "/readyz")
        self.assertIsNone(server.poll(), server.stdout.read() if server.poll() is not None else "")

        # It runs as the image's user, not root.
        hookbridge = [p for p in descendants(server.pid)
                      if Path(f"/proc/{p}/comm").read_text().strip() == "hookbridge"]
        self.assertEqual(len(hookbridge), 1)
        uid = re.search(r"^Uid:\s+(\d+)", Path(f"/proc/{hookbridge[0]}/status").read_text(), re.M)
        self.assertEqual(uid.group(1), self.config["User"].split(":")[0])

        # A signed webhook in ...
        sent = subprocess.run(
            [str(ROOT / "scripts/send-webhook.sh"),
             str(ROOT / "tests/testdata/ckeditor/comment.added.json"),
             f"http://127.0.0.1:{http}/webhooks/ckeditor"],
            env=dict(os.environ, CKEDITOR_WEBHOOK_SECRET=env["CKEDITOR_WEBHOOK_SECRET"]),
            capture_output=True, text=True, timeout=30)
        self.assertIn('"outcome":"accepted"', sent.stdout, sent.stderr)

        # ... a typed event out, to the image's own hookbridge-tail with the token.
        tail = subprocess.run(
            self.run_in(container, {"HOOKBRIDGE_TOKEN": token},
                        ["hookbridge-tail", "--target", f"127.0.0.1:{grpc}", "--earliest",
                         "--count", "1"]),
            capture_output=True, text=True, timeout=60)
        self.assertEqual(tail.returncode, 0, tail.stderr)
        event = json.loads(tail.stdout.splitlines()[0])
        self.assertEqual((event["type"], event["sequence"]), ("comment.added", "1"))
        self.assertIn("comment_added", event["ckeditor"])

        # And a wrong token is refused.
        refused = subprocess.run(
            self.run_in(container, {"HOOKBRIDGE_TOKEN": "not-the-token"},
                        ["hookbridge-tail", "--target", f"127.0.0.1:{grpc}", "--earliest",
                         "--count", "1"]),
            capture_output=True, text=True, timeout=60)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("UNAUTHENTICATED", refused.stderr)

        # The image's HEALTHCHECK, as the runtime would run it.
        check = self.config["Healthcheck"]["Test"][1:]
        health = subprocess.run(
            self.run_in(container, {"HOOKBRIDGE_ADMIN_LISTEN": env["HOOKBRIDGE_ADMIN_LISTEN"]},
                        check), capture_output=True, text=True, timeout=30)
        self.assertEqual(health.returncode, 0, health.stderr)

        # SIGTERM, as the runtime stops a container: exit 0.
        os.kill(hookbridge[0], signal.SIGTERM)
        self.assertEqual(server.wait(timeout=30), 0)
        log = server.stdout.read()
        self.assertIn('"msg":"stopped"', log)

        # Once it is stopped, the HEALTHCHECK fails.
        health = subprocess.run(
            self.run_in(container, {"HOOKBRIDGE_ADMIN_LISTEN": env["HOOKBRIDGE_ADMIN_LISTEN"]},
                        check), capture_output=True, text=True, timeout=30)
        self.assertNotEqual(health.returncode, 0)


if __name__ == "__main__":
    unittest.main()
