#!/usr/bin/env python3
"""The README, followed as written.

Takes the command blocks of README.md's quick start ("Try it"), its token
and durable-consumer examples and its deployment without Kubernetes (the
`docker run` line), runs them as a new user would, in a fresh directory
against the built binaries, and checks what the README says they print.
Nothing of a command is rewritten but the README's own placeholder: `...`
as a variable's value ("the value from step 1") is replaced by that value.

The quick start listens on the README's fixed ports (8080, 50051, 9090), so
the test runs in a network namespace of its own (`unshare --net`, as root
or in a user namespace): it never meets another test's server, and the
commands need no port rewritten. Where namespaces are not allowed, it uses
this machine's ports and says so (and fails if they are taken).

    tests/readme/readme_test.py [unittest args]

HOOKBRIDGE_BUILD_DIR: the build whose bin/ is used (default build/).
HOOKBRIDGE_README_FRESH_CLONE=1: follow it in a fresh clone instead, which
the quick start builds (scripts/test.sh's "first hour" stage runs TryItTest
so).
"""

import hashlib
import json
import os
import queue
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("HOOKBRIDGE_BUILD_DIR") or ROOT / "build").resolve()
README = (ROOT / "README.md").read_text(encoding="utf-8")
NETNS_MARK = "HOOKBRIDGE_README_TEST_NETNS"


def enter_own_network():
    """Re-runs this script in a network namespace with only loopback, up."""
    if os.environ.get(NETNS_MARK) == "1":
        import fcntl
        import struct

        siocsifflags, iff_up, iff_loopback, iff_running = 0x8914, 0x1, 0x8, 0x40
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            request = struct.pack("16sH14x", b"lo", iff_up | iff_loopback | iff_running)
            fcntl.ioctl(s, siocsifflags, request)
        return
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare, "--net", "--map-root-user", "true"],
                           capture_output=True, text=True) if unshare else None
    if probe is None or probe.returncode != 0:
        # Without namespaces (a container that forbids them), the README's
        # ports on this machine's loopback, if nothing else holds them.
        reason = probe.stderr.strip() if probe else "unshare(1) is not installed"
        print(f"readme_test: no network namespace of its own ({reason}); "
              "using this machine's ports 8080, 50051 and 9090", file=sys.stderr)
        for port in (8080, 50051, 9090):
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("127.0.0.1", port))
                except OSError as e:
                    sys.exit(f"readme_test: port {port} is taken ({e}): the README's commands need it")
        return
    argv = [unshare, "--net", "--map-root-user", "--", sys.executable, *sys.argv]
    env = dict(os.environ, **{NETNS_MARK: "1"})
    try:
        os.execve(unshare, argv, env)
    except OSError as e:
        sys.exit(f"readme_test: cannot run {argv}: {e}")


# ---- the README's text ------------------------------------------------------


def section(title):
    """The text under the heading `title` up to the next heading of its level
    or above (lines in fenced code blocks are not headings)."""
    lines = README.splitlines(keepends=True)
    start, level, fenced = None, 0, False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#+) (.*)\n?$", line)
        if heading is None:
            continue
        if start is None and heading.group(2) == title:
            start, level = i + 1, len(heading.group(1))
        elif start is not None and len(heading.group(1)) <= level:
            return "".join(lines[start:i])
    if start is None:
        raise AssertionError(f"README.md has no heading {title!r}")
    return "".join(lines[start:])


def blocks(text, language=None):
    """The fenced code blocks of `text`, de-indented, optionally of one
    language."""
    found = []
    for indent, lang, body in re.findall(r"^( *)```(\w*)\n(.*?)^ *```", text, re.M | re.S):
        lines = [line[len(indent):] if line.startswith(indent) else line
                 for line in body.splitlines()]
        if language is None or lang == language:
            found.append("\n".join(lines) + "\n")
    return found


