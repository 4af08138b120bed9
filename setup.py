"""Packaging for jupyter_dashmon: the Python package and its JupyterLab extension.

The JupyterLab extension is built from ``js/`` with npm when its output,
``jupyter_dashmon/labextension/``, is missing. It is installed as data files
under ``share/jupyter/labextensions/jupyter-dashmon/``, where JupyterLab finds
prebuilt extensions without a rebuild. An sdist carries the built extension,
so installing from it needs no node.
"""

import shutil
import subprocess
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).parent.resolve()
JS_DIR = HERE / "js"
LABEXTENSION = HERE / "jupyter_dashmon" / "labextension"
INSTALL_DIR = "share/jupyter/labextensions/jupyter-dashmon"
# The saved report's drawing script, bundled from js/src/report.ts by the same build.
REPORT_SCRIPT = HERE / "jupyter_dashmon" / "placement" / "static" / "report.js"


def build_labextension() -> None:
    """Build the JupyterLab extension from ``js/`` unless it is already built."""
    if (LABEXTENSION / "package.json").exists() and REPORT_SCRIPT.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "jupyter_dashmon: building the JupyterLab extension from js/ needs node and npm "
            "on PATH. Install them, or install from an sdist or wheel, which carry the built "
            "extension."
        )
    locked = (JS_DIR / "package-lock.json").exists()
    subprocess.run([npm, "ci" if locked else "install"], cwd=JS_DIR, check=True)
    subprocess.run([npm, "run", "build"], cwd=JS_DIR, check=True)


def labextension_data_files() -> list[tuple[str, list[str]]]:
    """Map every file of the built extension, and ``install.json``, to its install folder."""
    by_folder: dict[str, list[str]] = {INSTALL_DIR: ["install.json"]}
    for path in sorted(LABEXTENSION.rglob("*")):
        if path.is_file():
            relative = path.parent.relative_to(LABEXTENSION).as_posix()
            folder = INSTALL_DIR if relative == "." else f"{INSTALL_DIR}/{relative}"
            by_folder.setdefault(folder, []).append(path.relative_to(HERE).as_posix())
    return list(by_folder.items())


# The demo (the README's first command): JupyterLab, and a kernel for its notebooks.
LAB = ["jupyterlab>=4.0,<5", "ipykernel>=6.25"]
# The suite, the lint step (.ci/lint) and the benchmarks.
TEST = [
    "pytest>=7",
    "nbval>=0.10",
    "pytest-timeout",
    "playwright>=1.40",
    "notebook>=7",
    "nbclient",
    "nbconvert",
    "nbformat",
    "bokeh>=3.1",
    "ruff>=0.9",
    "mypy>=1.11",
]


class BuildPyWithLabextension(build_py):
    """Build the extension first, then hand its files to ``install_data``."""

    def run(self) -> None:
        build_labextension()
        self.distribution.data_files = labextension_data_files()
        super().run()


class SdistWithLabextension(sdist):
    """Build the extension first, so that MANIFEST.in grafts it into the sdist."""

    def run(self) -> None:
        build_labextension()
        super().run()


setup(
    name="jupyter_dashmon",
    version="0.1.0",
    description=(
        "A live Dask cluster dashboard as Jupyter widgets, inline and in a JupyterLab side panel"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8")
    if (HERE / "README.md").exists()
    else "",
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    python_requires=">=3.10",
    packages=find_packages(include=["jupyter_dashmon", "jupyter_dashmon.*"]),
    include_package_data=False,
    package_data={"jupyter_dashmon.placement": ["static/report.js"]},
    install_requires=[
        "distributed>=2024.1.0",
        "dask>=2024.1.0",
        "ipywidgets>=8.0",
        "bqplot>=0.13,<0.14",
        "traitlets>=5.9",
        "psutil>=5.9",
    ],
    extras_require={"lab": LAB, "test": LAB + TEST},
    data_files=labextension_data_files(),
    cmdclass={"build_py": BuildPyWithLabextension, "sdist": SdistWithLabextension},
    zip_safe=False,
    classifiers=[
        "Framework :: Jupyter",
        "Framework :: Jupyter :: JupyterLab",
        "Framework :: Jupyter :: JupyterLab :: 4",
        "Framework :: Jupyter :: JupyterLab :: Extensions",
        "Framework :: Jupyter :: JupyterLab :: Extensions :: Prebuilt",
        "Programming Language :: Python :: 3",
    ],
)
