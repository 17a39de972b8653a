"""Build a Lambda deployment zip from a uv project folder, without Docker.

What the course repository's ``package_docker.py`` does inside the ``public.ecr.aws/lambda/python``
image, done with uv's cross-platform resolver instead: the locked dependencies (``uv export``)
installed for the function's runtime and Linux x86_64 (manylinux wheels), each local path
dependency (``[tool.uv.sources] x = { path = "../database" }``) installed without its
dependencies, and the project's own top-level modules beside them.

The installed dependencies are cached by the hash of the lock file and the target (runtime,
platform, exclusions): rebuilding after a code change only re-copies code and re-zips.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from harness.cache_dir import default_cache_dir

DEFAULT_RUNTIME = "python3.12"
DEFAULT_PLATFORM = "x86_64-manylinux2014"  # Lambda's x86_64 Amazon Linux 2023 accepts manylinux2014 wheels
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same inputs give the same zip and the same CodeSha256
_NOT_SHIPPED = re.compile(r"^(test_.*|.*_test|package.*|conftest|setup)\.py$")
_RUNTIME = re.compile(r"^python(3\.\d+)$")


class PackagingError(RuntimeError):
    """The folder cannot be packaged; the message says why and what to do."""


@dataclass(frozen=True)
class PackageResult:
    zip_path: Path
    dependencies_cached: bool  # True when the lock file's dependencies came from the cache
    seconds: float
    size_bytes: int
    files: int


def uv_binary() -> str:
    """The uv pinned in pyproject (the ``uv`` wheel ships its binary), else one on PATH."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
    raise PackagingError("uv is not installed: pip install uv (pinned in this project's pyproject.toml)")


def python_version(runtime: str) -> str:
    """``python3.12`` -> ``3.12``; other runtimes have no Python dependencies to resolve."""
    match = _RUNTIME.match(runtime)
    if not match:
        raise PackagingError(f"runtime {runtime!r} is not a Python Lambda runtime (python3.x)")
    return match.group(1)


def build_lambda_zip(
    project: Path,
    *,
    out: Path | None = None,
    runtime: str = DEFAULT_RUNTIME,
    platform: str = DEFAULT_PLATFORM,
    exclude: tuple[str, ...] = (),
    cache_dir: Path | None = None,
) -> PackageResult:
    """Package ``project`` (a folder with pyproject.toml and uv.lock) into ``out``.

    ``out`` defaults to ``<project>/<folder>_lambda.zip``, where the course repository's
    scripts and Terraform expect it. ``exclude`` names requirements left out (upstream drops
    ``pyperclip``).
    """
    began = time.perf_counter()
    project = project.resolve()
    pyproject = _read_pyproject(project)
    lock = project / "uv.lock"
    if not lock.is_file():
        raise PackagingError(f"{project} has no uv.lock: run `uv lock` there first (the lock pins what ships)")
    version = python_version(runtime)
    out = (out or project / f"{project.name}_lambda.zip").resolve()
    cache_root = (cache_dir or default_cache_dir()) / "lambda-deps"
    uv = uv_binary()

    key = _dependencies_key(lock, version, platform, exclude)
    deps_zip = cache_root / f"{key}.zip"
    cached = deps_zip.is_file()
    if not cached:
        requirements = _export_requirements(uv, project, exclude)
        _install_into_cache(uv, requirements, deps_zip, version, platform)

    with tempfile.TemporaryDirectory(prefix="lambda-package-") as scratch:
        local_dir = Path(scratch) / "local"
        for source in _local_sources(project, pyproject):
            _run(
                [
                    uv,
                    "pip",
                    "install",
                    "--quiet",
                    "--no-deps",
                    "--target",
                    str(local_dir),
                    "--python-version",
                    version,
                    "--python-platform",
                    platform,
                    str(source),
                ],
                cwd=project,
                what=f"installing the local package {source}",
            )
        entries = _tree_entries(local_dir) | _module_entries(_project_modules(project))
        files = _write_zip(out, deps_zip, entries)
    return PackageResult(out, cached, time.perf_counter() - began, out.stat().st_size, files)


def _read_pyproject(project: Path) -> dict:
    path = project / "pyproject.toml"
    if not path.is_file():
        raise PackagingError(f"{project} has no pyproject.toml: not a uv project folder")
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise PackagingError(f"{path} is not valid TOML: {err}") from err


def _dependencies_key(lock: Path, version: str, platform: str, exclude: tuple[str, ...]) -> str:
    digest = hashlib.sha256(lock.read_bytes())
    digest.update(f"\0{version}\0{platform}\0{','.join(sorted(exclude))}".encode())
    return digest.hexdigest()[:32]


