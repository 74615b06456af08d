#!/usr/bin/env python3
"""Build skua's offline fixture package index from fixtures/index/packages.toml.

    python3 scripts/make_fixture_index.py --out DIR [--spec PATH]
    python3 scripts/make_fixture_index.py --check DIR

The output is a static tree that crates/skua-test-support serves over HTTP:

    DIR/{index}/simple/index.json            PEP 691 project list (and index.html, PEP 503)
    DIR/{index}/simple/{project}/index.json  PEP 691 + PEP 700 project page (and index.html)
    DIR/{index}/files/{wheel}                PEP 427 wheels, pure Python whatever the tag
    DIR/{index}/files/{wheel}.metadata       PEP 658/714 core metadata, unless switched off
    DIR/{index}/files/{sdist}.tar.gz         sdists with a PKG-INFO

Every archive is byte-for-byte reproducible (fixed timestamps, owners and modes, sorted
entries), so hashes only change when the spec or this script changes; the test-support
crate keys its cache on exactly those two inputs. File URLs in the pages are relative
("../../files/NAME") so the pages do not depend on the port the server happens to get.

Spec keys (unknown keys are errors, so a typo cannot silently drop a scenario):

    [defaults]       upload-time
    [index.NAME]     description
    [[project]]      name, index ("primary"), scenario (free text), metadata-file (true),
                     upload-time, copies (publish N identical projects NAME-01 .. NAME-N
                     instead of NAME, for scenarios that need many packages)
    [[project.release]]
                     version (or versions [..]: the same release published under each
                     listed version, with `{version}` in requires-dist replaced by it),
                     requires-python, requires-dist [..], provides-extra [..]
                     (extras named in `extra == "x"` markers are added automatically),
                     upload-time, yanked (false | true | "reason"), summary,
                     wheels (["py3-none-any"]; [] for sdist-only), sdist (false),
                     sdist-metadata ("static" = Metadata-Version 2.2 with nothing dynamic,
                     "dynamic" = 2.2 with Dynamic: Requires-Dist, "legacy" = 2.1, which
                     PEP 643 says can't be trusted), entry-points {group = {name = "mod:fn"}},
                     data {"scripts/x" = "text"} (the wheel's .data directory),
                     files {"pkg/mod.py" = "text"} (replaces the default module),
                     padding-kib (incompressible bytes, for range-request tests),
                     module-count (that many extra empty modules: a central directory
                     bigger than a range reader's first read of the tail),
                     metadata-headers [..] (raw lines written verbatim into METADATA and
                     PKG-INFO after Summary, before Requires-Python and Requires-Dist:
                     folded fields, whitespace-only lines, a second Requires-Python that
                     readers see first; each line without line breaks). requires-dist
                     values are written verbatim too, malformed ones included.
                     per-file {"TAG" = {upload-time, yanked}} (keyed by a wheel tag of
                     the release, or "sdist"): one file uploaded later, or yanked alone,
                     as when wheels for a new platform follow a release.
    [[external]]     name, from-python (true): publish an existing wheel of a real project
                     (setuptools, wheel) that ships with the interpreter running this
                     script (ensurepip's _bundled directory, or the wheels CPython keeps
                     for its own tests), so sdists can be built offline against the
                     index. A missing wheel is skipped with a message, not an error;
                     tests that need it look for its project page and skip.
"""

from __future__ import annotations

import argparse
import base64
import email.parser
import email.policy
import gzip
import hashlib
import html
import io
import json
import re
import shutil
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR = "skua make_fixture_index.py"
API_VERSION = "1.1"
# Marks a directory as ours, so --out never deletes something it did not create.
MARKER = ".skua-fixture-index"
# The earliest time a zip entry can carry; any fixed value works, this one is also valid
# for the tar members.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
TAR_MTIME = 315532800
DEFAULT_UPLOAD_TIME = "2025-06-01T00:00:00Z"

UPLOAD_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")
NAME_RE = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
# Normalized PEP 440 versions only: filenames and pages must agree without a PEP 440
# implementation in a stdlib-only script.
VERSION_RE = re.compile(r"^(\d+!)?\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")
EXTRA_RE = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")
TAG_RE = re.compile(r"^[A-Za-z0-9_.]+-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+$")

