"""Installs come from the lock: it must hold every dependency of pyproject.toml, at a version the
project allows, with hashes; and the image's lock must agree with the suite's."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)(?: ;([^\\]+))?", re.M)


def pins(lock: str) -> dict[str, set[Version]]:
    found: dict[str, set[Version]] = {}
    for name, version, _marker in PIN.findall((ROOT / "requirements" / lock).read_text()):
        found.setdefault(canonicalize_name(name), set()).add(Version(version))
    return found


def declared(*, dev: bool) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + (project["optional-dependencies"]["dev"] if dev else [])
    return [Requirement(line) for line in listed]


def disagreements(lock: str, *, dev: bool) -> list[str]:
    locked = pins(lock)
    wrong = []
    for requirement in declared(dev=dev):
        versions = locked.get(canonicalize_name(requirement.name), set())
        if not versions:
            wrong.append(f"{requirement.name} is not in {lock}")
        wrong += [
            f"{requirement.name}=={version} in {lock} is outside {requirement.specifier}"
            for version in versions
            if not requirement.specifier.contains(version, prereleases=True)
        ]
    return wrong


def test_the_suites_lock_holds_every_dependency_at_an_allowed_version() -> None:
    assert disagreements("dev.lock", dev=True) == []


def test_the_images_lock_holds_every_runtime_dependency_at_an_allowed_version() -> None:
    assert disagreements("runtime.lock", dev=False) == []


def test_the_image_installs_the_versions_the_suite_ran_with() -> None:
    dev, runtime = pins("dev.lock"), pins("runtime.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_every_pin_carries_a_hash() -> None:
    for lock in ("dev.lock", "runtime.lock"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements" / lock).read_text())
        unhashed = [e.split()[0] for e in entries if "==" in e and "--hash=sha256:" not in e]
        assert unhashed == [], lock
