"""Shared test setup: Hypothesis profiles.

``ci`` (the default) keeps the whole suite under about 5 minutes on 2 cores (tests marked
``slow`` are skipped there);
``thorough`` is for long runs: ``HYPOTHESIS_PROFILE=thorough python -m pytest``.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# CLI runs in tests never read or write the user's result cache (tests that exercise the cache
# pass --cache-dir explicitly).
os.environ.setdefault("THEORYKIT_NO_CACHE", "1")


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.slow`` tests run only under the thorough profile (as the marker says)."""
    if settings.get_current_profile_name() == "thorough":
        return
    import pytest

    skip = pytest.mark.skip(reason="slow: runs under HYPOTHESIS_PROFILE=thorough")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)
