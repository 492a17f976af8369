"""Package list for setuptools; everything else is in pyproject.toml.

The catalog lives in the repository as ``proofs/`` (short imports in tests and in
catalog modules' docs) but installs as ``theorykit.catalog``, so that installing
theorykit does not put a top-level module with the generic name ``proofs`` into
users' environments.
"""
from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["theorykit", "theorykit.*"]), "theorykit.catalog"],
    package_dir={"theorykit.catalog": "proofs"},
)
