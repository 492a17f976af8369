"""BibTeX for the sources of claims: ``--bib refs.bib`` writes one entry per source key,
and the LaTeX tables ``\\cite`` those keys.

A claim's source is ``{"key", "cite", "arxiv", "doi"}`` (``claims.claim.Source``): ``cite``
is a free-text citation ("Nesterov, Introductory Lectures on Convex Optimization, 2004,
Thm. 2.1.14"). BibTeX needs structured fields, so the entry is a ``@misc`` whose
``note`` is that text, with ``eprint``/``archivePrefix`` for arXiv ids and ``doi`` when
known, and a ``year`` read from the text when it names one. The key is the source's
own key made safe for BibTeX (letters, digits and ``-_:.``).
"""
from __future__ import annotations

import re
from typing import Iterable

__all__ = ["bibtex", "bib_key", "collect_sources"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_:.\-]")


def bib_key(key: str) -> str:
    """A BibTeX-safe citation key for a source key."""
    out = _UNSAFE.sub("-", str(key).strip()) or "source"
    return out if out[0].isalpha() else f"s{out}"


def _braced(text: str) -> str:
    """Field text for BibTeX: LaTeX specials escaped, braces balanced."""
    from .latex import escape_latex

    return escape_latex(text)


def collect_sources(results) -> list[dict]:
    """Every distinct source of ``results`` (ClaimResult objects), in first-seen order."""
    seen: dict[str, dict] = {}
    for r in results:
        for s in r.sources:
            key = s.get("key") or s.get("cite") or ""
            if key and key not in seen:
                seen[key] = dict(s)
    return list(seen.values())


_CITE = re.compile(r"^(?P<authors>.+?) \((?P<year>\d{4})[a-z]?\)\.\s*(?P<title>.+?)\.(?:\s+(?P<rest>.*))?$")


def _fields(cite: str, key: str) -> list[tuple[str, str]]:
    """author/year/title/howpublished from "Authors (Year). Title. Venue." (the form of
    ``Source.cite()``); the whole text as ``note`` when it has another form."""
    m = _CITE.match(cite.strip())
    if not m:
        return [("title", _braced(cite or key)), ("note", _braced(cite))]
    authors = " and ".join(a.strip() for a in m.group("authors").split(",") if a.strip())
    # {{...}} keeps BibTeX from lowercasing the title
    out = [("author", _braced(authors)), ("title", "{" + _braced(m.group("title")) + "}"), ("year", m.group("year"))]
    if m.group("rest"):
        out.append(("howpublished", _braced(m.group("rest").rstrip("."))))
    return out


def bibtex(results: Iterable) -> str:
    """One ``@misc`` entry per distinct source of ``results``."""
    entries = []
    for s in collect_sources(results):
        key = bib_key(s.get("key") or s.get("cite"))
        cite = s.get("cite") or s.get("key") or ""
        fields = _fields(cite, key)
        if s.get("arxiv"):
            fields += [("eprint", s["arxiv"]), ("archivePrefix", "arXiv")]
        if s.get("doi"):
            fields.append(("doi", s["doi"]))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "% BibTeX for the sources of theorykit claims\n\n" + "\n".join(entries)