PROJECT_KEYS = {
    "name",
    "index",
    "scenario",
    "metadata-file",
    "upload-time",
    "copies",
    "release",
}
RELEASE_KEYS = {
    "version",
    "versions",
    "requires-python",
    "requires-dist",
    "provides-extra",
    "upload-time",
    "yanked",
    "summary",
    "wheels",
    "sdist",
    "sdist-metadata",
    "entry-points",
    "data",
    "files",
    "padding-kib",
    "module-count",
    "metadata-headers",
    "per-file",
}
PER_FILE_KEYS = {"upload-time", "yanked"}


EXTERNAL_KEYS = {"name", "from-python"}


class SpecError(Exception):
    pass


def normalize(name: str) -> str:
    """PEP 503 project name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dist_name(name: str) -> str:
    """The escaped name used in wheel and sdist filenames (binary distribution format)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_digest(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


@dataclass
class Release:
    version: str
    requires_python: str | None
    requires_dist: list[str]
    provides_extra: list[str]
    upload_time: str
    yanked: bool | str
    summary: str
    wheels: list[str]
    sdist: bool
    sdist_metadata: str
    entry_points: dict[str, dict[str, str]]
    data: dict[str, str]
    files: dict[str, str] | None
    padding_kib: int
    module_count: int = 0
    metadata_headers: list[str] = field(default_factory=list)
    # Wheel tag or "sdist" -> upload-time / yanked of that one file.
    per_file: dict[str, dict] = field(default_factory=dict)


@dataclass
class Project:
    name: str
    index: str
    metadata_file: bool
    releases: list[Release] = field(default_factory=list)

    @property
    def normalized(self) -> str:
        return normalize(self.name)


@dataclass
class BuiltFile:
    filename: str
    data: bytes
    metadata: bytes | None
    release: Release
    # The wheel tag, or "sdist", that `per-file` keys refer to.
    key: str = ""


def check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)}")


def check_upload_time(value: object, where: str) -> str:
    if not isinstance(value, str) or not UPLOAD_TIME_RE.match(value):
        raise SpecError(f"{where}: upload-time must look like 2025-06-01T00:00:00Z, got {value!r}")
    return value


def str_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(f"{where}: expected a list of strings")
    return list(value)


