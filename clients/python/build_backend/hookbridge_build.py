"""PEP 517 build backend of the hookbridge Python package.

It needs nothing but the standard library and protoc, so ``pip install
clients/python`` works without a package index (pip's isolated build
environment stays empty: ``requires = []`` in pyproject.toml).

Building a wheel:

1. compiles the .proto files of the module (``proto/`` of the repository, or
   the copy an sdist carries) with protoc into Python messages
   (``--python_out``), type stubs (``--pyi_out``) and gRPC stubs (the
   ``grpc_python_plugin``), laid out as the proto packages say:
   ``hookbridge/v1/event_pb2.py``, ``hookbridge/ckeditor/v1/ckeditor_pb2.py``...
   The copies of the gRPC error model (``google/rpc/*.proto``) go to
   ``hookbridge/_rpc/`` so they never shadow googleapis-common-protos, and
   the vendored CloudEvents schema (``io/cloudevents/v1/cloudevents.proto``)
   to ``hookbridge/_cloudevents/``: as ``io.cloudevents.v1`` it would be a
   package named ``io``, which the standard library's ``io`` hides;
2. adds the library sources (``src/hookbridge``);
3. writes the wheel (a zip with ``.dist-info/METADATA``, ``WHEEL``,
   ``entry_points.txt`` and ``RECORD``) itself.

Tools, each overridable from the environment: ``PROTOC`` (else ``protoc`` on
PATH, else the ``grpc_tools`` package), ``PROTOC_INCLUDE`` (the directory
holding ``google/protobuf/*.proto``; else found next to protoc or in
/usr/include), ``GRPC_PYTHON_PLUGIN`` (else ``grpc_python_plugin`` on PATH),
``HOOKBRIDGE_PROTO_DIR`` (else the ``proto-dirs`` of pyproject.toml).

Run as a script it also stages an importable tree for tests:
``python3 build_backend/hookbridge_build.py stage OUT_DIR`` (sources plus
generated modules in ``OUT_DIR/hookbridge``).
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

__all__ = [
    "build_sdist",
    "build_wheel",
    "generate",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_wheel",
    "stage",
]

# 1980-01-01, the earliest time a zip entry can carry: wheels and sdists are
# reproducible unless SOURCE_DATE_EPOCH says otherwise.
_EPOCH = 315532800
_SKIP_NAMES = {"__pycache__", ".mypy_cache", ".pytest_cache"}


# ---------------------------------------------------------------- pyproject


def _read_toml(path: Path) -> dict:
    """Parses pyproject.toml with tomllib (3.11+) or tomli, else with a
    reader for the subset this project's file uses (tables, strings, arrays
    of strings, inline tables of strings)."""
    text = path.read_text(encoding="utf-8")
    try:
        import tomllib  # type: ignore[import-not-found]

        return tomllib.loads(text)
    except ImportError:
        pass
    try:
        import tomli  # type: ignore[import-not-found]

        return tomli.loads(text)
    except ImportError:
        pass
    return _read_simple_toml(text)


def _strip_comment(line: str) -> str:
    quote = None
    escaped = False
    for i, ch in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def _read_simple_toml(text: str) -> dict:
    data: dict = {}
    table = data
    pending = ""
    for raw in text.splitlines():
        line = _strip_comment(raw).strip()
        if not line and not pending:
            continue
        if not pending and line.startswith("[") and "=" not in line:
            table = data
            for part in line.strip("[]").split("."):
                table = table.setdefault(part.strip().strip('"'), {})
            continue
        pending = f"{pending} {line}" if pending else line
        key, _, value = pending.partition("=")
        value = value.strip()
        if value.count("[") > value.count("]") or value.count("{") > value.count("}"):
            continue  # a multi-line array: read on
        pending = ""
        if value.startswith("{"):
            items = {}
            for item in value.strip("{} ").split(","):
                if item.strip():
                    k, _, v = item.partition("=")
                    items[k.strip()] = ast.literal_eval(v.strip())
            table[key.strip().strip('"')] = items
        else:
            value = {"true": "True", "false": "False"}.get(value, value)
            table[key.strip().strip('"')] = ast.literal_eval(value)
    return data


class _Project:
    """The project in `root` as pyproject.toml describes it."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        config = _read_toml(self.root / "pyproject.toml")
        self.meta = config["project"]
        self.tool = config.get("tool", {}).get("hookbridge-build", {})
        self.name = self.meta["name"]
        self.version = self.meta["version"]
        # The distribution name as file names spell it (PEP 427/625).
        self.dist = re.sub(r"[-_.]+", "_", self.name).lower()
        self.package_dir = self.root / self.tool.get("package-dir", "src")

    def proto_root(self) -> Path:
        override = os.environ.get("HOOKBRIDGE_PROTO_DIR")
        candidates = [Path(override)] if override else [
            self.root / p for p in self.tool.get("proto-dirs", ["proto"])
        ]
        for candidate in candidates:
            if (candidate / "hookbridge" / "v1" / "service.proto").is_file():
                return candidate.resolve()
        raise RuntimeError(
            "hookbridge_build: no proto module (hookbridge/v1/service.proto) in "
            + ", ".join(str(c) for c in candidates)
        )

    def metadata(self) -> str:
        """The core metadata (METADATA / PKG-INFO), version 2.1."""
        lines = [
            "Metadata-Version: 2.1",
            f"Name: {self.name}",
            f"Version: {self.version}",
        ]
        if self.meta.get("description"):
            lines.append(f"Summary: {self.meta['description']}")
        license_ = self.meta.get("license")
        if isinstance(license_, dict) and license_.get("text"):
            lines.append(f"License: {license_['text']}")
        if self.meta.get("requires-python"):
            lines.append(f"Requires-Python: {self.meta['requires-python']}")
        for dependency in self.meta.get("dependencies", []):
            lines.append(f"Requires-Dist: {dependency}")
        for classifier in self.meta.get("classifiers", []):
            lines.append(f"Classifier: {classifier}")
        for label, url in self.meta.get("urls", {}).items():
            lines.append(f"Project-URL: {label}, {url}")
        body = ""
        readme = self.meta.get("readme")
        if isinstance(readme, str):
            body = (self.root / readme).read_text(encoding="utf-8")
            kind = "text/markdown" if readme.endswith(".md") else "text/plain"
            lines.append(f"Description-Content-Type: {kind}")
        return "\n".join(lines) + "\n\n" + body

    def entry_points(self) -> str:
        scripts = self.meta.get("scripts", {})
        if not scripts:
            return ""
        return "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())

    def dist_info(self) -> Dict[str, bytes]:
        """The .dist-info files but RECORD, keyed by their name inside it."""
        files = {
            "METADATA": self.metadata().encode("utf-8"),
            "WHEEL": (
                "Wheel-Version: 1.0\n"
                f"Generator: hookbridge_build ({self.version})\n"
                "Root-Is-Purelib: true\n"
                "Tag: py3-none-any\n"
            ).encode("ascii"),
        }
        entry_points = self.entry_points()
        if entry_points:
            files["entry_points.txt"] = entry_points.encode("utf-8")
        return files


