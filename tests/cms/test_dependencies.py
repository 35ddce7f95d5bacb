"""The lockfiles install what pyproject.toml asks for (make lock regenerates them)."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def pins(lockfile):
    """{canonical name: version} of a pip-compile lockfile; every pin must carry a hash."""
    text = (ROOT / lockfile).read_text()
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match[1]} is pinned without a hash"
            found[canonicalize_name(match[1])] = match[2]
    return found


def requirements(*extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra in extras:
        listed += project["optional-dependencies"][extra]
    return [Requirement(line) for line in listed]


@pytest.mark.parametrize(
    ("lockfile", "extras"), [("requirements.lock", ()), ("requirements-test.lock", ("test",))]
)
def test_every_dependency_is_locked_at_a_version_pyproject_allows(lockfile, extras):
    locked = pins(lockfile)
    for requirement in requirements(*extras):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is missing from {lockfile}: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lockfile} pins {name}=={locked[name]}, outside {requirement}: run make lock"
        )


def test_the_runtime_lock_pins_the_same_versions_as_the_test_lock():
    runtime, test = pins("requirements.lock"), pins("requirements-test.lock")
    assert {name: test.get(name) for name in runtime} == runtime