def str_table(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SpecError(f"{where}: expected a table of strings")
    return dict(value)


def parse_release(
    rel: dict, version: str, series: bool, name: str, project_time: str, rwhere: str
) -> Release:
    """One release table, as published under `version` (one of its `versions` if `series`)."""
    requires_dist = str_list(rel.get("requires-dist", []), rwhere)
    if series:
        requires_dist = [req.replace("{version}", version) for req in requires_dist]
    extras = str_list(rel.get("provides-extra", []), rwhere)
    for req in requires_dist:
        for extra in EXTRA_RE.findall(req):
            if extra not in extras:
                extras.append(extra)
    yanked = rel.get("yanked", False)
    if not isinstance(yanked, (bool, str)) or yanked == "":
        raise SpecError(f"{rwhere}: yanked must be true, false or a reason")
    wheels = str_list(rel.get("wheels", ["py3-none-any"]), rwhere)
    for tag in wheels:
        if not TAG_RE.match(tag):
            raise SpecError(f"{rwhere}: bad wheel tag {tag!r}")
    sdist = bool(rel.get("sdist", False))
    if not wheels and not sdist:
        raise SpecError(f"{rwhere}: a release needs a wheel or an sdist")
    sdist_metadata = rel.get("sdist-metadata", "static")
    if sdist_metadata not in ("static", "dynamic", "legacy"):
        raise SpecError(f"{rwhere}: sdist-metadata must be static, dynamic or legacy")
    entry_points = rel.get("entry-points", {})
    if not isinstance(entry_points, dict):
        raise SpecError(f"{rwhere}: entry-points must be a table of tables")
    entry_points = {
        group: str_table(eps, f"{rwhere} entry-points.{group}")
        for group, eps in entry_points.items()
    }
    data = str_table(rel.get("data", {}), rwhere)
    for path in data:
        if path.split("/", 1)[0] not in ("scripts", "data", "purelib", "platlib", "headers"):
            raise SpecError(f"{rwhere}: data path {path!r} must start with a scheme key")
    files = str_table(rel["files"], rwhere) if "files" in rel else None
    padding = rel.get("padding-kib", 0)
    if not isinstance(padding, int) or padding < 0:
        raise SpecError(f"{rwhere}: padding-kib must be a non-negative integer")
    module_count = rel.get("module-count", 0)
    if not isinstance(module_count, int) or module_count < 0:
        raise SpecError(f"{rwhere}: module-count must be a non-negative integer")
    metadata_headers = str_list(rel.get("metadata-headers", []), rwhere)
    if any("\n" in line or "\r" in line for line in metadata_headers):
        raise SpecError(f"{rwhere}: metadata-headers lines cannot contain line breaks")
    per_file = rel.get("per-file", {})
    if not isinstance(per_file, dict):
        raise SpecError(f"{rwhere}: per-file must be a table of tables")
    known = set(wheels) | ({"sdist"} if sdist else set())
    for file_key, overrides in per_file.items():
        fwhere = f"{rwhere} per-file.{file_key}"
        if file_key not in known:
            raise SpecError(f"{fwhere}: not a wheel tag of this release, nor \"sdist\"")
        if not isinstance(overrides, dict):
            raise SpecError(f"{fwhere}: expected a table")
        check_keys(overrides, PER_FILE_KEYS, fwhere)
        if "upload-time" in overrides:
            check_upload_time(overrides["upload-time"], fwhere)
        file_yanked = overrides.get("yanked", False)
        if not isinstance(file_yanked, (bool, str)) or file_yanked == "":
            raise SpecError(f"{fwhere}: yanked must be true, false or a reason")
    return Release(
        version=version,
        requires_python=rel.get("requires-python"),
        requires_dist=requires_dist,
        provides_extra=extras,
        upload_time=check_upload_time(rel.get("upload-time", project_time), rwhere),
        yanked=yanked,
        summary=rel.get("summary", f"skua fixture package {name}"),
        wheels=wheels,
        sdist=sdist,
        sdist_metadata=sdist_metadata,
        entry_points=entry_points,
        data=data,
        files=files,
        padding_kib=padding,
        module_count=module_count,
        metadata_headers=metadata_headers,
        per_file=per_file,
    )


def parse_spec(spec: dict) -> tuple[dict[str, str], list[Project]]:
    check_keys(spec, {"defaults", "index", "project", "external"}, "spec")
    defaults = spec.get("defaults", {})
    check_keys(defaults, {"upload-time"}, "[defaults]")
    default_time = check_upload_time(
        defaults.get("upload-time", DEFAULT_UPLOAD_TIME), "[defaults]"
    )

    indexes: dict[str, str] = {}
    for index_name, table in spec.get("index", {"primary": {}}).items():
        if not re.match(r"^[a-z0-9][a-z0-9-]*$", index_name):
            raise SpecError(f"index name {index_name!r} must be lowercase letters, digits, '-'")
        check_keys(table, {"description"}, f"[index.{index_name}]")
        indexes[index_name] = table.get("description", "")

    projects: list[Project] = []
    seen: set[tuple[str, str, str]] = set()
    for i, raw in enumerate(spec.get("project", [])):
        where = f"[[project]] #{i + 1} ({raw.get('name', '?')})"
        check_keys(raw, PROJECT_KEYS, where)
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise SpecError(f"{where}: invalid project name {name!r}")
        if not normalize(name).startswith("skf-"):
            # Keeps the fixtures from ever shadowing a real PyPI project.
            raise SpecError(f"{where}: fixture project names must start with 'skf-'")
        index = raw.get("index", "primary")
        if index not in indexes:
            raise SpecError(f"{where}: unknown index {index!r}")
        project_time = check_upload_time(raw.get("upload-time", default_time), where)
        project = Project(name, index, bool(raw.get("metadata-file", True)))
        for rel in raw.get("release", []):
            rwhere = f"{where} release {rel.get('version', rel.get('versions', '?'))}"
            check_keys(rel, RELEASE_KEYS, rwhere)
            if ("version" in rel) == ("versions" in rel):
                raise SpecError(f"{rwhere}: give exactly one of version and versions")
            series = "versions" in rel
            versions = str_list(rel["versions"], rwhere) if series else [rel["version"]]
            if not versions:
                raise SpecError(f"{rwhere}: versions must not be empty")
            for version in versions:
                if not isinstance(version, str) or not VERSION_RE.match(version):
                    raise SpecError(f"{rwhere}: version must be a normalized PEP 440 version")
                vwhere = f"{where} release {version}"
                key = (index, project.normalized, version)
                if key in seen:
                    raise SpecError(f"{vwhere}: duplicate release")
                seen.add(key)
                project.releases.append(
                    parse_release(rel, version, series, name, project_time, vwhere)
                )
        if not project.releases:
            raise SpecError(f"{where}: no releases")
        copies = raw.get("copies")
        if copies is None:
            projects.append(project)
            continue
        if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= 999:
            raise SpecError(f"{where}: copies must be an integer from 1 to 999")
        width = len(str(copies))
        for n in range(1, copies + 1):
            projects.append(
                Project(f"{name}-{n:0{width}d}", index, project.metadata_file, project.releases)
            )
    return indexes, projects


def parse_externals(spec: dict) -> list[str]:
    names = []
    for i, raw in enumerate(spec.get("external", [])):
        where = f"[[external]] #{i + 1} ({raw.get('name', '?')})"
        check_keys(raw, EXTERNAL_KEYS, where)
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise SpecError(f"{where}: invalid project name {name!r}")
        if raw.get("from-python") is not True:
            # The only source so far; being explicit keeps room for others (a path, say).
            raise SpecError(f"{where}: from-python = true is required")
        names.append(normalize(name))
    return names


def bundled_wheel_dirs() -> list[Path]:
    """Where the running interpreter keeps wheels of real projects, best first."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    # ensurepip bundles setuptools up to 3.11; CPython 3.12+ keeps setuptools and wheel
    # wheels for its own test suite (test/wheeldata in 3.13, test/ in 3.12).
    return [stdlib / "ensurepip" / "_bundled", stdlib / "test" / "wheeldata", stdlib / "test"]


def find_external_wheel(name: str) -> Path | None:
    for directory in bundled_wheel_dirs():
        if not directory.is_dir():
            continue
        found = sorted(
            p for p in directory.glob("*.whl") if normalize(p.name.split("-", 1)[0]) == name
        )
        if found:
            # Several versions in one place: the newest by name is good enough here.
            return found[-1]
    return None


def external_wheel(name: str) -> BuiltFile | None:
    path = find_external_wheel(name)
    if path is None:
        print(
            f"make_fixture_index: note: no bundled wheel of {name} in "
            f"{', '.join(str(d) for d in bundled_wheel_dirs())}; skipping it "
            "(tests that build sdists will skip)",
            file=sys.stderr,
        )
        return None
    data = path.read_bytes()
    metadata = check_wheel(path, data)
    _, version, *_ = path.name.split("-")
    rel = Release(
        version=version,
        requires_python=None,
        requires_dist=[],
        provides_extra=[],
        upload_time=DEFAULT_UPLOAD_TIME,
        yanked=False,
        summary="",
        wheels=[],
        sdist=False,
        sdist_metadata="static",
        entry_points={},
        data={},
        files=None,
        padding_kib=0,
    )
    return BuiltFile(path.name, data, metadata, rel)


def core_metadata(project: Project, rel: Release, metadata_version: str, dynamic: bool) -> bytes:
    lines = [
        f"Metadata-Version: {metadata_version}",
        f"Name: {project.name}",
        f"Version: {rel.version}",
        f"Summary: {rel.summary}",
    ]
    lines += rel.metadata_headers
    if dynamic:
        lines.append("Dynamic: Requires-Dist")
    if rel.requires_python:
        lines.append(f"Requires-Python: {rel.requires_python}")
    if not dynamic:
        # A dynamic field's value is only known after a build, so the sdist carries none.
        lines += [f"Requires-Dist: {req}" for req in rel.requires_dist]
    lines += [f"Provides-Extra: {extra}" for extra in rel.provides_extra]
    return ("\n".join(lines) + "\n").encode("utf-8")


def padding_bytes(seed: str, kib: int) -> bytes:
    # Hash output does not compress, so the wheel really is this much bigger than its
    # metadata and a range request for the tail is measurably cheaper than a download.
    out = bytearray()
    counter = 0
    while len(out) < kib * 1024:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[: kib * 1024])


def package_files(project: Project, rel: Release) -> dict[str, bytes]:
    module = dist_name(project.name)
    if rel.files is not None:
        files = {path: text.encode("utf-8") for path, text in rel.files.items()}
    else:
        files = {
            f"{module}/__init__.py": (
                f'"""{project.name} {rel.version}: a skua test fixture."""\n\n'
                f'__version__ = "{rel.version}"\n\n\n'
                "def main():\n"
                f'    print("{project.name} {rel.version}")\n'
                "    return 0\n"
            ).encode("utf-8")
        }
    if rel.padding_kib:
        seed = f"{project.normalized}-{rel.version}"
        files[f"{module}/_padding.bin"] = padding_bytes(seed, rel.padding_kib)
    for i in range(rel.module_count):
        files[f"{module}/generated/module_with_a_long_name_{i:05}.py"] = b""
    return files


def zip_entry(path: str, executable: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=ZIP_EPOCH)
    info.create_system = 3
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def expand_tags(tag: str) -> list[str]:
    """A compressed tag set (`cp311-cp311-a.b`) stands for every combination."""
    py, abi, plat = tag.split("-")
    return [
        f"{p}-{a}-{pl}" for p in py.split(".") for a in abi.split(".") for pl in plat.split(".")
    ]


def build_wheel(project: Project, rel: Release, tag: str) -> BuiltFile:
    base = f"{dist_name(project.name)}-{rel.version}"
    dist_info = f"{base}.dist-info"
    pure = tag.endswith("-none-any")
    metadata = core_metadata(project, rel, "2.1", dynamic=False)

    body = dict(sorted(package_files(project, rel).items()))
    data = {f"{base}.data/{path}": text.encode("utf-8") for path, text in sorted(rel.data.items())}
    meta = {f"{dist_info}/METADATA": metadata}
    wheel_lines = [
        "Wheel-Version: 1.0",
        f"Generator: {GENERATOR}",
        f"Root-Is-Purelib: {'true' if pure else 'false'}",
    ] + [f"Tag: {t}" for t in expand_tags(tag)]
    meta[f"{dist_info}/WHEEL"] = ("\n".join(wheel_lines) + "\n").encode()
    if rel.entry_points:
        text = ""
        for group in sorted(rel.entry_points):
            text += f"[{group}]\n"
            text += "".join(f"{k} = {v}\n" for k, v in sorted(rel.entry_points[group].items()))
            text += "\n"
        meta[f"{dist_info}/entry_points.txt"] = text.encode()
    top_level = sorted({path.split("/", 1)[0] for path in body})
    meta[f"{dist_info}/top_level.txt"] = "".join(f"{t}\n" for t in top_level).encode()

    entries = {**body, **data, **dict(sorted(meta.items()))}
    record = "".join(f"{path},{record_digest(content)},{len(content)}\n" for path, content in entries.items())
    record += f"{dist_info}/RECORD,,\n"
    entries[f"{dist_info}/RECORD"] = record.encode()

    buf = io.BytesIO()
    # RECORD goes last, as PEP 427 recommends, so streaming installers see it after the
    # files it describes.
    with zipfile.ZipFile(buf, "w") as zf:
        for path, content in entries.items():
            executable = path.startswith(f"{base}.data/scripts/")
            zf.writestr(zip_entry(path, executable), content, compresslevel=6)
    return BuiltFile(f"{base}-{tag}.whl", buf.getvalue(), metadata, rel, tag)


def tar_add(tf: tarfile.TarFile, path: str, content: bytes) -> None:
    info = tarfile.TarInfo(path)
    info.size = len(content)
    info.mtime = TAR_MTIME
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tf.addfile(info, io.BytesIO(content))


def build_sdist(project: Project, rel: Release) -> BuiltFile:
    base = f"{dist_name(project.name)}-{rel.version}"
    if rel.sdist_metadata == "legacy":
        pkg_info = core_metadata(project, rel, "2.1", dynamic=False)
    else:
        pkg_info = core_metadata(project, rel, "2.2", dynamic=rel.sdist_metadata == "dynamic")
    deps = ", ".join(json.dumps(r) for r in rel.requires_dist)
    dynamic = rel.sdist_metadata != "static"
    pyproject = (
        "[build-system]\n"
        'requires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        f'name = "{project.name}"\n'
        f'version = "{rel.version}"\n'
        + (f'requires-python = "{rel.requires_python}"\n' if rel.requires_python else "")
        + ('dynamic = ["dependencies"]\n' if dynamic else f"dependencies = [{deps}]\n")
    )
    members = {f"{base}/PKG-INFO": pkg_info, f"{base}/pyproject.toml": pyproject.encode()}
    if dynamic:
        # What makes metadata dynamic in real life: dependencies computed by running code.
        members[f"{base}/setup.py"] = (
            "from setuptools import setup\n\n"
            f"setup(install_requires={rel.requires_dist!r})\n"
        ).encode()
    for path, content in package_files(project, rel).items():
        members[f"{base}/src/{path}"] = content

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for path in sorted(members):
            tar_add(tf, path, members[path])
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return BuiltFile(f"{base}.tar.gz", out.getvalue(), None, rel, "sdist")


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def dump_json(value: object) -> bytes:
    return (json.dumps(value, indent=2) + "\n").encode("utf-8")


def html_page(title: str, links: list[str]) -> bytes:
    body = "\n".join(f"    {link}<br />" for link in links)
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"    <h1>{html.escape(title)}</h1>\n{body}\n  </body>\n</html>\n"
    ).encode("utf-8")


def file_entry(project: Project, built: BuiltFile) -> tuple[dict, str]:
    rel = built.release
    overrides = rel.per_file.get(built.key, {})
    upload_time = overrides.get("upload-time", rel.upload_time)
    yanked = overrides.get("yanked", rel.yanked)
    url = f"../../files/{built.filename}"
    core: dict | bool = False
    if built.metadata is not None and project.metadata_file:
        core = {"sha256": sha256_hex(built.metadata)}
    entry = {
        "filename": built.filename,
        "url": url,
        "hashes": {"sha256": sha256_hex(built.data)},
        "requires-python": rel.requires_python,
        "yanked": yanked,
        "size": len(built.data),
        "upload-time": upload_time,
        "core-metadata": core,
        # PyPI still sends the pre-PEP 714 name; clients are expected to read either.
        "data-dist-info-metadata": core,
    }
    attrs = [f'href="{html.escape(url)}#sha256={entry["hashes"]["sha256"]}"']
    if rel.requires_python:
        attrs.append(f'data-requires-python="{html.escape(rel.requires_python)}"')
    if yanked is not False:
        reason = "" if yanked is True else yanked
        attrs.append(f'data-yanked="{html.escape(reason)}"')
    if core:
        attrs.append(f'data-dist-info-metadata="sha256={core["sha256"]}"')
        attrs.append(f'data-core-metadata="sha256={core["sha256"]}"')
    link = f"<a {' '.join(attrs)}>{html.escape(built.filename)}</a>"
    return entry, link


def build(spec_path: Path, out: Path) -> None:
    with spec_path.open("rb") as f:
        raw_spec = tomllib.load(f)
    indexes, projects = parse_spec(raw_spec)
    externals: list[tuple[Project, BuiltFile]] = []
    for name in parse_externals(raw_spec):
        built = external_wheel(name)
        if built is not None:
            externals.append((Project(name, "primary", True, [built.release]), built))

    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()):
            raise SpecError(f"{out} exists and was not made by this script; refusing to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text(f"{GENERATOR}\n")

    for index in indexes:
        root = out / index
        prebuilt = {p.normalized: b for p, b in externals if p.index == index}
        mine = sorted(
            [p for p in projects if p.index == index]
            + [p for p, _ in externals if p.index == index],
            key=lambda p: p.normalized,
        )
        names = [p.normalized for p in mine]
        if len(set(names)) != len(names):
            raise SpecError(f"index {index}: a project appears twice; merge its [[project]] tables")
        listing = {
            "meta": {"api-version": API_VERSION},
            "projects": [{"name": p.normalized} for p in mine],
        }
        write_bytes(root / "simple" / "index.json", dump_json(listing))
        write_bytes(
            root / "simple" / "index.html",
            html_page(
                f"Simple index ({index})",
                [f'<a href="{p.normalized}/">{html.escape(p.normalized)}</a>' for p in mine],
            ),
        )
        for project in mine:
            entries, links = [], []
            for rel in project.releases:
                built = [build_sdist(project, rel)] if rel.sdist else []
                built += [build_wheel(project, rel, tag) for tag in rel.wheels]
                if project.normalized in prebuilt:
                    built = [prebuilt[project.normalized]]
                for b in built:
                    write_bytes(root / "files" / b.filename, b.data)
                    if b.metadata is not None and project.metadata_file:
                        write_bytes(root / "files" / f"{b.filename}.metadata", b.metadata)
                    entry, link = file_entry(project, b)
                    entries.append(entry)
                    links.append(link)
            page = {
                "meta": {"api-version": API_VERSION},
                "name": project.normalized,
                "versions": [rel.version for rel in project.releases],
                "files": entries,
            }
            page_dir = root / "simple" / project.normalized
            write_bytes(page_dir / "index.json", dump_json(page))
            write_bytes(page_dir / "index.html", html_page(f"Links for {project.normalized}", links))


# --- --check: proves the tree is what installers and resolvers expect -----------------


def check_wheel(path: Path, data: bytes) -> bytes:
    """Validates RECORD and WHEEL; returns the METADATA bytes."""
    name, version, *tag = path.name[: -len(".whl")].split("-")
    dist_info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        contents = {info.filename: zf.read(info) for info in zf.infolist()}
    record = contents.get(f"{dist_info}/RECORD")
    if record is None:
        raise SpecError(f"{path.name}: no {dist_info}/RECORD")
    listed = set()
    for line in record.decode().splitlines():
        entry, digest, size = line.rsplit(",", 2)
        listed.add(entry)
        if entry.endswith("/RECORD"):
            continue
        if digest != record_digest(contents[entry]) or int(size) != len(contents[entry]):
            raise SpecError(f"{path.name}: RECORD is wrong for {entry}")
    if listed != set(contents):
        raise SpecError(f"{path.name}: RECORD lists {sorted(listed ^ set(contents))} wrongly")
    wheel = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        contents[f"{dist_info}/WHEEL"]
    )
    if sorted(wheel.get_all("Tag")) != sorted(expand_tags("-".join(tag))):
        raise SpecError(f"{path.name}: WHEEL tags do not match the filename")
    metadata = contents[f"{dist_info}/METADATA"]
    parsed = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(metadata)
    if dist_name(parsed["Name"]) != name or parsed["Version"] != version:
        raise SpecError(f"{path.name}: METADATA Name/Version do not match the filename")
    return metadata


def check(out: Path) -> int:
    if not (out / MARKER).exists():
        raise SpecError(f"{out} is not a fixture index built by this script")
    count = 0
    for listing_path in sorted(out.glob("*/simple/index.json")):
        root = listing_path.parent.parent
        listing = json.loads(listing_path.read_text())
        served: set[str] = set()
        for proj in listing["projects"]:
            page_dir = listing_path.parent / proj["name"]
            page = json.loads((page_dir / "index.json").read_text())
            if page["meta"]["api-version"] != API_VERSION or page["name"] != proj["name"]:
                raise SpecError(f"{page_dir}: bad meta or name")
            page_html = (page_dir / "index.html").read_text()
            for entry in page["files"]:
                target = (page_dir / entry["url"]).resolve()
                data = target.read_bytes()
                served.add(target.name)
                if sha256_hex(data) != entry["hashes"]["sha256"] or len(data) != entry["size"]:
                    raise SpecError(f"{entry['filename']}: hash or size in the page is wrong")
                if f'href="{html.escape(entry["url"])}#sha256={sha256_hex(data)}"' not in page_html:
                    raise SpecError(f"{entry['filename']}: missing from the HTML page")
                if entry["filename"].endswith(".whl"):
                    metadata = check_wheel(target, data)
                    core = entry["core-metadata"]
                    meta_path = target.with_name(target.name + ".metadata")
                    if core:
                        served.add(meta_path.name)
                        published = meta_path.read_bytes()
                        if published != metadata or sha256_hex(published) != core["sha256"]:
                            raise SpecError(f"{meta_path.name}: differs from the wheel's METADATA")
                    elif meta_path.exists():
                        raise SpecError(f"{meta_path.name}: published although switched off")
                else:
                    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
                        base = entry["filename"][: -len(".tar.gz")]
                        tf.getmember(f"{base}/PKG-INFO")
                count += 1
        on_disk = {p.name for p in (root / "files").iterdir()}
        if on_disk != served:
            raise SpecError(f"{root}: files not linked from any page: {sorted(on_disk - served)}")
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", type=Path, help="build the index into this directory")
    mode.add_argument("--check", type=Path, metavar="DIR", help="validate a built index")
    default_spec = Path(__file__).resolve().parent.parent / "fixtures" / "index" / "packages.toml"
    parser.add_argument("--spec", type=Path, default=default_spec)
    args = parser.parse_args()
    try:
        if args.out is not None:
            build(args.spec, args.out)
            # Cheap, and it means a broken spec or script never yields a tree that only
            # fails later inside a resolver test.
            count = check(args.out)
            print(f"built {count} distributions into {args.out}")
        else:
            print(f"checked {check(args.check)} distributions in {args.check}")
    except (SpecError, OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as err:
        print(f"make_fixture_index: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