# ---------------------------------------------------------------- protoc


def _protoc_command() -> Tuple[List[str], List[str], List[str]]:
    """Returns (protoc argv prefix, include dirs for the well-known types,
    arguments that load the gRPC Python generator)."""
    protoc = os.environ.get("PROTOC") or shutil.which("protoc")
    plugin = os.environ.get("GRPC_PYTHON_PLUGIN") or shutil.which("grpc_python_plugin")
    if protoc and plugin:
        candidates = [os.environ.get("PROTOC_INCLUDE", "")]
        candidates.append(str(Path(protoc).resolve().parent.parent / "include"))
        candidates += ["/usr/include", "/usr/local/include"]
        includes = [
            c for c in candidates
            if c and (Path(c) / "google" / "protobuf" / "timestamp.proto").is_file()
        ][:1]
        if not includes:
            raise RuntimeError(
                "hookbridge_build: the well-known types (google/protobuf/*.proto) were not "
                "found; install libprotobuf-dev or set PROTOC_INCLUDE"
            )
        return [protoc], includes, [f"--plugin=protoc-gen-grpc_python={plugin}"]
    try:  # pip's grpcio-tools carries protoc, the plugin and the well-known types
        import grpc_tools  # type: ignore[import-not-found]

        include = str(Path(grpc_tools.__file__).parent / "_proto")
        return [sys.executable, "-m", "grpc_tools.protoc"], [include], []
    except ImportError:
        pass
    raise RuntimeError(
        "hookbridge_build: protoc and grpc_python_plugin are needed to build hookbridge "
        "(Debian: apt-get install protobuf-compiler protobuf-compiler-grpc libprotobuf-dev; "
        "or pip install grpcio-tools)"
    )


