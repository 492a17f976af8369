"""Package list for setuptools; everything else is in pyproject.toml.

The catalog lives in the repository as ``proofs/`` (short imports in tests and in
catalog modules' docs) but installs as ``theorykit.catalog``, so that installing
theorykit does not put a top-level module with the generic name ``proofs`` into
users' environments.
"""
from setuptools import find_packages, setup

setup(
    # a large family is a subpackage of proofs/ (proofs/gradcheck/): it installs under theorykit.catalog too
    packages=[*find_packages(include=["theorykit", "theorykit.*"]), "theorykit.catalog",
              *(f"theorykit.catalog.{p}" for p in find_packages("proofs"))],
    package_dir={"theorykit.catalog": "proofs"},
)
