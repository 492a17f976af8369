"""Tokens of one row of LaTeX math (hand-written scanner, no regular expressions).

The lexer turns the source of a row (a slice of the document, located by
absolute offsets) into :class:`Tok` items that the lark grammar in
``grammar.py`` parses. It also does what a grammar cannot do well:

* names are folded here: ``x_{k+1}``, ``\\bar x``, ``x^\\star``, ``f'`` become
  one ``NAME`` token carrying a :class:`~.names.NameKey`; a superscript that
  is not a name mark (``t^2``, ``x^{k+1}``) stays a ``CARET`` (a power);
* ``|`` and ``\\|`` are told apart as opening or closing bars from what
  precedes them (and ``\\left``/``\\right``);
* TeX's one-character arguments (``\\frac12``, ``t^23``) are split;
* relations (``\\le``, ``\\stackrel{(a)}{\\le}``), ``\\text{...}``
  justifications, ignored commands (``\\quad``, ``\\label{..}``, ...) and
  unsupported constructs (``\\sum``, ``\\int``, ``\\nabla^2``: an ``UNKNOWN``
  token naming the construct) are recognised.

Everything is linear in the row length; nesting is capped at
:data:`MAX_NESTING` so that hostile input cannot exhaust anything.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .tex import (  # the vocabulary and the name reader live in tex.py
    _CLOSERS, _DIGITS, _EXPLAINED, _OPENERS, _OPERAND_END, _PAIR, _UNICODE, DECORATIONS, FUNCTIONS, GREEK,
    IGNORED, IGNORED_WITH_ARG, MAX_NESTING, MAX_ROW_CHARS, MAXMIN, RELATION_COMMANDS, SIZES, TEXT_COMMANDS,
    TRANSPARENT_ENVS, UNCHECKED_RELATIONS, WORD_FONTS, NameKey, _command, _mark, _read_arg, _skip_space, _Unknown,
    find_group_end, read_name,
)

__all__ = ["Tok", "lex", "MAX_NESTING", "MAX_ROW_CHARS", "RELATION_COMMANDS", "find_group_end"]

@dataclass
class Tok:
    type: str
    value: Any
    start: int  # absolute offsets into the document
    end: int
    depth: int = 0  # bracket depth at the token (0 = top level of the row)
    note: str | None = None  # a REL's \stackrel text




class _Lexer:
    def __init__(self, text: str, start: int, end: int, keep_amp: bool = False, macros=None):
        self.text, self.i, self.end = text, start, end
        self.macros = macros or {}  # user macros: name -> (nargs or 'operator', body start, body end)
        self.frames: list = []  # macro expansions in progress: (argument ranges, caller's override)
        self.override: tuple[int, int] | None = None  # tokens from a macro body sit at the call
        self.expansions = 0
        self.keep_amp = keep_amp  # alignment '&' as AMP tokens (rows of align split at them)
        self.toks: list[Tok] = []
        self.stack: list[tuple[str, int]] = []  # (opener type, single-arg count to restore)
        self.single = 0  # TeX one-character arguments still expected
        self.force: str | None = None  # 'open' / 'close' after \left / \right

    def emit(self, type_: str, value, start: int, end: int, note: str | None = None) -> None:
        if self.override is not None:
            start, end = self.override
        if type_ in _PAIR:
            top = self.stack[-1][0] if self.stack else None
            # half-open intervals (0, 1] close a '(' with ']'; the grammar refuses them elsewhere
            interval = type_ in ("RPAR", "RBRACK") and top in ("LPAR", "LBRACK")
            if not (top == _PAIR[type_] or interval):
                raise _Unknown(f"unmatched '{self.text[start:end]}'", start, end)
            _, restore = self.stack.pop()
            self.toks.append(Tok(type_, value, start, end, len(self.stack), note))
            self.single = restore
            return
        depth = len(self.stack)
        self.toks.append(Tok(type_, value, start, end, depth, note))
        if type_ in ("LPAR", "LBRACK", "LBRACE", "LCURLY", "ABSOPEN", "NORMOPEN", "LANGLE"):
            if len(self.stack) >= MAX_NESTING:
                raise _Unknown(f"brackets nested more than {MAX_NESTING} deep", start, end)
            after_sqrt = type_ == "LBRACK" and len(self.toks) > 1 and self.toks[-2].type == "SQRT"
            restore = self.single if after_sqrt else max(self.single - 1, 0)
            self.stack.append((type_, restore))
            self.single = 0
        elif type_ in ("FRAC",):
            self.single = 2
        elif type_ in ("SQRT", "CARET"):
            self.single = 1
        elif self.single > 0:
            self.single -= 1

    def prev_type(self) -> str | None:
        return self.toks[-1].type if self.toks else None

    def bar(self, start: int, double: bool) -> None:
        width = 2 if double and self.text.startswith("||", start) else (2 if double else 1)
        kind = "NORM" if double else "ABS"
        top = self.stack[-1][0] if self.stack else None
        closing = self.force == "close" or (
            self.force != "open" and self.prev_type() in _OPERAND_END and top == kind + "OPEN"
        )
        if not double and self.force is None and top == "NORMOPEN" and self.prev_type() in _OPERAND_END:
            closing = False
        self.force = None
        self.emit(kind + ("CLOSE" if closing else "OPEN"), kind, start, start + width)
        self.i = start + width
        if closing and kind == "NORM":
            self.norm_subscript()

    def norm_subscript(self) -> None:
        k = _skip_space(self.text, self.i, self.end)
        if k < self.end and self.text[k] == "_":
            content, _, after = _read_arg(self.text, k + 1, self.end)
            if content.strip() != "2":
                raise _Unknown(f"only the Euclidean norm is supported, not _{{{content}}}", k, after)
            self.i = after

    def run(self) -> list[Tok]:
        self.check_braces()
        while self.i < self.end:
            start = self.i
            try:
                self.step()
            except _Unknown as exc:
                self.toks.append(Tok("UNKNOWN", exc.message, exc.start, max(exc.end, exc.start + 1),
                                     len(self.stack)))
                if exc.fatal:
                    return self.toks
                self.force = None
                self.i = max(exc.end, start + 1)
        if self.stack:
            opener = next(t for t in reversed(self.toks) if t.type == self.stack[-1][0])
            self.toks.append(Tok("UNKNOWN", f"'{self.text[opener.start:opener.end]}' is not closed",
                                 opener.start, opener.end, 0))
        return self.toks

    def check_braces(self) -> None:
        """TeX groups must balance and nest at most MAX_NESTING deep; checked
        first so that every later brace search is bounded."""
        depth, i, text = 0, self.i, self.text
        while i < self.end:
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == "%":
                newline = text.find("\n", i, self.end)
                i = self.end if newline < 0 else newline + 1
                continue
            if char == "{":
                depth += 1
                if depth > MAX_NESTING:
                    raise _Unknown(f"braces nested more than {MAX_NESTING} deep", i, i + 1, True)
            elif char == "}":
                depth -= 1
                if depth < 0:
                    raise _Unknown("unmatched '}'", i, i + 1, True)
            i += 1
        if depth:
            raise _Unknown("a '{' is not closed", self.i, self.i + 1, True)

    def step(self) -> None:
        text, end = self.text, self.end
        if True:
            i = self.i
            char = text[i]
            if char == "&" and self.keep_amp:
                self.toks.append(Tok("AMP", "&", i, i + 1, len(self.stack)))
                self.i += 1
            elif char in " \t\r\n~&":
                self.i += 1
            elif char == "%":
                newline = text.find("\n", i, end)
                self.i = end if newline < 0 else newline + 1
            elif char in _DIGITS or (char == "." and i + 1 < end and text[i + 1] in _DIGITS):
                j = i + 1
                if self.single == 0:
                    while j < end and text[j] in _DIGITS:
                        j += 1
                    if j + 1 < end and text[j] == "." and text[j + 1] in _DIGITS:
                        j += 1
                        while j < end and text[j] in _DIGITS:
                            j += 1
                if char == ".":
                    raise _Unknown("a number must not start with '.'", i, j)
                k = j + 1 if j + 1 < end and text[j + 1] in "+-" else j
                if j < end and text[j] in "eE" and k + 1 < end and text[k + 1] in _DIGITS:
                    raise _Unknown("write 10^{-3}, not 1e-3, for a power of ten", i, k + 2)
                argument = self.single > 0
                if not argument and self.toks and self.toks[-1].type == "NUMBER" and self.toks[-1].note != "arg":
                    raise _Unknown("two numbers side by side (TeX prints 2 3 as 23)", i, j)
                self.emit("NUMBER", text[i:j], i, j, note="arg" if argument else None)
                self.i = j
            elif char == "\\":
                self.command(i)
            elif char.isascii() and char.isalpha():
                self.name(i)
            elif char in _OPENERS:
                self.emit(_OPENERS[char], char, i, i + 1)
                self.i += 1
            elif char in _CLOSERS:
                self.emit(_CLOSERS[char], char, i, i + 1)
                self.i += 1
            elif char == "|":
                self.bar(i, text.startswith("||", i))
            elif char in "+-":
                self.emit("PLUS" if char == "+" else "MINUS", char, i, i + 1)
                self.i += 1
            elif char == "*":
                self.emit("TIMES", "*", i, i + 1)
                self.i += 1
            elif char == "/":
                self.emit("SLASH", "/", i, i + 1)
                self.i += 1
            elif char == ",":
                self.emit("COMMA", ",", i, i + 1)
                self.i += 1
            elif char in "<>=":
                op, width = char, 1
                if char in "<>" and text.startswith("=", i + 1):
                    op, width = char + "=", 2
                elif char == "=" and text.startswith("=", i + 1):
                    width = 2
                self.emit("REL", op, i, i + width)
                self.i += width
            elif char == ":" and text.startswith("=", i + 1):
                self.emit("REL", None, i, i + 2, note=":= (a definition is not checked)")
                self.i += 2
            elif char in ".;":
                self.emit("PUNCT", char, i, i + 1)
                self.i += 1
            elif char == "^":
                self.caret(i)
            elif char == "_" and len(self.toks) >= 3 and self.toks[-3].type == "NORMCLOSE" \
                    and self.toks[-2].type == "CARET":
                content, _, after = _read_arg(text, i + 1, end)  # \|v\|^2_2
                if content.strip() != "2":
                    raise _Unknown(f"only the Euclidean norm is supported, not _{{{content}}}", i, after)
                self.i = after
            elif char == "'":
                raise _Unknown("a prime (') after something that is not a name", i, i + 1)
            elif char == "#" and self.frames and i + 1 < end and text[i + 1] in "123456789":
                self.argument(int(text[i + 1]))
                self.i = i + 2
            elif char in _UNICODE:  # pasted text: ≤ ≥ − · × and Greek letters
                kind, value = _UNICODE[char]
                self.emit(kind, NameKey(value) if kind == "NAME" else value, i, i + 1)
                self.i = i + 1
            else:
                raise _Unknown(f"unexpected character {char!r}", i, i + 1)

    def name(self, i: int) -> None:
        found = read_name(self.text, i, self.end)
        key, j = found
        if self.single > 0 and len(key.base) == 1 and not (key.subscript or key.marks or key.decorations):
            j = i + 1  # \frac ab: one letter per argument
        self.emit("NAME", key, i, j)
        self.i = j

    def caret(self, i: int) -> None:
        text, end = self.text, self.end
        prev = self.prev_type()
        if prev == "FUNC":  # \sin^2 x
            self.emit("CARET", "^", i, i + 1)
            self.i = i + 1
            return
        if prev is None or prev not in _OPERAND_END:
            raise _Unknown("'^' without a base", i, i + 1)
        content, _, after = _read_arg(text, i + 1, end)
        compact = "".join(content.split())
        if compact in ("\\top", "T", "\\intercal", "\\mathsf{T}", "\\mathrm{T}", "\\top\\!"):
            if compact == "T" and prev == "NAME":
                # x^T: a transpose for a vector, a power for a scalar; the grammar decides
                self.emit("CARET", "^", i, i + 1)
                self.i = i + 1
                return
            self.emit("TRANSPOSE", "T", i, after)
            self.i = after
            return
        if _mark(content) is not None:
            raise _Unknown(f"superscript ^{{{content}}} on something that is not a name", i, after)
        self.emit("CARET", "^", i, i + 1)
        self.i = i + 1

    def command(self, i: int) -> None:
        text, end = self.text, self.end
        name, j = _command(text, i, end)
        if name in (",", ";", "!", ":", " ", ">", "\n", "\t"):
            self.i = j
        elif name == "{":
            self.emit("LCURLY", "{", i, j)
            self.i = j
        elif name == "}":
            self.emit("RCURLY", "}", i, j)
            self.i = j
        elif name == "|" or name in ("Vert", "lVert", "rVert"):
            if name == "lVert":
                self.force = "open"
            elif name == "rVert":
                self.force = "close"
            self.bar(i, True)
            self.i = j
            if self.toks[-1].type == "NORMCLOSE":
                self.norm_subscript()
        elif name in ("vert", "lvert", "rvert"):
            if name != "vert":
                self.force = "open" if name == "lvert" else "close"
            self.bar(i, False)
            self.i = j
        elif name in ("langle",):
            self.emit("LANGLE", "<", i, j)
            self.i = j
        elif name in ("rangle",):
            self.emit("RANGLE", ">", i, j)
            self.i = j
        elif name in SIZES:
            self.sized(name, j)
        elif name in IGNORED:
            self.i = j
        elif name in IGNORED_WITH_ARG:
            k = _skip_space(text, j, end)
            if k < end and text[k] == "*":
                k += 1
            _, _, after = _read_arg(text, k, end)
            self.i = after
        elif name in ("begin", "end"):
            env, _, after = _read_arg(text, j, end)
            if env.strip() not in TRANSPARENT_ENVS:
                raise _Unknown(f"environment '{env.strip()}' inside a display is not supported", i, after)
            if name == "begin" and env.strip() in ("alignedat", "alignat", "alignat*"):
                _, _, after = _read_arg(text, after, end)
            self.i = after
        elif name in RELATION_COMMANDS:
            self.emit("REL", RELATION_COMMANDS[name], i, j)
            self.i = j
        elif name in UNCHECKED_RELATIONS:
            self.emit("REL", None, i, j, note=f"\\{name} is not a checked relation")
            self.i = j
        elif name in ("stackrel", "overset", "underset"):
            note, _, after = _read_arg(text, j, end)
            rel, rel_start, after = _read_arg(text, after, end)
            rel = rel.strip()
            op = "=" if rel == "=" else ("<" if rel == "<" else (">" if rel == ">" else None))
            if rel.startswith("\\"):
                op = RELATION_COMMANDS.get(rel[1:])
            if op is None and rel in ("<=", ">="):
                op = rel
            if op is None:
                raise _Unknown(f"\\{name}{{..}}{{{rel}}} is not a relation", i, after)
            self.emit("REL", op, i, after, note=note.strip())
            self.i = after
        elif name in ("forall", "exists"):  # a condition: the rest of the row is its justification
            self.emit("TEXT", name, i, j)
            self.i = j
        elif name == "textcolor":
            _, _, after = _read_arg(text, j, end)  # the colour; the coloured math stays
            self.i = after
        elif name in TEXT_COMMANDS:
            content, _, after = _read_arg(text, j, end)
            self.emit("TEXT", content, i, after)
            self.i = after
        elif name in ("frac", "dfrac", "tfrac", "cfrac"):
            self.emit("FRAC", "frac", i, j)
            self.i = j
        elif name == "sqrt":
            self.emit("SQRT", "sqrt", i, j)
            self.i = j
        elif name in ("cdot", "times", "ast", "cdotp"):
            self.emit("TIMES", name, i, j)
            self.i = j
        elif name in FUNCTIONS:
            self.emit("FUNC", FUNCTIONS[name], i, j)
            self.i = j
            k = _skip_space(text, j, end)
            if k < end and text[k] == "_":
                raise _Unknown(f"\\{name} with a subscript is not supported", i, k + 1)
        elif name in MAXMIN:
            self.emit("MAXMIN", MAXMIN[name], i, j)
            self.i = j
            k = _skip_space(text, j, end)
            if k < end and text[k] in "^_":
                raise _Unknown(f"\\{name} over a set (\\{name}_{{...}}) is not supported", i, k + 1)
        elif name == "nabla":
            k = _skip_space(text, j, end)
            if k < end and text[k] == "^":
                raise _Unknown("\\nabla^2 (Hessians) is not supported", i, k + 2)
            if k < end and text[k] == "_":
                raise _Unknown("\\nabla with a subscript is not supported", i, k + 1)
            self.emit("NABLA", "nabla", i, j)
            self.i = j
        elif name in GREEK or name == "pi" or name in DECORATIONS or name in WORD_FONTS:
            if name == "mathrm" or name == "mathit":
                content, _, after = _read_arg(text, j, end)
                if content.strip() == "e":
                    self.emit("NAME", NameKey("e", ("const",)), i, after)
                    self.i = after
                    return
            self.name(i)
        elif name in ("star",):
            raise _Unknown("\\star outside a superscript", i, j)
        elif name in self.macros:
            self.expand(name, i, j)
        else:
            message = _EXPLAINED.get(name, f"\\{name} is not supported")
            raise _Unknown(message, i, j)

    def expand(self, name: str, i: int, j: int) -> None:
        """A user macro (``\\newcommand{\\norm}[1]{\\|#1\\|}``): its body is lexed at
        the call, its tokens located at the call; bounded in depth and count."""
        kind, body_start, body_end = self.macros[name]
        self.expansions += 1
        if self.expansions > 400 or len(self.frames) >= 8:
            raise _Unknown(f"macro \\{name} expands too deeply or too often", i, j)
        if kind == "operator":  # \DeclareMathOperator{\dist}{dist}
            word = self.text[body_start:body_end].strip()
            if not word.isascii() or not word.isalpha():
                raise _Unknown(f"operator \\{name} is not supported", i, j)
            self.emit("NAME", NameKey(word, ("op",)), i, j)
            self.i = j
            return
        args, call_end = [], j
        for _ in range(kind):
            content, content_start, call_end = _read_arg(self.text, call_end, self.end)
            args.append((content_start, content_start + len(content)))
        caller_override = self.override
        saved_end = self.end
        self.frames.append((args, caller_override))
        self.override = caller_override or (i, call_end)
        try:
            self.i, self.end = body_start, body_end
            while self.i < self.end:
                self.step()
        except _Unknown as exc:
            where = self.override
            message = exc.message if exc.message.startswith("in \\") else f"in \\{name}: {exc.message}"
            raise _Unknown(message, where[0], where[1]) from None
        finally:
            self.frames.pop()
            self.override = caller_override
            self.end = saved_end
        self.i = call_end

    def argument(self, number: int) -> None:
        """``#k`` in a macro body: the caller's k-th argument, lexed where it is."""
        args, caller_override = self.frames[-1]
        if number > len(args):
            raise _Unknown(f"#{number} has no argument", self.i, self.i + 2)
        start, stop = args[number - 1]
        frame = self.frames.pop()
        saved = (self.i, self.end, self.override)
        self.override = caller_override
        try:
            self.i, self.end = start, stop
            while self.i < self.end:
                self.step()
        finally:
            self.frames.append(frame)
            self.i, self.end, self.override = saved

    def sized(self, name: str, j: int) -> None:
        text, end = self.text, self.end
        k = _skip_space(text, j, end)
        if name in ("left", "bigl", "Bigl", "biggl", "Biggl"):
            self.force = "open"
        elif name in ("right", "bigr", "Bigr", "biggr", "Biggr"):
            self.force = "close"
        if k < end and text[k] == "." and name in ("left", "right"):
            self.force = None
            self.i = k + 1
            return
        self.i = k
        if k < end and text[k] not in "|\\":
            self.force = None  # \left( needs no help
        elif k < end and text[k] == "\\":
            cmd, _ = _command(text, k, end)
            if cmd not in ("|", "Vert", "vert", "lVert", "rVert", "lvert", "rvert"):
                self.force = None


def lex(text: str, start: int, end: int, *, keep_amp: bool = False, macros: dict | None = None) -> list[Tok]:
    """Tokens of ``text[start:end]``. An unsupported construct becomes the
    single token ``UNKNOWN`` (value: the message), located at the construct."""
    if end - start > MAX_ROW_CHARS:
        return [Tok("UNKNOWN", f"row longer than {MAX_ROW_CHARS} characters", start, start + 1)]
    lexer = _Lexer(text, start, end, keep_amp, macros)
    try:
        return lexer.run()
    except _Unknown as exc:  # raised by check_braces
        return [Tok("UNKNOWN", exc.message, exc.start, max(exc.end, exc.start + 1))]
    except RecursionError:
        return [Tok("UNKNOWN", "nested too deeply", start, start + 1)]
