"""Where theorykit keeps per-user caches (the ``list`` index, Hypothesis' storage).

Standard library only, so that the command line can call it before anything heavy is
imported. ``$THEORYKIT_CACHE_DIR`` overrides the platform default
(``$XDG_CACHE_HOME/theorykit`` or ``~/.cache/theorykit`` on Linux,
``~/Library/Caches/theorykit`` on macOS, ``%LOCALAPPDATA%\\theorykit\\Cache`` on Windows).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["user_cache_dir", "keep_hypothesis_out_of_cwd"]


def user_cache_dir() -> Path:
    """The per-user cache directory (not created here)."""
    override = os.environ.get("THEORYKIT_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "theorykit" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "theorykit"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "theorykit"


def _writable_dir(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def keep_hypothesis_out_of_cwd() -> str | None:
    """Point Hypothesis' storage (its example database, its constants cache) at the user
    cache directory instead of ``./.hypothesis``; returns the directory used.

    Hypothesis writes ``.hypothesis/`` into the working directory by default, which
    litters a user's project on every ``theorykit verify``. A user who set
    ``HYPOTHESIS_STORAGE_DIRECTORY`` keeps their choice. When no cache directory is
    writable, a fresh temporary directory is used (removed by the OS, never the CWD).
    """
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return os.environ["HYPOTHESIS_STORAGE_DIRECTORY"]
    target = user_cache_dir() / "hypothesis"
    if not _writable_dir(target):
        import tempfile

        target = Path(tempfile.mkdtemp(prefix="theorykit-hypothesis-"))
    # the environment variable (rather than set_hypothesis_home_dir) also reaches
    # forked prover workers and avoids importing hypothesis here
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(target)
    if "hypothesis.configuration" in sys.modules:  # already imported: tell it directly
        sys.modules["hypothesis.configuration"].set_hypothesis_home_dir(target)
    return str(target)