def _relocate_rpc(tmp: Path) -> None:
    """Moves the google.rpc modules into hookbridge/_rpc."""
    source = tmp / "google" / "rpc"
    target = tmp / "hookbridge" / "_rpc"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        text = path.read_text(encoding="utf-8")
        module = path.name.split(".")[0]
        text = text.replace(f"'google.rpc.{module}'", f"'hookbridge._rpc.{module}'")
        (target / path.name).write_text(text, encoding="utf-8")
    shutil.rmtree(tmp / "google")


def _relocate_cloudevents(tmp: Path) -> None:
    """Moves io.cloudevents.v1.cloudevents_pb2 into hookbridge/_cloudevents
    and points the modules that import it there."""
    source = tmp / "io" / "cloudevents" / "v1"
    target = tmp / "hookbridge" / "_cloudevents"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        text = path.read_text(encoding="utf-8")
        text = text.replace("'io.cloudevents.v1.cloudevents_pb2'", "'hookbridge._cloudevents.cloudevents_pb2'")
        (target / path.name).write_text(text, encoding="utf-8")
    shutil.rmtree(tmp / "io")
    for path in (tmp / "hookbridge").rglob("*_pb2*.py*"):
        text = path.read_text(encoding="utf-8")
        changed = text.replace("from io.cloudevents.v1 import cloudevents_pb2", "from hookbridge._cloudevents import cloudevents_pb2")
        if changed != text:
            path.write_text(changed, encoding="utf-8")


def generate(out_dir: "os.PathLike[str] | str", proto_root: "os.PathLike[str] | str") -> List[str]:
    """Compiles the proto module in `proto_root` into `out_dir`/hookbridge
    (merging with what is there). Returns the written paths, relative to
    out_dir, with "/" separators."""
    proto_root = Path(proto_root)
    out_dir = Path(out_dir)
    protos = sorted(p.relative_to(proto_root).as_posix() for p in proto_root.glob("hookbridge/**/*.proto"))
    rpc = sorted(p.relative_to(proto_root).as_posix() for p in proto_root.glob("google/rpc/*.proto"))
    cloudevents = sorted(
        p.relative_to(proto_root).as_posix() for p in proto_root.glob("io/cloudevents/v1/*.proto")
    )
    services = [
        p for p in protos
        if re.search(r"^\s*service\s+\w+", (proto_root / p).read_text(encoding="utf-8"), re.M)
    ]
    protoc, includes, plugin = _protoc_command()
    base = protoc + [f"-I{proto_root}"] + [f"-I{i}" for i in includes]
    with tempfile.TemporaryDirectory(prefix="hookbridge-protoc-") as tmp_name:
        tmp = Path(tmp_name)
        for argv in (
            base + [f"--python_out={tmp}", f"--pyi_out={tmp}"] + protos + rpc + cloudevents,
            base + plugin + [f"--grpc_python_out={tmp}"] + services,
        ):
            result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if result.returncode != 0:
                raise RuntimeError(
                    f"hookbridge_build: {' '.join(argv)} failed:\n"
                    + result.stdout.decode("utf-8", "replace")
                )
        if rpc:
            _relocate_rpc(tmp)
        if cloudevents:
            _relocate_cloudevents(tmp)
        package = tmp / "hookbridge"
        for directory in [package] + [p for p in package.rglob("*") if p.is_dir()]:
            if directory != package and not (directory / "__init__.py").exists():
                (directory / "__init__.py").write_text("")
        written = []
        for path in sorted(package.rglob("*")):
            if path.is_file():
                relative = path.relative_to(tmp)
                (out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, out_dir / relative)
                written.append(relative.as_posix())
        return written


