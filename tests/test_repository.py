"""Checks on the repository's own infrastructure: README commands, CI script,
conda/Binder environment files and pyproject.toml."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

MARKER_RE = re.compile(r"^<!-- command: (\S+) -->$")


def readme_commands() -> dict[str, list[str]]:
    """Map each `<!-- command: NAME -->` marker to the lines of the fenced
    block that immediately follows it (blank lines in between allowed)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    commands: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        m = MARKER_RE.match(line)
        if not m:
            continue
        name = m.group(1)
        assert name not in commands, f"duplicate marker {name!r}"
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        assert j < len(lines) and lines[j].startswith("```"), (
            f"marker {name!r} is not followed by a fenced block"
        )
        assert lines[j].strip() == "```bash", f"block for {name!r} is not ```bash"
        body = []
        j += 1
        while j < len(lines) and not lines[j].startswith("```"):
            body.append(lines[j])
            j += 1
        assert j < len(lines), f"block for {name!r} is not closed"
        commands[name] = body
    return commands


def test_readme_has_exactly_the_two_command_markers():
    text = README.read_text(encoding="utf-8")
    assert text.count("<!-- command:") == 2
    commands = readme_commands()
    assert sorted(commands) == ["lecture", "test"]
    for name, body in commands.items():
        assert len(body) == 1, f"{name!r} block must hold exactly one line"
        assert body[0].strip() == body[0] and body[0], name


def test_the_two_setup_commands_are_the_first_code_blocks_after_setup():
    text = README.read_text(encoding="utf-8")
    after = text[text.index("\n## Set-up"):]
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", after, flags=re.MULTILINE | re.DOTALL)
    commands = readme_commands()
    assert [b.strip() for b in blocks[:2]] == [commands["lecture"][0], commands["test"][0]]


def test_readme_installs_by_the_distribution_name():
    text = README.read_text(encoding="utf-8")
    named = re.findall(r"pip install[^`\n]*", text)
    assert named, "no pip install in the README"
    for line in named:
        assert "vizgrad[" not in line and not re.search(r"install \"?vizgrad\b(?!-edu)", line), line
    assert "vizgrad-edu" in text and "unrelated" in text


def test_readme_commands_install_the_package_and_run():
    commands = readme_commands()
    assert commands["test"] == ['python -m pip install -e ".[test,torch]" && python -m pytest']
    assert commands["lecture"] == [
        'python -m pip install -e ".[lab]" && python -m jupyter lab notebooks/'
    ]


@pytest.mark.parametrize("name", ["test", "lecture"])
def test_readme_command_script_matches_readme(name):
    script = ROOT / ".ci" / "readme-command"
    assert os.access(script, os.X_OK), ".ci/readme-command must be executable"
    out = subprocess.run(
        ["bash", str(script), name], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.rstrip("\n").splitlines() == readme_commands()[name]


def test_readme_command_script_fails_for_unknown_marker():
    out = subprocess.run(
        ["bash", str(ROOT / ".ci" / "readme-command"), "no-such-command"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode != 0
    assert out.stdout == ""


def test_ci_run_uses_the_readme_command():
    run = ROOT / ".ci" / "run"
    assert os.access(run, os.X_OK), ".ci/run must be executable"
    text = run.read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "set -euo pipefail" in code
    assert ".ci/readme-command test" in code
    assert "eval" in code
    assert "pytest" not in code, ".ci/run must not hard-code the pytest invocation"
    subprocess.run(["bash", "-n", str(run)], check=True)


def test_binder_environment_is_identical_to_root():
    assert (ROOT / "binder" / "environment.yml").read_bytes() == (
        ROOT / "environment.yml"
    ).read_bytes()


def test_environment_yml_contents():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    items = [
        m.group(1).strip()
        for m in re.finditer(r"^\s*-\s*(\S.*)$", text, flags=re.MULTILINE)
    ]
    assert re.search(r"^name:\s*vizgrad\s*$", text, flags=re.MULTILINE)
    assert "conda-forge" in items
    assert "defaults" not in items
    assert "graphviz" in items
    assert "python-graphviz" in items
    assert "pip" in items
    assert any(re.fullmatch(r"python=3\.\d+", i) for i in items), items


def test_binder_postbuild():
    post = ROOT / "binder" / "postBuild"
    mode = post.stat().st_mode
    assert mode & stat.S_IXUSR, "binder/postBuild must be executable"
    text = post.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text
    assert re.search(r"pip install --no-deps -e \.(\s|$)", text)
    assert re.search(r"pip check", text)
    subprocess.run(["bash", "-n", str(post)], check=True)


def test_pyproject():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    assert project["name"] == "vizgrad-edu"  # `vizgrad` on PyPI is another project
    assert project["scripts"] == {"vizgrad": "vizgrad.commands:main"}
    assert project["requires-python"] == ">=3.11"
    deps = {re.split(r"[<>=!~ \[]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert {"numpy", "graphviz", "ipywidgets", "matplotlib"} <= deps
    extras = project["optional-dependencies"]
    test_names = {re.split(r"[<>=!~ \[]", d, maxsplit=1)[0].lower() for d in extras["test"]}
    assert {"pytest", "hypothesis", "micrograd", "playwright"} <= test_names
    assert "micrograd==0.1.0" in extras["test"]
    assert any(d.startswith("jupyterlab") for d in extras["lab"])
    assert {re.split(r"[<>=!~ \[]", d, maxsplit=1)[0].lower() for d in extras["torch"]} == {"torch", "micrograd"}
    assert data["tool"]["setuptools"]["packages"]["find"]["include"] == ["vizgrad*"]
    pytest_cfg = data["tool"]["pytest"]["ini_options"]
    assert pytest_cfg["testpaths"] == ["tests"]
    assert any(m.startswith("browser:") for m in pytest_cfg["markers"])


def test_gitignore_covers_generated_files():
    lines = set((ROOT / ".gitignore").read_text(encoding="utf-8").splitlines())
    for entry in [".ci-venv/", "benchmarks/results/", ".hypothesis/", ".pytest_cache/",
                  ".ipynb_checkpoints/", "*.egg-info"]:
        assert entry in lines, entry
