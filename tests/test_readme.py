"""The README's two commands are the ones CI runs, and the demo's extra brings Jupyter."""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CI_RUN = ROOT / ".ci" / "run"
CI_LINT = ROOT / ".ci" / "lint"


def load_first_command():
    """``tests/browser/first_command.py``, the script ``.ci/run`` runs, as a module."""
    path = ROOT / "tests" / "browser" / "first_command.py"
    spec = importlib.util.spec_from_file_location("first_command", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


first_command = load_first_command()


def ci_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def setup_call_keywords() -> tuple[dict[str, ast.expr], dict[str, list[str]]]:
    """The keywords of ``setup(...)`` and the module-level lists of strings in setup.py."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    lists = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.List)
    }
    call = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", "") == "setup"
    )
    return {kw.arg: kw.value for kw in call.keywords if kw.arg}, lists


def test_extraction_takes_the_two_bash_blocks_above_the_first_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "# title\n\n```bash\nfirst && second\n```\n\ntext\n\n```bash\nthird\n```\n\n"
        "## Developing\n\n```bash\nnot this\n```\n",
        encoding="utf-8",
    )
    assert first_command.readme_commands(readme) == ["first && second", "third"]
    assert first_command.first_command(readme) == "first && second"


def test_readme_starts_with_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text.split("\n## ", 1)[0]
    assert head.count("```bash") == 2
    install, test = first_command.readme_commands()
    assert install.startswith('pip install ".[lab]" && jupyter lab ')
    assert install.endswith(" notebooks/example.ipynb")
    assert (ROOT / first_command.NOTEBOOK).is_file()
    assert install.split()[-1] == first_command.NOTEBOOK
    assert test.startswith('pip install ".[test]" && ')
    assert "pytest" in test and "notebooks" in test


def test_lab_extra_brings_jupyterlab_and_a_kernel_but_the_package_does_not():
    keywords, lists = setup_call_keywords()
    requires = ast.literal_eval(keywords["install_requires"])
    names = {r.split("<")[0].split(">")[0].split("=")[0].lower() for r in requires}
    assert not names & {"jupyterlab", "notebook", "ipykernel", "jupyter"}, names
    lab = {r.split("<")[0].split(">")[0].lower() for r in lists["LAB"]}
    assert {"jupyterlab", "ipykernel"} <= lab
    expression = ast.Expression(keywords["extras_require"])
    extras = eval(compile(expression, "setup.py", "eval"), {}, lists)
    assert extras["lab"] == lists["LAB"]
    test = {r.split("<")[0].split(">")[0].lower() for r in extras["test"]}
    assert lab | {"ruff", "mypy", "pytest", "playwright", "nbval"} <= test


def test_ci_runs_the_readme_test_command():
    lines = ci_lines(CI_RUN)
    assert first_command.readme_commands()[1] in lines
    text = CI_RUN.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert "DASHMON_REQUIRE_BROWSER=1" in text


def test_ci_lints_then_runs_the_first_command_then_the_suite():
    lines = ci_lines(CI_RUN)
    order = [
        lines.index('pip install ".[test]"'),
        lines.index(".ci/lint"),
        lines.index("python tests/browser/first_command.py"),
        lines.index(first_command.readme_commands()[1]),
    ]
    assert order == sorted(order)


def test_lint_runs_every_check_and_the_readme_names_it():
    lines = ci_lines(CI_LINT)
    for command in (
        "check ruff check .",
        "check ruff format --check .",
        "check mypy",
        "check npm --prefix js run lint",
    ):
        assert command in lines
    developing = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Developing", 1)[1]
    assert ".ci/lint" in developing.split("\n## ", 1)[0]


def test_first_command_runs_with_nothing_of_the_outer_python(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/outer/site")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", "/outer/jupyter")
    venv, home = tmp_path / "env", tmp_path / "home"
    env = first_command.user_env(venv, home, 12345, "secret")
    assert "PYTHONPATH" not in env and env["PYTHONNOUSERSITE"] == "1"
    assert env["PATH"].split(":")[0] == str(venv / "bin") and env["VIRTUAL_ENV"] == str(venv)
    assert env["JUPYTER_PORT"] == "12345" and env["JUPYTER_TOKEN"] == "secret"
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        assert Path(env[name]).parent == home
    config = json.loads((home / "config" / "jupyter_server_config.json").read_text())
    assert config["ServerApp"] == {"open_browser": False, "port_retries": 0}