def _source_files(directory: Path) -> List[Path]:
    """The files under `directory`, without caches and compiled files."""
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_NAMES)
        for filename in sorted(filenames):
            if not filename.endswith((".pyc", ".pyo")):
                found.append(Path(dirpath) / filename)
    return found


def stage(out_dir: "os.PathLike[str] | str", root: "os.PathLike[str] | str | None" = None) -> Path:
    """Copies the library sources to out_dir and generates the proto modules
    next to them: out_dir is then an importable tree (for tests)."""
    project = _Project(Path(root) if root else Path(__file__).resolve().parent.parent)
    out_dir = Path(out_dir)
    for path in _source_files(project.package_dir):
        target = out_dir / path.relative_to(project.package_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    generate(out_dir, project.proto_root())
    return out_dir


# ---------------------------------------------------------------- archives


def _timestamp() -> int:
    return max(int(os.environ.get("SOURCE_DATE_EPOCH", _EPOCH)), _EPOCH)


def _zip_entry(name: str) -> zipfile.ZipInfo:
    import time

    info = zipfile.ZipInfo(name, time.gmtime(_timestamp())[:6])
    info.external_attr = (0o100644 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _package_files(project: _Project) -> Dict[str, bytes]:
    files: Dict[str, bytes] = {}
    for path in _source_files(project.package_dir):
        files[path.relative_to(project.package_dir).as_posix()] = path.read_bytes()
    with tempfile.TemporaryDirectory(prefix="hookbridge-gen-") as tmp:
        for name in generate(tmp, project.proto_root()):
            files[name] = (Path(tmp) / name).read_bytes()
    return files


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: Optional[dict] = None
) -> str:
    project = _Project(Path.cwd())
    name = f"{project.dist}-{project.version}.dist-info"
    target = Path(metadata_directory) / name
    target.mkdir(parents=True, exist_ok=True)
    for filename, data in project.dist_info().items():
        (target / filename).write_bytes(data)
    return name


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[dict] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    project = _Project(Path.cwd())
    dist_info = f"{project.dist}-{project.version}.dist-info"
    files = _package_files(project)
    for filename, data in project.dist_info().items():
        files[f"{dist_info}/{filename}"] = data
    record = io.StringIO()
    for name in sorted(files):
        record.write(f"{name},{_record_hash(files[name])},{len(files[name])}\n")
    record.write(f"{dist_info}/RECORD,,\n")
    files[f"{dist_info}/RECORD"] = record.getvalue().encode("utf-8")

    filename = f"{project.dist}-{project.version}-py3-none-any.whl"
    path = Path(wheel_directory) / filename
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as wheel:
        # The .dist-info last, RECORD at its end, as the wheel spec recommends.
        for name in sorted(files, key=lambda n: (n.startswith(dist_info), n.endswith("/RECORD"), n)):
            wheel.writestr(_zip_entry(name), files[name])
    os.replace(tmp, path)
    return filename


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    """The source tree plus a copy of the proto module in proto/, so the
    sdist builds on its own."""
    project = _Project(Path.cwd())
    top = f"{project.dist}-{project.version}"
    files: Dict[str, bytes] = {"PKG-INFO": project.metadata().encode("utf-8")}
    for name in ("pyproject.toml", "README.md"):
        files[name] = (project.root / name).read_bytes()
    for directory in ("build_backend", "tests", project.package_dir.name):
        for path in _source_files(project.root / directory):
            files[path.relative_to(project.root).as_posix()] = path.read_bytes()
    proto_root = project.proto_root()
    # With the vendored CloudEvents schema's LICENSE (proto/io/cloudevents/v1).
    for path in sorted([*proto_root.rglob("*.proto"), *proto_root.rglob("LICENSE")]):
        files["proto/" + path.relative_to(proto_root).as_posix()] = path.read_bytes()

    filename = f"{top}.tar.gz"
    path = Path(sdist_directory) / filename
    tmp = path.with_suffix(".tmp")
    with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for name in sorted(files):
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(files[name])
            info.mtime = _timestamp()
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            sdist.addfile(info, io.BytesIO(files[name]))
    os.replace(tmp, path)
    return filename


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "stage":
        sys.exit(f"usage: {sys.argv[0]} stage OUT_DIR")
    stage(sys.argv[2])
