"""TeX-level vocabulary and helpers of the LaTeX reader: the command tables,
commands and arguments, balanced groups, and names (``x_{k+1}``, ``\\bar x``,
``x^\\star``) as :class:`~.names.NameKey`. Hand-written, linear, no regular expressions."""
from __future__ import annotations

from .names import GREEK, NameKey

__all__ = ["MAX_NESTING", "MAX_ROW_CHARS", "RELATION_COMMANDS", "UNCHECKED_RELATIONS", "FUNCTIONS",
           "MAXMIN", "DECORATIONS", "WORD_FONTS", "TEXT_COMMANDS", "IGNORED", "IGNORED_WITH_ARG", "SIZES",
           "TRANSPARENT_ENVS", "find_group_end", "read_name"]

MAX_NESTING = 40
MAX_ROW_CHARS = 20_000


RELATION_COMMANDS = {
    "le": "<=", "leq": "<=", "leqslant": "<=", "leqq": "<=",
    "ge": ">=", "geq": ">=", "geqslant": ">=", "geqq": ">=",
    "lt": "<", "gt": ">",
}
# relations that split a row but are not checked (the step is unreadable)
UNCHECKED_RELATIONS = frozenset(
    """ne neq approx sim simeq propto equiv triangleq coloneqq eqqcolon defeq ll gg cong
    doteq in notin subset subseteq supset supseteq to mapsto rightarrow Rightarrow implies
    impliedby iff Leftrightarrow leftarrow Leftarrow Longrightarrow longrightarrow
    searrow nearrow succ prec succeq preceq""".split()
)
FUNCTIONS = {
    "exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos", "tan": "tan",
    "arctan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
}
MAXMIN = {"max": "Max", "min": "Min"}
DECORATIONS = {
    "bar": "bar", "overline": "bar", "hat": "hat", "widehat": "hat", "tilde": "tilde",
    "widetilde": "tilde", "mathbf": "bf", "boldsymbol": "bf", "bm": "bf", "pmb": "bf",
    "vec": "vec", "dot": "dot", "ddot": "ddot", "check": "check", "breve": "breve",
    "underline": "ul", "mathcal": "cal", "mathscr": "scr", "mathsf": "sf", "mathfrak": "frak",
}
WORD_FONTS = frozenset({"mathrm", "mathit", "operatorname", "mathnormal"})
TEXT_COMMANDS = frozenset({"text", "textrm", "textit", "textbf", "textsf", "mbox", "textnormal", "hbox"})
IGNORED = frozenset(
    """nonumber notag quad qquad displaystyle textstyle scriptstyle scriptscriptstyle
    limits nolimits hfill allowbreak medspace thinspace thickspace negthinspace
    negmedspace negthickspace enspace relax strut mathstrut nobreak cr boxed""".split()
)
IGNORED_WITH_ARG = frozenset({"label", "tag", "hspace", "vspace", "phantom", "hphantom", "color",
                              "vphantom", "intertext", "shortintertext", "eqref", "ref"})
SIZES = frozenset(
    "big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm left right middle".split()
)
TRANSPARENT_ENVS = frozenset(
    {"aligned", "split", "gathered", "alignedat", "align", "align*", "equation", "equation*",
     "gather", "gather*", "multline", "multline*", "eqnarray", "eqnarray*", "alignat", "alignat*"}
)
_EXPLAINED = {
    "sum": "sums (\\sum) are not supported", "prod": "products (\\prod) are not supported",
    "int": "integrals (\\int) are not supported", "iint": "integrals are not supported",
    "oint": "integrals are not supported", "lim": "limits (\\lim) are not supported",
    "limsup": "limits are not supported", "liminf": "limits are not supported",
    "sup": "\\sup is not supported", "inf": "\\inf is not supported",
    "infty": "\\infty is not a number", "partial": "partial derivatives are not supported",
    "mathbb": "\\mathbb (sets, expectations) is not supported",
    "operatorname": "operator names are not supported",
}
_MARKS = {"*": "star", "\\star": "star", "\\ast": "star", "+": "plus", "-": "minus",
          "\\prime": "prime", "'": "prime", "\\dagger": "dagger", "\\circ": "circ",
          "\\natural": "natural", "\\sharp": "sharp", "\\flat": "flat"}
_DIGITS = frozenset("0123456789")
_GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξρστυφχψωΓΔΘΛΞΠΣΦΨΩ", (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi rho sigma tau upsilon "
    "phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega").split()))
_UNICODE = {"≤": ("REL", "<="), "≥": ("REL", ">="), "−": ("MINUS", "-"), "·": ("TIMES", "cdot"),
            "×": ("TIMES", "times"), **{c: ("NAME", n) for c, n in _GREEK_LETTERS.items()}}
_OPERAND_END = frozenset({"NUMBER", "NAME", "RPAR", "RBRACK", "RBRACE", "RCURLY", "ABSCLOSE",
                          "NORMCLOSE", "RANGLE", "TRANSPOSE"})
_OPENERS = {"(": "LPAR", "[": "LBRACK", "{": "LBRACE"}
_CLOSERS = {")": "RPAR", "]": "RBRACK", "}": "RBRACE"}
_PAIR = {"RPAR": "LPAR", "RBRACK": "LBRACK", "RBRACE": "LBRACE", "RCURLY": "LCURLY",
         "ABSCLOSE": "ABSOPEN", "NORMCLOSE": "NORMOPEN", "RANGLE": "LANGLE"}