def _export_requirements(uv: str, project: Path, exclude: tuple[str, ...]) -> str:
    """The locked third-party requirements (local path packages are installed separately)."""
    exported = _run(
        [uv, "export", "--frozen", "--no-hashes", "--no-dev", "--no-emit-project", "--no-emit-local"],
        cwd=project,
        what="exporting requirements from uv.lock",
    )
    dropped = {re.sub(r"[-_.]+", "-", name).lower() for name in exclude}
    kept = []
    for line in exported.splitlines():
        name = re.split(r"[=<>!~ ;\[]", line.strip(), maxsplit=1)[0]
        if name and not line.startswith(("#", "-")) and re.sub(r"[-_.]+", "-", name).lower() in dropped:
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def _install_into_cache(uv: str, requirements: str, deps_zip: Path, version: str, platform: str) -> None:
    """Install, then zip the tree: the cache holds one deterministic zip per lock, ready to extend."""
    deps_zip.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{deps_zip.stem}-", dir=deps_zip.parent))
    try:
        req_file = scratch / "requirements.txt"
        req_file.write_text(requirements)
        target = scratch / "site"
        _run(
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--target",
                str(target),
                "--python-version",
                version,
                "--python-platform",
                platform,
                "-r",
                str(req_file),
            ],
            cwd=scratch,
            what=f"installing dependencies for python{version} on {platform}",
        )
        staged = scratch / "deps.zip"
        with zipfile.ZipFile(staged, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for name, path in sorted(_tree_entries(target).items()):
                _add(archive, name, path)
        staged.replace(deps_zip)  # atomic: a concurrent build of the same lock writes the same bytes
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _local_sources(project: Path, pyproject: dict) -> list[Path]:
    """Path dependencies declared in [tool.uv.sources] (the course's ``database`` package)."""
    sources = pyproject.get("tool", {}).get("uv", {}).get("sources", {}) or {}
    paths = []
    for name, source in sorted(sources.items()):
        if isinstance(source, dict) and "path" in source:
            path = (project / source["path"]).resolve()
            if not path.exists():
                raise PackagingError(f"local package {name!r} points at {path}, which does not exist")
            paths.append(path)
    return paths


def _project_modules(project: Path) -> list[Path]:
    """The function's own code: top-level modules and packages, without tests and packaging scripts."""
    shipped = []
    for path in sorted(project.iterdir()):
        if path.is_file() and path.suffix == ".py" and not _NOT_SHIPPED.match(path.name):
            shipped.append(path)
        elif path.is_dir() and (path / "__init__.py").is_file() and path.name not in {"tests", "test"}:
            shipped.append(path)
    if not shipped:
        raise PackagingError(f"{project} has no top-level Python module to ship (lambda_handler.py?)")
    return shipped


def _tree_entries(tree: Path) -> dict[str, Path]:
    if not tree.is_dir():
        return {}
    return {
        path.relative_to(tree).as_posix(): path
        for path in tree.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.relative_to(tree).as_posix() != ".lock"
    }


def _module_entries(modules: list[Path]) -> dict[str, Path]:
    entries: dict[str, Path] = {}
    for module in modules:
        if module.is_file():
            entries[module.name] = module
        else:
            entries |= {f"{module.name}/{name}": path for name, path in _tree_entries(module).items()}
    return entries


def _add(archive: zipfile.ZipFile, name: str, path: Path) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.external_attr = (0o100000 | (path.stat().st_mode & 0o777)) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes(), compresslevel=6)


def _write_zip(out: Path, deps_zip: Path, entries: dict[str, Path]) -> int:
    """The cached dependencies zip, extended with the local packages and the function's modules.

    Copying the cached zip and appending is what makes a warm build fast; a module that shadows a
    dependency file (same path) replaces it, so then the zip is rewritten entry by entry instead.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(deps_zip) as deps:
        names = deps.namelist()
        shadowed = set(names) & set(entries)
        if not shadowed:
            shutil.copyfile(deps_zip, partial)
            with zipfile.ZipFile(partial, "a") as archive:
                for name in sorted(entries):
                    _add(archive, name, entries[name])
        else:
            with zipfile.ZipFile(partial, "w") as archive:
                for info in deps.infolist():
                    if info.filename not in shadowed:
                        archive.writestr(info, deps.read(info))
                for name in sorted(entries):
                    _add(archive, name, entries[name])
    partial.replace(out)
    return len(set(names) | set(entries))


def _run(command: list[str], *, cwd: Path, what: str) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise PackagingError(f"{what} failed (exit {done.returncode}): {detail[-2000:]}")
    return done.stdout