def commands(block):
    """The commands of a shell block: continuation lines joined, comments and
    blank lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def matches(expected, actual, where):
    """`actual` is `expected`, where a README "…" stands for any value."""
    if expected == "…":
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise AssertionError(f"{where}: expected an object, got {actual!r}")
        if set(expected) != set(actual):
            raise AssertionError(
                f"{where}: fields differ: README has {sorted(set(expected) - set(actual))} "
                f"that the output lacks, the output has {sorted(set(actual) - set(expected))}")
        for key in expected:
            matches(expected[key], actual[key], f"{where}.{key}")
    elif expected != actual:
        raise AssertionError(f"{where}: README says {expected!r}, the output has {actual!r}")


# ---- a new user's terminals -------------------------------------------------


class Terminal:
    """One shell session in the workspace: exports persist, the README's
    `...` placeholders take the values given to it."""

    def __init__(self, test, cwd, known=None):
        self.test, self.cwd = test, cwd
        self.env = {k: v for k, v in os.environ.items() if k != NETNS_MARK}
        for name in ("CKEDITOR_WEBHOOK_SECRET", "HOOKBRIDGE_TOKEN", "HOOKBRIDGE_TOKEN_SHA256"):
            self.env.pop(name, None)
        self.known = known or {}

    def fill(self, command):
        def value(m):
            name = m.group(2)
            if name not in self.known:
                raise AssertionError(f"README placeholder {name}=... has no value from an earlier step")
            return f"{m.group(1)}{name}={shlex.quote(self.known[name])}"

        command = re.sub(r"(^|\s|export\s+)(\w+)=\.\.\.(?=\s|$)", value, command)
        return re.sub(r"\s+#.*$", "", command)

    def export(self, command):
        """Runs an assignment as the user's shell would and keeps the result."""
        out = subprocess.run(["bash", "-c", self.fill(command) + "\nenv -0"], cwd=self.cwd,
                             env=self.env, capture_output=True, check=True, timeout=30).stdout
        self.env = dict(kv.split("=", 1) for kv in out.decode().split("\0") if "=" in kv)

    def run(self, command, timeout=60):
        return subprocess.run(["bash", "-c", self.fill(command)], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def start(self, command):
        process = subprocess.Popen(["bash", "-c", self.fill(command)], cwd=self.cwd,
                                   env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        self.test.addCleanup(stop, process)
        return Lines(process)


class Lines:
    """A started process and the lines it prints, read on threads."""

    def __init__(self, process):
        self.process = process
        self.stdout, self.stderr = queue.Queue(), queue.Queue()
        self.err_text = []
        for stream, q in ((process.stdout, self.stdout), (process.stderr, self.stderr)):
            threading.Thread(target=self._read, args=(stream, q), daemon=True).start()

    @staticmethod
    def _read(stream, q):
        for line in stream:
            q.put(line.rstrip("\n"))
        q.put(None)

    def next_line(self, q, timeout, what):
        try:
            line = q.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {what} within {timeout} s") from None
        if line is None:
            raise AssertionError(f"{what}: the process ended ({self.process.wait()}) first")
        return line

    def stderr_until(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(self.stderr, max(0.1, deadline - time.monotonic()), what)
            self.err_text.append(line)
            if predicate(line):
                return line


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None and not stream.closed:
            stream.close()


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return None, ""


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


FRESH_CLONE = os.environ.get("HOOKBRIDGE_README_FRESH_CLONE") == "1"
_clone = None


def workspace(test):
    """A directory laid out like a checkout, with the built binaries, where
    the service's own files (data/) are made fresh.

    With HOOKBRIDGE_README_FRESH_CLONE=1 (the first-hour check of
    scripts/test.sh), it is instead a `git clone` of this repository's
    HEAD, without a build: the quick start's scripts/run.sh builds it
    there, as on a new user's machine. One clone serves every test of the
    run; its data/ is removed before each."""
    global _clone
    if FRESH_CLONE:
        if _clone is None:
            _clone = Path(tempfile.mkdtemp(prefix="hookbridge-clone-"))
            subprocess.run(["git", "clone", "-q", str(ROOT), str(_clone)], check=True)
        shutil.rmtree(_clone / "data", ignore_errors=True)
        return _clone
    path = Path(tempfile.mkdtemp(prefix="hookbridge-readme-"))
    test.addCleanup(shutil.rmtree, path, ignore_errors=True)
    for entry in ROOT.iterdir():
        if entry.name not in ("build", "data") and not entry.name.startswith("."):
            (path / entry.name).symlink_to(entry)
    (path / "build").symlink_to(BUILD)
    return path


class TryItTest(unittest.TestCase):
    """README "Try it": three terminals, as written."""

    def test_a_signed_webhook_in_a_typed_event_out(self):
        text = section("Try it: a signed webhook in, a typed event out")
        sh = blocks(text, "sh")
        self.assertEqual(len(sh), 3, "the quick start has three shell steps")
        cwd = workspace(self)

        # 1. Start the service.
        first = Terminal(self, cwd)
        step1 = commands(sh[0])
        for command in step1[:-1]:
            first.export(command)
        server = first.start(step1[-1])
        ports = dict(re.findall(r"(webhooks|gRPC|metrics) on\s+`(?:https?://)?localhost:(\d+)",
                                text))
        self.assertEqual(set(ports), {"webhooks", "gRPC", "metrics"}, "step 1 names three ports")
        listening = json.loads(server.stderr_until(
            lambda line: '"msg":"listening"' in line, 600, "the 'listening' log line"))
        self.assertEqual(str(listening["http_port"]), ports["webhooks"])
        self.assertEqual(str(listening["grpc_port"]), ports["gRPC"])
        self.assertEqual(str(listening["admin_port"]), ports["metrics"])
        metrics_url = re.search(r"metrics on\s+`(http://[^`]+)`", text).group(1)
        admin = metrics_url.rsplit("/", 1)[0]
        wait_for(lambda: http_get(admin + "/readyz")[0] == 200, 60, "/readyz")
        self.assertEqual(http_get(metrics_url)[0], 200)

        # 2. Subscribe, with the token of step 1.
        second = Terminal(self, cwd, known={"HOOKBRIDGE_TOKEN": first.env["HOOKBRIDGE_TOKEN"]})
        step2 = commands(sh[1])
        for command in step2[:-1]:
            second.export(command)

        def subscribers():
            status, body = http_get(metrics_url)
            m = re.search(r"^hookbridge_subscribers (\S+)$", body, re.M)
            return float(m.group(1)) if status == 200 and m else -1

        tail = second.start(step2[-1])
        wait_for(lambda: subscribers() == 1, 30, "hookbridge-tail subscribed")

        # 3. Sign and POST a provider example.
        third = Terminal(self, cwd)
        step3 = commands(sh[2])
        for command in step3[:-1]:
            third.export(command)
        answer = re.search(r"The POST is answered\s+`([^`]+)`", text).group(1)
        result = third.run(step3[-1])
        self.assertEqual(result.returncode, 0, result.stderr)
        matches(json.loads(answer), json.loads(result.stdout), "the POST's answer")

        # hookbridge-tail prints the typed event, one line.
        event = json.loads(tail.next_line(tail.stdout, 30, "the event from hookbridge-tail"))
        matches(json.loads(blocks(text, "json")[0]), event, "the event")

        # Sent again: a duplicate, not delivered twice.
        duplicate = re.search(r"Send the same file again: it is answered\s+`([^`]+)`", text).group(1)
        again = third.run(step3[-1])
        self.assertIn(duplicate, again.stdout)

        # Another secret: 401 with the README's reason.
        reason = re.search(r"Change the secret and it is answered\s+`401` with\s+`([^`]+)`",
                           text).group(1)
        third.export("export CKEDITOR_WEBHOOK_SECRET=another-secret")
        refused = third.run(step3[-1])
        self.assertIn(reason, refused.stdout)

        # A second event, then: --earliest replays everything retained, and
        # --after N resumes after sequence N.
        third.export(step3[0])
        second_event = third.run(step3[-1].replace("comment.added.json", "comment.updated.json"))
        self.assertIn('"sequence":2', second_event.stdout)
        self.assertEqual(json.loads(tail.next_line(tail.stdout, 30, "the second event"))["sequence"],
                         "2")
        self.assertIn("`--earliest`", README)
        replay = second.start(step2[-1] + " --earliest")
        self.assertEqual([json.loads(replay.next_line(replay.stdout, 30, "a replayed event"))
                          ["sequence"] for _ in range(2)], ["1", "2"])
        stop(replay.process)
        resumed = second.start(step2[-1] + " --after 1")
        self.assertEqual(json.loads(resumed.next_line(resumed.stdout, 30, "the event after 1"))
                         ["sequence"], "2")
        stop(resumed.process)

        # README, Providers: "`hookbridge-tail --list-types` prints every
        # typed event and its message".
        listed = re.search(r"`(hookbridge-tail --list-types)` prints", README).group(1)
        types = second.run("build/bin/" + listed)
        self.assertEqual(types.returncode, 0, types.stderr)
        self.assertIn("comment.added", types.stdout)
        self.assertIn("asset.uploaded", types.stdout)

        # Ctrl-C: a clean stop (README, Operations: exit 0).
        stop(tail.process, signal.SIGINT)
        stop(server.process, signal.SIGINT)
        self.assertEqual(server.process.returncode, 0)

    def test_without_the_variables_run_sh_makes_and_prints_its_own(self):
        text = section("Try it: a signed webhook in, a typed event out")
        self.assertIn("Without those variables", text)
        cwd = workspace(self)
        terminal = Terminal(self, cwd)
        server = terminal.start(commands(blocks(text, "sh")[0])[-1])
        printed = {}

        def collect(line):
            m = re.match(r"\s*export (CKEDITOR_WEBHOOK_SECRET|HOOKBRIDGE_TOKEN)=(\S+)$", line)
            if m:
                printed[m.group(1)] = m.group(2)
            return '"msg":"listening"' in line

        server.stderr_until(collect, 600, "the 'listening' log line")
        self.assertEqual(set(printed), {"CKEDITOR_WEBHOOK_SECRET", "HOOKBRIDGE_TOKEN"})
        wait_for(lambda: http_get("http://localhost:9090/readyz")[0] == 200, 60, "/readyz")
        # What it printed works: the secret signs, the token subscribes.
        user = Terminal(self, cwd)
        for name, value in printed.items():
            user.export(f"export {name}={shlex.quote(value)}")
        sent = user.run(commands(blocks(text, "sh")[2])[-1])
        self.assertIn('"outcome":"accepted"', sent.stdout)
        tail = user.start("build/bin/hookbridge-tail --target localhost:50051 --earliest")
        self.assertEqual(json.loads(tail.next_line(tail.stdout, 30, "the event"))["type"],
                         "comment.added")
        stop(server.process, signal.SIGINT)
        self.assertEqual(server.process.returncode, 0)


class ConsumersTest(unittest.TestCase):
    """README "Durable consumers": the declared consumer, a member, and the
    operator's commands, with a token that may manage consumers."""

    def test_a_member_consumes_and_the_operator_sees_and_moves_it(self):
        text = section("Durable consumers")
        cwd = workspace(self)
        # The README's declaration, added to the default config, whose token
        # is given manage_consumers as the comment in the block asks.
        declaration = blocks(text, "yaml")[0]
        config = (ROOT / "config/hookbridge.yaml").read_text()
        granted = re.sub(r"^(\s+)types: \[\"\*\"\]\n", r'\g<0>\1manage_consumers: true\n', config,
                         count=1, flags=re.M)
        self.assertNotEqual(granted, config)
        (cwd / "consumers.yaml").write_text(granted + "\n" + declaration)
        terminal = Terminal(self, cwd)
        terminal.export("export CKEDITOR_WEBHOOK_SECRET=my-webhook-secret")
        terminal.export("export HOOKBRIDGE_TOKEN=$(openssl rand -base64 32)")
        terminal.export("export HOOKBRIDGE_TOKEN_SHA256=$(printf %s \"$HOOKBRIDGE_TOKEN\" | "
                        "sha256sum | cut -d' ' -f1)")
        server = terminal.start("build/bin/hookbridge --config consumers.yaml")
        server.stderr_until(lambda line: '"msg":"listening"' in line, 60, "the 'listening' log line")
        wait_for(lambda: http_get("http://localhost:9090/readyz")[0] == 200, 60, "/readyz")
        for example in ("comment.added", "comment.updated"):
            sent = terminal.run(f"scripts/send-webhook.sh tests/testdata/ckeditor/{example}.json")
            self.assertIn('"outcome":"accepted"', sent.stdout)

        member_cmd, get_cmd, dead_cmd, seek_cmd = commands(blocks(text, "sh")[0])
        user = Terminal(self, cwd, known={"HOOKBRIDGE_TOKEN": terminal.env["HOOKBRIDGE_TOKEN"]})
        user.env["HOSTNAME"] = "indexer-0"
        member = user.start(member_cmd)

        def sequences(n):
            return [json.loads(member.next_line(member.stdout, 30, "an event for the member"))
                    ["event"]["sequence"] for _ in range(n)]

        self.assertEqual(sequences(2), ["1", "2"])

        def consumer():
            out = user.run(get_cmd)
            self.assertEqual(out.returncode, 0, out.stderr)
            return json.loads(out.stdout)["consumer"]

        # Acknowledged: the floor reaches the second event.
        wait_for(lambda: consumer().get("ack_floor") == "2", 30, "both events acknowledged")
        dead = user.run(dead_cmd)
        self.assertEqual((dead.returncode, dead.stdout.strip()), (0, ""), dead.stderr)
        # Moved back to a time before both: they are delivered again.
        seek = user.run(seek_cmd)
        self.assertEqual(seek.returncode, 0, seek.stderr)
        self.assertEqual(sequences(2), ["1", "2"])
        stop(member.process, signal.SIGINT)
        stop(server.process, signal.SIGINT)
        self.assertEqual(server.process.returncode, 0)


class ConfigBlocksTest(unittest.TestCase):
    """Every config the README shows is one hookbridge accepts: whole configs
    as they are, a source entry as the default config's source, a top-level
    section in place of the default config's own (`--check-config`, with
    each referenced variable set)."""

    SKIPPED = {
        "TLS": "names certificate files that exist only in a deployment",
    }

    @staticmethod
    def replace_sections(config, snippet):
        keys = set(re.findall(r"^(\w+):", snippet, re.M))
        kept, skipping = [], False
        for line in config.splitlines(keepends=True):
            top = re.match(r"^(\w+):", line)
            if top:
                skipping = top.group(1) in keys
            if not skipping:
                kept.append(line)
        return "".join(kept) + "\n" + snippet

    def check(self, config, where):
        env = {"PATH": os.environ["PATH"]}
        for name in re.findall(r"\$\{(\w+)\}", config):
            env[name] = ("ab" * 32 if name.endswith("SHA256") else
                         "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" if "BILLING" in name or
                         "STRIPE" in name else "a-secret-of-" + name.lower())
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write(config)
            f.flush()
            out = subprocess.run([str(BUILD / "bin/hookbridge"), "--check-config", f.name],
                                 env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, f"{where}:\n{config}\n{out.stdout}{out.stderr}")

    def test_every_config_block_is_accepted(self):
        default = (ROOT / "config/hookbridge.yaml").read_text()
        headings = [m.group(2) for m in re.finditer(r"^(#{2,3}) (.*)$", README, re.M)]
        checked = 0
        for heading in headings:
            if heading in self.SKIPPED:
                continue
            try:
                text = section(heading)
            except AssertionError:
                continue
            # Only the blocks directly under this heading.
            own = re.split(r"^#{2,6} ", text, maxsplit=1, flags=re.M)[0]
            for block in blocks(own, "yaml"):
                if block.startswith("# hookbridge-values.yaml"):
                    continue  # Helm values: the chart's tests render them
                if block.startswith("  - "):
                    config = self.replace_sections(default, "sources:\n" + block)
                elif re.search(r"^sources:", block, re.M):
                    config = block
                else:
                    config = self.replace_sections(default, block)
                with self.subTest(heading=heading):
                    self.check(config, heading)
                checked += 1
        self.assertGreaterEqual(checked, 10)


class TokensTest(unittest.TestCase):
    """README "Subscriber tokens": --mint-token prints a token and its entry."""

    def test_mint_token_prints_a_token_and_the_entry_with_its_sha256(self):
        text = section("Subscriber tokens")
        command = commands(blocks(text, "sh")[0])[0]
        self.assertIn("--mint-token", command)
        out = Terminal(self, workspace(self)).run(command)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        token = lines[1].strip()
        self.assertRegex(token, r"^[A-Za-z0-9_-]{32,}$")
        name = command.split()[-1]
        self.assertIn(f"- name: {name}", out.stdout)
        digest = re.search(r'sha256: "([0-9a-f]{64})"', out.stdout).group(1)
        self.assertEqual(digest, hashlib.sha256(token.encode()).hexdigest())


class DeploymentTest(unittest.TestCase):
    """README "Deployment": the image's `docker run` line gives the default
    config everything it needs (the image's config, ENV and entrypoint are
    the Dockerfile's; the container itself is run by the image test)."""

    def test_the_docker_run_line_starts_the_image_config(self):
        text = section("Deployment")
        block = next(b for b in blocks(text, "sh") if "docker run" in b)
        # The block as the user's shell runs it, with a `docker` that prints
        # the arguments it was given.
        shim = "docker() { printf '%s\\0' \"$@\"; }\n"
        out = subprocess.run(["bash", "-c", shim + block], cwd=workspace(self),
                             env=Terminal(self, ROOT).env, capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        args = out.stdout.decode().split("\0")[:-1]
        self.assertEqual(args[0], "run")
        env = {}
        for flag, value in zip(args, args[1:]):
            if flag == "-e":
                name, _, value = value.partition("=")
                env[name] = value
        self.assertIn("CKEDITOR_WEBHOOK_SECRET", env)
        dockerfile = (ROOT / "Dockerfile").read_text()
        for name, value in re.findall(r"^ENV (\w+)=(\S+)$", dockerfile, re.M):
            env.setdefault(name, value)
        config = re.search(r"^COPY (\S+) /etc/hookbridge/hookbridge.yaml$", dockerfile, re.M).group(1)
        self.assertIn("/etc/hookbridge/hookbridge.yaml", dockerfile.split("CMD", 1)[1])
        env["PATH"] = os.environ["PATH"]
        check = subprocess.run([str(BUILD / "bin/hookbridge"), "--check-config", str(ROOT / config)],
                               env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        # And without the token's hash, what the line used to leave out, it
        # does not start: the check above can fail.
        del env["HOOKBRIDGE_TOKEN_SHA256"]
        check = subprocess.run([str(BUILD / "bin/hookbridge"), "--check-config", str(ROOT / config)],
                               env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(check.returncode, 2)
        self.assertIn("HOOKBRIDGE_TOKEN_SHA256", check.stdout + check.stderr)


if __name__ == "__main__":
    enter_own_network()
    try:
        unittest.main()
    finally:
        if _clone is not None:
            shutil.rmtree(_clone, ignore_errors=True)