class _Unknown(Exception):
    def __init__(self, message: str, start: int, end: int, fatal: bool = False):
        super().__init__(message)
        self.message, self.start, self.end, self.fatal = message, start, end, fatal


def _command(text: str, i: int, end: int) -> tuple[str, int]:
    """The command at ``text[i] == '\\'``: its name and the offset after it."""
    j = i + 1
    if j >= end:
        return "", j
    if text[j].isascii() and text[j].isalpha():
        while j < end and text[j].isascii() and text[j].isalpha():
            j += 1
        return text[i + 1 : j], j
    return text[j], j + 1


def _skip_space(text: str, i: int, end: int) -> int:
    while i < end and text[i] in " \t\r\n~":
        i += 1
    return i


def find_group_end(text: str, i: int, end: int) -> int:
    """Offset after the ``}`` matching ``text[i] == '{'``, or -1 (linear, no recursion)."""
    depth = 0
    while i < end:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _read_arg(text: str, i: int, end: int) -> tuple[str, int, int]:
    """One TeX argument at ``i``: (content, content_start, offset_after)."""
    i = _skip_space(text, i, end)
    if i >= end:
        raise _Unknown("a command is missing its argument", i, i)
    if text[i] == "{":
        close = find_group_end(text, i, end)
        if close < 0:
            raise _Unknown("unclosed '{'", i, i + 1)
        return text[i + 1 : close - 1], i + 1, close
    if text[i] == "\\":
        _, after = _command(text, i, end)
        return text[i:after], i, after
    return text[i], i, i + 1


def _encode_index(raw: str) -> tuple[str, ...] | None:
    """A subscript (or ``^{(k)}``) as name units; None when it is not a name part."""
    out: list[str] = []
    i, end = 0, len(raw)
    while i < end:
        char = raw[i]
        if char.isascii() and char.isalnum():
            out.append(char)
            i += 1
        elif char in " {}":
            i += 1
        elif char in "+-,*'":
            out.append(char)
            i += 1
        elif char == "\\":
            name, after = _command(raw, i, end)
            if name in GREEK:
                out.append("\\" + name)
            elif name in ("star", "ast"):
                out.append("*")
            elif name == "prime":
                out.append("'")
            elif name in (",", ";", "!", " ", ":"):
                pass
            elif name in TEXT_COMMANDS or name in WORD_FONTS:
                if after >= end or raw[after] != "{":
                    return None
                close = find_group_end(raw, after, end)
                word = raw[after + 1 : close - 1] if close > 0 else ""
                if not word or not all(c.isascii() and c.isalnum() for c in word):
                    return None
                out.append(word)
                after = close
            else:
                return None
            i = after
        else:
            return None
    return tuple(out) or None


def _mark(raw: str) -> tuple[str, ...] | None:
    compact = "".join(raw.split())
    if compact in _MARKS:
        return (_MARKS[compact],)
    if compact and all(c == "'" for c in compact):
        return ("prime",) * len(compact)
    if compact.replace("\\prime", "") == "" and compact:
        return ("prime",) * (len(compact) // len("\\prime"))
    if len(compact) >= 3 and compact[0] == "(" and compact[-1] == ")":
        encoded = _encode_index(compact[1:-1])
        if encoded:
            return (("sup", encoded),)
    return None


def read_name(text: str, i: int, end: int) -> tuple[NameKey, int] | None:
    """A name starting at ``i`` (letter, Greek letter, decorated name), with its
    subscript and superscript marks; None when no name starts there."""
    char = text[i]
    if char.isascii() and char.isalpha():
        key, j = NameKey(char), i + 1
    elif char == "\\":
        name, j = _command(text, i, end)
        if name in GREEK or name == "pi":
            key = NameKey(name)
        elif name in DECORATIONS:
            content, start, j = _read_arg(text, j, end)
            inner = read_name(text, start, start + len(content)) if content.strip() else None
            if inner is None or _skip_space(text, inner[1], start + len(content)) != start + len(content):
                raise _Unknown(f"\\{name}{{{content}}} is not a name", i, j)
            base = inner[0]
            key = base._replace(decorations=base.decorations + (DECORATIONS[name],))
        elif name in WORD_FONTS:
            content, start, j = _read_arg(text, j, end)
            word = content.strip()
            if not word or not all(c.isascii() and c.isalpha() for c in word):
                raise _Unknown(f"\\{name}{{{content}}} is not a name", i, j)
            key = NameKey(word if len(word) > 1 else word + "rm")
            if name == "operatorname":
                key = NameKey(word, ("op",))
        else:
            return None
    else:
        return None
    # subscripts, name marks and primes, in any order
    while True:
        k = _skip_space(text, j, end)
        if k < end and text[k] == "_" and not key.subscript:
            content, _, after = _read_arg(text, k + 1, end)
            encoded = _encode_index(content)
            if encoded is None:
                raise _Unknown(f"subscript _{{{content}}} is not part of a name", k, after)
            key, j = key._replace(subscript=encoded), after
        elif k < end and text[k] == "'":
            key, j = key._replace(marks=key.marks + ("prime",)), k + 1
        elif k < end and text[k] == "^":
            content, _, after = _read_arg(text, k + 1, end)
            if content in ("-", "+") and after < end and text[after] in "0123456789":
                raise _Unknown(f"write x^{{{content}1}}: x^{content}1 puts only '{content}' in the superscript",
                               k, after + 1)
            marks = _mark(content)
            if marks is None:
                return key, j
            key, j = key._replace(marks=key.marks + marks), after
        else:
            return key, j
