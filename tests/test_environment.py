"""environment.yml repeats the pins of pyproject.toml; requirements.lock agrees with both."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT

_PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(==|=)\s*([A-Za-z0-9_.\-]+)\s*$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(specs: list[str]) -> dict[str, str]:
    out = {}
    for spec in specs:
        m = _PIN.match(spec)
        assert m, f"not an exact pin: {spec!r}"
        out[_norm(m.group(1))] = m.group(3)
    return out


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return _pins(specs)


def environment_pins() -> tuple[dict[str, str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep["pip"]
        else:
            conda.append(dep)
    conda_pins = _pins([d for d in conda if not d.startswith(("python=", "pip"))])
    pip_pins = _pins([d for d in pip if not d.startswith("-e")])
    assert "python=3.11" in conda
    assert "conda-forge" in env["channels"]
    return {**conda_pins, **pip_pins}, pip


def test_environment_yml_matches_pyproject():
    env, pip = environment_pins()
    assert env == pyproject_pins()
    assert "-e ." in pip, "environment.yml must install the package itself with pip"


def test_lock_agrees_with_pins():
    lock = _pins([line for line in (ROOT / "requirements.lock").read_text().splitlines()
                  if line.strip() and not line.startswith("#")])
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"{name}: pyproject {version}, lock {lock.get(name)}"
