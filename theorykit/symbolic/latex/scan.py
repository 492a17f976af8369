"""Find the displays, rows and ``theorykit:`` declarations of a document.

A small hand-written scanner, linear in the document: LaTeX comments,
``\\verb``, verbatim-like environments, escaped ``\\$`` and inline math are
skipped; ``align``, ``align*``, ``equation(*)``, ``eqnarray(*)``,
``multline(*)``, ``gather(*)``, ``\\[ \\]`` and ``$$ $$`` are displays (an
``align`` nested in ``\\[ \\]`` is part of that display). Markdown: fenced
code is skipped, ```` ```math ```` blocks and ``$$ $$`` are displays, and
declarations are ``<!-- theorykit: ... -->`` comments.

Rows split at ``\\\\`` outside braces. Nothing is executed, nothing is read
but the given text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import DerivationSyntaxError

__all__ = ["Display", "Row", "Declaration", "Scan", "scan_latex", "scan_markdown", "LineIndex", "DISPLAY_ENVS"]

DISPLAY_ENVS = frozenset(
    {"align", "align*", "equation", "equation*", "eqnarray", "eqnarray*", "multline", "multline*",
     "gather", "gather*", "flalign", "flalign*", "alignat", "alignat*", "displaymath", "math"}
)
_SKIP_ENVS = frozenset({"verbatim", "verbatim*", "Verbatim", "lstlisting", "minted", "comment", "filecontents",
                        "filecontents*"})
_PREFIX = "theorykit:"


class LineIndex:
    """Offsets -> 1-based (line, column)."""

    def __init__(self, text: str):
        self.starts = [0]
        index = text.find("\n")
        while index >= 0:
            self.starts.append(index + 1)
            index = text.find("\n", index + 1)

    def at(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:  # the last line start <= offset
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1


@dataclass
class Row:
    start: int
    end: int  # the row's source is text[start:end] (without the '\\')


@dataclass
class Display:
    kind: str  # the environment, '\\[', '$$' or '```math'
    start: int  # where the display opens (for annotation)
    end: int  # offset after its closing delimiter
    body_start: int
    body_end: int
    rows: list[Row] = field(default_factory=list)


@dataclass
class Declaration:
    body_start: int  # offsets of the text after 'theorykit:'
    body_end: int


@dataclass
class Scan:
    items: list  # Display and Declaration in document order
    begin_document: int | None = None  # offset of '\begin{document}'
    end_document: int | None = None  # offset of '\end{document}'
    # user macros: name -> (number of arguments, body start, body end) in the text
    macros: dict = field(default_factory=dict)


def _command_name(text: str, i: int) -> tuple[str, int]:
    j = i + 1
    if j < len(text) and text[j].isascii() and text[j].isalpha():
        while j < len(text) and text[j].isascii() and text[j].isalpha():
            j += 1
        return text[i + 1 : j], j
    return text[i + 1 : j + 1], j + 1


def _env_name(text: str, i: int) -> tuple[str | None, int]:
    """``{name}`` at ``i`` (after ``\\begin``): the name and the offset after it."""
    while i < len(text) and text[i] in " \t":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None, i
    close = text.find("}", i, i + 64)
    if close < 0:
        return None, i
    return text[i + 1 : close].strip(), close + 1


def _find_closer(text: str, i: int, closer: str, comments: bool) -> int:
    """Offset of ``closer`` at or after ``i``, outside comments and escapes; -1 if none."""
    n = len(text)
    while i < n:
        char = text[i]
        if text.startswith(closer, i):
            return i
        if char == "\\":
            i += 2
        elif char == "%" and comments:
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
        else:
            i += 1
    return -1


def split_rows(text: str, start: int, end: int) -> list[Row]:
    """Rows of a display body at ``\\\\`` outside braces (``\\\\[2pt]``, ``\\\\*`` too)."""
    rows, depth, i, row_start = [], 0, start, start
    while i < end:
        char = text[i]
        if char == "%":
            newline = text.find("\n", i, end)
            i = end if newline < 0 else newline + 1
            continue
        if char == "\\":
            if text.startswith("\\\\", i) and depth == 0:
                rows.append(Row(row_start, i))
                i += 2
                if i < end and text[i] == "*":
                    i += 1
                k = i
                while k < end and text[k] in " \t\n":
                    k += 1
                if k < end and text[k] == "[":
                    close = text.find("]", k, min(end, k + 32))
                    if close > 0:
                        i = close + 1
                row_start = i
                continue
            name, after = _command_name(text, i)
            if name in ("begin", "end"):  # nested aligned/split: drop the markers from rows later
                pass
            i = max(after, i + 2) if not name.isalpha() else after
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        i += 1
    rows.append(Row(row_start, end))
    return rows


def scan_latex(text: str, *, source: str | None = None, markdown_comments: bool = False) -> Scan:
    """The displays and declarations of a LaTeX document (or of Markdown text
    with ``markdown_comments``: then ``%`` is not a comment outside math)."""
    lines = LineIndex(text)
    items: list = []
    scan = Scan(items)
    i, n = 0, len(text)
    comments = not markdown_comments

    def fail(message: str, offset: int):
        line, column = lines.at(offset)
        raise DerivationSyntaxError(message, line, column, source)

    def display(kind: str, start: int, body_start: int, closer: str) -> int:
        close = _find_closer(text, body_start, closer, True)
        if close < 0:
            fail(f"display {kind} opened here is never closed ({closer} is missing)", start)
        disp = Display(kind, start, close + len(closer), body_start, close)
        disp.rows = split_rows(text, body_start, close)
        items.append(disp)
        return close + len(closer)

    while i < n:
        char = text[i]
        if char == "%" and comments:
            newline = text.find("\n", i)
            stop = n if newline < 0 else newline
            body = i + 1
            while body < stop and text[body] in " \t%":
                body += 1
            if text.startswith(_PREFIX, body):
                items.append(Declaration(body + len(_PREFIX), stop))
            i = stop
        elif char == "\\":
            name, after = _command_name(text, i)
            if name == "verb" or name == "verb*":
                if after < n and text[after] == "*":
                    after += 1
                if after >= n:
                    break
                close = text.find(text[after], after + 1)
                newline = text.find("\n", after + 1)
                if close < 0 or (0 <= newline < close):
                    fail("\\verb is not closed on its line", i)
                i = close + 1
            elif name == "begin":
                env, body_start = _env_name(text, after)
                if env in _SKIP_ENVS:
                    close = text.find("\\end{" + env + "}", body_start)
                    i = n if close < 0 else close
                elif env in DISPLAY_ENVS:
                    if env.startswith("alignat"):
                        _, body_start = _env_name(text, body_start)  # the column count
                    i = display(env, i, body_start, "\\end{" + env + "}")
                else:
                    if env == "document":
                        scan.begin_document = i
                    i = body_start if body_start > after else after
            elif name == "end":
                env, after_env = _env_name(text, after)
                if env == "document":
                    scan.end_document = i
                    break  # TeX reads nothing after \end{document}
                i = max(after_env, after)
            elif name == "iffalse" and comments:  # commented-out text: \iffalse ... \fi
                close = _find_closer(text, after, "\\fi", True)
                while close >= 0 and close + 3 < n and text[close + 3].isalpha():  # \fix, \file, ...
                    close = _find_closer(text, close + 3, "\\fi", True)
                i = n if close < 0 else close + 3
            elif name in _DEFINERS and comments:
                i = _definition(text, i, name, after, fail, scan.macros)
            elif name == "catcode" and comments:
                _check_catcode(text, i, after, fail)
                i = after
            elif name == "[":
                i = display("\\[", i, after, "\\]")
            elif name == "(":
                close = _find_closer(text, after, "\\)", comments)
                i = n if close < 0 else close + 2
            else:
                i = max(after, i + 1)
        elif char == "$":
            if text.startswith("$$", i):
                i = display("$$", i, i + 2, "$$")
            else:  # inline math is not checked
                close = _find_closer(text, i + 1, "$", comments)
                if not comments:  # Markdown: '$5' is a dollar sign unless '$' closes in its paragraph
                    paragraph = text.find("\n\n", i)
                    if close < 0 or 0 <= paragraph < close:
                        i += 1
                        continue
                if close < 0:
                    fail("inline math '$' opened here is never closed", i)
                i = close + 1
        else:
            i += 1
    return scan


_DEFINERS = frozenset({"def", "edef", "gdef", "xdef", "let", "futurelet", "renewcommand", "newcommand",
                       "providecommand", "DeclareRobustCommand", "DeclareMathOperator", "mathchardef", "chardef",
                       "RenewDocumentCommand", "NewDocumentCommand", "DeclareDocumentCommand",
                       "ProvideDocumentCommand", "renewrobustcmd", "newrobustcmd"})


def _meaningful() -> frozenset:
    """Commands whose meaning the lexer assumes; redefining one would make the
    check read something else than the document shows."""
    from . import tex as lexer

    names = set(lexer.RELATION_COMMANDS) | set(lexer.UNCHECKED_RELATIONS) | set(lexer.FUNCTIONS)
    names |= set(lexer.MAXMIN) | set(lexer.DECORATIONS) | set(lexer.WORD_FONTS) | set(lexer.TEXT_COMMANDS)
    names |= set(lexer.IGNORED) | set(lexer.IGNORED_WITH_ARG) | set(lexer.SIZES)
    from .names import GREEK

    names |= set(GREEK) | {"frac", "dfrac", "tfrac", "cfrac", "sqrt", "cdot", "times", "ast", "cdotp", "nabla",
                           "langle", "rangle", "lVert", "rVert", "Vert", "vert", "lvert", "rvert", "stackrel",
                           "overset", "underset", "top", "intercal", "star", "prime", "pi", "forall", "exists",
                           "textcolor", "begin", "end", "dagger", "circ", "|", "{", "}"}
    return frozenset(names)


def _definition(text: str, start: int, definer: str, after: int, fail, macros: dict) -> int:
    """``\\def\\le{\\ge}`` and kin: an error when a command the lexer reads is
    redefined; ``\\newcommand{\\norm}[1]{\\|#1\\|}`` and ``\\def\\R{..}`` are recorded
    as macros to expand (simple ones only). Returns where scanning goes on."""
    from .tex import find_group_end

    n = len(text)
    i = after
    while i < n and text[i] in " \t*":
        i += 1
    braced = i < n and text[i] == "{"
    if braced:
        i += 1
        while i < n and text[i] in " \t":
            i += 1
    if i >= n or text[i] != "\\":
        return after
    name, j = _command_name(text, i)
    if name in _meaningful():
        fail(f"the document redefines \\{name}; theorykit reads \\{name} with its usual meaning and does "
             "not follow macro definitions", i)
    if braced:
        while j < n and text[j] in " \t":
            j += 1
        if j >= n or text[j] != "}":
            return after
        j += 1
    if definer in ("let", "futurelet", "mathchardef", "chardef") or "DocumentCommand" in definer:
        return j  # not expanded: the command stays unknown where it is used
    nargs = 0
    k = j
    while k < n and text[k] in " \t\n":
        k += 1
    if definer in ("def", "edef", "gdef", "xdef"):
        while k + 1 < n and text[k] == "#" and text[k + 1].isdigit():
            nargs += 1
            k += 2
    elif k < n and text[k] == "[":
        close = text.find("]", k, k + 8)
        if close < 0 or not text[k + 1 : close].strip().isdigit():
            return after
        nargs = int(text[k + 1 : close].strip())
        k = close + 1
        while k < n and text[k] in " \t\n":
            k += 1
        if k < n and text[k] == "[":  # an optional argument: not expanded (the macro stays unknown)
            return after
    if k >= n or text[k] != "{" or nargs > 9:
        return after
    close = find_group_end(text, k, n)
    if close < 0:
        return after
    if definer == "DeclareMathOperator":
        macros[name] = ("operator", k + 1, close - 1)
    elif definer.startswith(("new", "renew", "provide", "Declare", "def", "edef", "gdef", "xdef")):
        macros[name] = (nargs, k + 1, close - 1)
    return close


def _check_catcode(text: str, start: int, after: int, fail) -> None:
    """Catcode changes (other than of '@', as by \\makeatletter) change how TeX reads
    every later character; they are not followed, so they are an error."""
    i = after
    while i < len(text) and text[i] in " \t":
        i += 1
    target = text[i : i + 3]
    if target.startswith("`\\@") or target.startswith("`@") or text[i : i + 2] == "64":
        return
    fail("catcode changes are not followed (theorykit reads the document with standard catcodes)", start)


def scan_markdown(text: str, *, source: str | None = None) -> Scan:
    """Markdown: fenced code skipped, ```` ```math ```` and ``$$`` displays,
    ``<!-- theorykit: ... -->`` declarations. Offsets refer to ``text``."""
    blanked = list(text)  # code and comments are blanked so the LaTeX scan skips them
    items: list = []
    lines = text.split("\n")
    offset = 0
    fence: str | None = None
    fence_math = False
    math_start = 0
    for raw in lines:
        line_end = offset + len(raw)
        stripped = raw.lstrip()
        marker = stripped[:3]
        if fence is None and marker in ("```", "~~~"):
            fence = marker
            info = stripped[3:].strip().lower()
            fence_math = info == "math"
            math_start = line_end + 1
            _blank(blanked, offset, line_end)
        elif fence is not None and stripped.startswith(fence):
            if fence_math:
                disp = Display("```math", math_start, line_end, math_start, max(offset - 1, math_start))
                disp.rows = split_rows(text, disp.body_start, disp.body_end)
                items.append(disp)
            fence = None
            _blank(blanked, offset, line_end)
        elif fence is not None:
            _blank(blanked, offset, line_end)
        offset = line_end + 1
    if fence is not None and fence_math:
        line, column = LineIndex(text).at(math_start)
        raise DerivationSyntaxError("```math block is never closed", line, column, source)
    # HTML comments (declarations among them) and inline code spans
    masked = "".join(blanked)
    i = 0
    while True:
        start = masked.find("<!--", i)
        if start < 0:
            break
        close = masked.find("-->", start + 4)
        stop = len(text) if close < 0 else close
        body = start + 4
        while body < stop and text[body] in " \t\n":
            body += 1
        if text.startswith(_PREFIX, body):
            items.append(Declaration(body + len(_PREFIX), stop))
        _blank(blanked, start, stop + 3 if close >= 0 else stop)
        i = stop + 3
    masked = "".join(blanked)
    i = 0
    while True:
        tick = masked.find("`", i)
        if tick < 0:
            break
        close = masked.find("`", tick + 1)
        newline = masked.find("\n\n", tick + 1)
        if close < 0 or (0 <= newline < close):
            i = tick + 1
            continue
        _blank(blanked, tick, close + 1)
        i = close + 1
    masked = "".join(blanked)
    found = scan_latex(masked, source=source, markdown_comments=True)
    for item in found.items:
        if isinstance(item, Display):
            item.rows = split_rows(text, item.body_start, item.body_end)
            items.append(item)
    items.sort(key=lambda item: item.start if isinstance(item, Display) else item.body_start)
    return Scan(items)


def _blank(chars: list[str], start: int, end: int) -> None:
    for index in range(start, min(end, len(chars))):
        if chars[index] != "\n":
            chars[index] = " "
