#!/usr/bin/env bash
# Build the documentation site with warnings as errors, executing the tutorial notebooks.
#   bash docs/build.sh            # the catalog pages from the claims (plus docs/_data/results.json if present)
#   bash docs/build.sh --verify   # first verify the whole catalog, so every page shows its verdicts
# Needs the docs extra: pip install '.[docs]'
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--verify" ]]; then
  mkdir -p docs/_data
  python -m theorykit verify --quiet --json docs/_data/results.json || true  # failures are shown on the pages
fi
python -m sphinx -W --keep-going -b html docs docs/_build/html
echo "docs built: docs/_build/html/index.html"
