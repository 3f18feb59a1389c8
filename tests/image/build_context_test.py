#!/usr/bin/env python3
"""The Dockerfile's build stage configures from what its build context holds.

`docker build .` (and scripts/image.sh without --prebuilt) sends the
repository minus .dockerignore, and the build stage configures with
HOOKBRIDGE_BUILD_TESTS=OFF. A CMake file that reaches into an ignored
directory (tests/, say) breaks only that build, which the test run does
not otherwise make (its image takes build/'s executables). This copies the
context as .dockerignore filters it and runs the build stage's configure
step on it: seconds, where building the image from source takes minutes.

    tests/image/build_context_test.py
"""

import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dockerignore_rules():
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        regex = ""
        i = 0
        pattern = pattern.strip("/")
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        # A pattern that matches a directory excludes what is under it.
        rules.append((re.compile(regex + "(?:/.*)?$"), negate))
    return rules


def excluded(relative, rules):
    """Docker's rule: the last pattern that matches decides."""
    result = False
    for regex, negate in rules:
        if regex.match(relative):
            result = not negate
    return result


class BuildContextTest(unittest.TestCase):
    def test_the_build_stage_configures_from_the_context_alone(self):
        dockerfile = (ROOT / "Dockerfile").read_text()
        configure = re.search(r"scripts/build\.sh (-D\S+(?: -D\S+)*)", dockerfile)
        self.assertIsNotNone(configure, "the build stage runs scripts/build.sh -D...")
        build_type = re.search(r"CMAKE_BUILD_TYPE=(\S+) +\\?\s*scripts/build\.sh", dockerfile)
        self.assertIsNotNone(build_type, "the build stage names its CMAKE_BUILD_TYPE")
        rules = dockerignore_rules()
        self.assertTrue(excluded("tests/bridge/x.cc", rules), ".dockerignore leaves tests/ out")
        self.assertTrue(excluded("build/bin/hookbridge", rules))
        self.assertFalse(excluded("bridge/json.cc", rules))
        self.assertFalse(excluded("dist/image-bin/hookbridge", rules))
        with tempfile.TemporaryDirectory(prefix="hookbridge-context-") as tmp:
            context = Path(tmp) / "src"
            tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"],
                                     capture_output=True, check=True).stdout.decode()
            for relative in filter(None, tracked.split("\0")):
                if excluded(relative, rules) or not (ROOT / relative).exists():
                    continue
                target = context / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / relative, target)
            out = subprocess.run(
                ["cmake", "-S", str(context), "-B", str(Path(tmp) / "build"), "-G", "Ninja",
                 f"-DCMAKE_BUILD_TYPE={build_type.group(1)}", *configure.group(1).split()],
                capture_output=True, text=True, timeout=240)
            self.assertEqual(out.returncode, 0, out.stdout[-3000:] + out.stderr[-3000:])


if __name__ == "__main__":
    unittest.main()
