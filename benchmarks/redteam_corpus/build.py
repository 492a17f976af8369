"""Build the red-team corpus (.deriv files + manifest.json) from spec_scalar.py / spec_vector.py and
confirm every label independently with mpmath at 50 digits (real semantics):
  false step -> the given counterexample satisfies the assumptions, both sides are real and defined,
                and the relation is violated;
  true step  -> dense random sampling (points satisfying the assumptions, where both sides are
                defined) never violates it; the proof sketch is the manifest reason.
Steps whose check fails are DROPPED (and printed). Run: python3 build.py
"""
import ast, json, math, os, random, re, sys
import mpmath as mp

mp.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import spec_scalar, spec_vector  # noqa: E402

class Undefined(Exception):
    pass

def _real(v):
    if isinstance(v, mp.mpc):
        raise Undefined("complex")
    if isinstance(v, mp.mpf) and not mp.isfinite(v):
        raise Undefined("nonfinite")
    return v

def _chk(pred):
    if not pred:
        raise Undefined("domain")

def _sqrt(u): _chk(u >= 0); return _real(mp.sqrt(u))
def _log(u, b=None):
    _chk(u > 0)
    if b is None:
        return _real(mp.log(u))
    _chk(b > 0 and b != 1)
    return _real(mp.log(u) / mp.log(b))
def _tan(u): _chk(abs(mp.cos(u)) > mp.mpf(10) ** -45); return _real(mp.tan(u))

CONST = {"pi": mp.pi, "E": mp.e}
FUNCS = {"sqrt": _sqrt, "exp": lambda u: _real(mp.exp(u)), "log": _log, "Abs": lambda u: abs(u),
         "Max": lambda *a: max(a), "Min": lambda *a: min(a), "sin": mp.sin, "cos": mp.cos, "tan": _tan,
         "atan": mp.atan, "cosh": mp.cosh, "sinh": mp.sinh, "tanh": mp.tanh, "cbrt": mp.cbrt,
         "sign": mp.sign, "floor": mp.floor, "ceiling": mp.ceil}

def _has_symbol(node):
    return any(isinstance(n, ast.Name) and n.id not in CONST for n in ast.walk(node))

class Vec:
    def __init__(self, c): self.c = list(c)
    def __add__(self, o): assert isinstance(o, Vec); return Vec(a + b for a, b in zip(self.c, o.c))
    def __sub__(self, o): assert isinstance(o, Vec); return Vec(a - b for a, b in zip(self.c, o.c))
    def __mul__(self, s): assert not isinstance(s, Vec); return Vec(a * s for a in self.c)
    __rmul__ = __mul__
    def __neg__(self): return Vec(-a for a in self.c)
    def __pos__(self): return self

def ev(node, env):
    if isinstance(node, ast.Expression):
        return ev(node.body, env)
    if isinstance(node, ast.Constant):
        return mp.mpf(str(node.value))
    if isinstance(node, ast.Name):
        if node.id in CONST:
            return CONST[node.id]
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        v = ev(node.operand, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a = ev(node.left, env); b = ev(node.right, env)
        if isinstance(node.op, ast.Add): return a + b
        if isinstance(node.op, ast.Sub): return a - b
        if isinstance(node.op, ast.Mult): return a * b
        if isinstance(node.op, ast.Div):
            _chk(not isinstance(b, Vec) and b != 0)
            return a * (1 / b) if isinstance(a, Vec) else a / b
        if isinstance(node.op, ast.Pow):
            if _has_symbol(node.right) or b != int(b):
                if _has_symbol(node.right):
                    _chk(a > 0)
                elif b > 0:
                    _chk(a >= 0)
                else:
                    _chk(a > 0)
            else:
                _chk(not (a == 0 and b < 0))
            return _real(a ** b)
        raise ValueError(node.op)
    if isinstance(node, ast.Call):
        name = node.func.id
        if name == "grad":
            fn = env[node.args[0].id]
            return fn.grad(ev(node.args[1], env))
        if name == "dot":
            u = ev(node.args[0], env); v = ev(node.args[1], env)
            return sum((a * b for a, b in zip(u.c, v.c)), mp.mpf(0))
        if name == "norm":
            u = ev(node.args[0], env)
            return mp.sqrt(sum((a * a for a in u.c), mp.mpf(0)))
        if name in env and hasattr(env[name], "grad"):
            return env[name](ev(node.args[0], env))
        args = [ev(a, env) for a in node.args]
        return _real(FUNCS[name](*args))
    raise ValueError(ast.dump(node))

REL_RE = re.compile(r"(<=|>=|==|<|>|=)")

def split_rel(text):
    m = REL_RE.search(text)
    return text[:m.start()].strip(), m.group(1), text[m.end():].strip()

def parse(e):
    return ast.parse(e.replace("^", "**"), mode="eval")

def holds(lhs, rel, rhs, tol):
    scale = 1 + abs(lhs) + abs(rhs)
    t = tol * scale
    return {"<=": lhs <= rhs + t, "<": lhs < rhs + t, ">=": lhs >= rhs - t, ">": lhs > rhs - t,
            "=": abs(lhs - rhs) <= t, "==": abs(lhs - rhs) <= t}[rel]

def violated_strictly(lhs, rel, rhs):
    # exact-ish: at 50 digits, violation by more than 1e-40 relative, or (for strict/eq) equality within 1e-45
    scale = 1 + abs(lhs) + abs(rhs)
    t = mp.mpf(10) ** -40 * scale
    return {"<=": lhs > rhs + t, "<": lhs >= rhs - mp.mpf(10) ** -45 * scale, ">=": lhs < rhs - t,
            ">": lhs <= rhs + mp.mpf(10) ** -45 * scale,
            "=": abs(lhs - rhs) > t, "==": abs(lhs - rhs) > t}[rel]

def assumptions_hold(assume, env):
    for a in assume:
        l, r, rr = split_rel(a)
        try:
            lv = ev(parse(l), env); rv = ev(parse(rr), env)
        except Undefined:
            return False
        if not holds(lv, r, rv, mp.mpf(0)):
            return False
    return True

def symbols_of(texts):
    out = set()
    for t in texts:
        for n in ast.walk(parse(t)):
            if isinstance(n, ast.Name) and n.id not in CONST and n.id not in FUNCS:
                out.add(n.id)
            if isinstance(n, ast.Call):
                out.discard(n.func.id)
    return out

def sample_value(rng):
    k = rng.random()
    if k < 0.25: return mp.mpf(rng.uniform(-5, 5))
    if k < 0.45: return mp.mpf(rng.uniform(0, 1))
    if k < 0.6: return mp.mpf(10) ** rng.uniform(-3, 2) * rng.choice([1, -1, 1])
    if k < 0.7: return mp.mpf(rng.randint(-4, 6))
    if k < 0.8: return mp.mpf(rng.uniform(0, 3))
    if k < 0.9: return mp.mpf(rng.uniform(1, 1.1))
    return mp.mpf(rng.randint(1, 40)) / rng.randint(1, 40)

# ---------------------------------------------------------------- scalar checks
def check_scalar_true(assume, lhs, rel, rhs, rng, need=300, tries=60000):
    syms = sorted(symbols_of([lhs, rhs] + assume))
    L, R = parse(lhs), parse(rhs)
    ok = 0
    tol = mp.mpf(10) ** -30
    for _ in range(tries):
        env = {s: sample_value(rng) for s in syms}
        if not assumptions_hold(assume, env):
            continue
        try:
            lv = ev(L, env); rv = ev(R, env)
        except (Undefined, ZeroDivisionError):
            continue
        if not holds(lv, rel, rv, tol):
            return False, "violated at %s: %s vs %s" % ({k: mp.nstr(v, 8) for k, v in env.items()}, mp.nstr(lv, 15), mp.nstr(rv, 15))
        ok += 1
        if ok >= need:
            break
    if ok < 20 and syms:
        return False, "only %d admissible samples" % ok
    return True, "%d samples" % ok

def check_scalar_false(assume, lhs, rel, rhs, cex):
    syms = symbols_of([lhs, rhs] + assume)
    env = {}
    for s in syms:
        if s not in cex:
            return False, "cex misses %s" % s
        env[s] = ev(parse(cex[s].replace("cbrt", "cbrt")), {})
    if not assumptions_hold(assume, env):
        return False, "cex violates assumptions"
    try:
        lv = ev(parse(lhs), env); rv = ev(parse(rhs), env)
    except (Undefined, ZeroDivisionError) as e:
        return False, "undefined at cex: %s" % e
    if not violated_strictly(lv, rel, rv):
        return False, "not violated: %s %s %s" % (mp.nstr(lv, 20), rel, mp.nstr(rv, 20))
    return True, "lhs=%s rhs=%s" % (mp.nstr(lv, 20), mp.nstr(rv, 20))

# ---------------------------------------------------------------- vector checks
class Fn:
    """Separable test function: sum_i phi_i(t_i)."""
    def __init__(self, parts): self.parts = parts
    def __call__(self, v): return sum((p[0](t) for p, t in zip(self.parts, v.c)), mp.mpf(0))
    def grad(self, v): return Vec(p[1](t) for p, t in zip(self.parts, v.c))

def part(kind, *p):
    p = [mp.mpf(x) if not isinstance(x, mp.mpf) else x for x in p]
    if kind == "quad":
        a, = p; return (lambda t: a / 2 * t * t, lambda t: a * t)
    if kind == "negquad":
        a, = p; return (lambda t: -a / 2 * t * t, lambda t: -a * t)
    if kind == "huber":
        a, d = p
        return (lambda t: a / 2 * t * t if abs(t) <= d else a * d * abs(t) - a * d * d / 2,
                lambda t: a * max(-d, min(d, t)))
    if kind == "abs":
        m, = p; return (lambda t: m * abs(t), lambda t: m * mp.sign(t))
    if kind == "cos":
        a, = p; return (lambda t: a * (1 - mp.cos(t)), lambda t: a * mp.sin(t))
    if kind == "schuber":  # mu/2 t^2 + huber(a, d)
        mu, a, d = p
        h = part("huber", a, d)
        return (lambda t: mu / 2 * t * t + h[0](t), lambda t: mu * t + h[1](t))
    if kind == "scabs":  # mu/2 t^2 + c|t|
        mu, c = p
        return (lambda t: mu / 2 * t * t + c * abs(t), lambda t: mu * t + c * mp.sign(t))
    raise ValueError(kind)

def random_part(family, sc, rng, dim):
    U = lambda a, b: mp.mpf(rng.uniform(float(a), float(b)))
    L = sc.get("L"); mu = sc.get("mu"); M = sc.get("M")
    if family == "smooth":
        k = rng.choice(["quad", "negquad", "huber", "cos", "cos"])
        if k == "huber": return part("huber", U(0, L), U(0.01, 3))
        return part(k, U(0, L))
    if family == "smooth_min":
        k = rng.choice(["quad", "huber", "cos"])
        if k == "huber": return part("huber", U(0, L), U(0.01, 3))
        return part(k, U(0, L))
    if family == "smooth_convex":
        k = rng.choice(["quad", "huber", "huber"])
        if k == "huber": return part("huber", rng.choice([L, U(0, L)]), U(0.01, 3))
        return part("quad", rng.choice([L, U(0, L), mp.mpf(0)]))
    if family == "smooth_sc":
        k = rng.choice(["quad", "schuber"])
        if k == "quad": return part("quad", rng.choice([mu, L, U(mu, L)]))
        return part("schuber", mu, U(0, L - mu), U(0.01, 3))
    if family == "sc":
        k = rng.choice(["quad", "schuber", "scabs"])
        if k == "quad": return part("quad", rng.choice([mu, U(mu, 5 * mu + 1)]))
        if k == "schuber": return part("schuber", mu, U(0, 5), U(0.01, 3))
        return part("scabs", mu, U(0, 3))
    if family == "convex":
        k = rng.choice(["quad", "huber", "abs"])
        if k == "huber": return part("huber", U(0, 4), U(0.01, 3))
        return part(k, U(0, 4))
    if family == "lip_convex":
        m = M / mp.sqrt(dim)
        k = rng.choice(["abs", "huber"])
        if k == "abs": return part("abs", rng.choice([m, U(0, m)]))
        d = U(0.01, 3); return part("huber", rng.choice([m, U(0, m)]) / d, d)
    raise ValueError(family)

def vec_env(spec, sc, fn, points):
    env = dict(sc); env["f"] = fn
    for name, coords in points.items():
        env[name] = Vec(coords)
    for h in spec["header"]:
        if h.startswith("let:"):
            name, e = h[4:].split("=", 1)
            env[name.strip()] = ev(parse(e.strip()), env)
    return env

def vec_names(spec):
    vecs, mins = [], []
    for h in spec["header"]:
        if h.startswith("vectors:"):
            vecs = [v.strip() for v in h[8:].split(",")]
        if h.startswith("minimizer:"):
            mins.append(h[10:].split(" of ")[0].strip())
    return vecs, mins

def check_vector_true(spec, lhs, rel, rhs, rng, need=300):
    vecs, mins = vec_names(spec)
    ssyms = sorted(symbols_of(spec["assume"] + [lhs, rhs]) - set(vecs) - {"f"} - {h[4:].split("=")[0].strip() for h in spec["header"] if h.startswith("let:")})
    L_, R_ = parse(lhs), parse(rhs)
    ok = 0
    for _ in range(40000):
        sc = {s: sample_value(rng) for s in ssyms}
        if not assumptions_hold(spec["assume"], sc):
            continue
        dim = rng.choice([1, 1, 2])
        fn = Fn([random_part(spec["family"], sc, rng, dim) for _ in range(dim)])
        pts = {v: ([mp.mpf(0)] * dim if v in mins else [mp.mpf(rng.uniform(-6, 6)) for _ in range(dim)]) for v in vecs}
        env = vec_env(spec, sc, fn, pts)
        try:
            lv = ev(L_, env); rv = ev(R_, env)
        except (Undefined, ZeroDivisionError):
            continue
        if not holds(lv, rel, rv, mp.mpf(10) ** -30):
            return False, "violated: sc=%s pts=%s %s vs %s" % ({k: mp.nstr(v, 6) for k, v in sc.items()}, {k: [mp.nstr(c, 6) for c in v] for k, v in pts.items()}, mp.nstr(lv, 12), mp.nstr(rv, 12))
        ok += 1
        if ok >= need:
            break
    if ok < 50:
        return False, "only %d samples" % ok
    return True, "%d samples (1-D/2-D separable members of the class)" % ok

def check_vector_false(spec, lhs, rel, rhs, cex):
    vecs, mins = vec_names(spec)
    sc = {k: ev(parse(v), {}) for k, v in cex["scalars"].items()}
    if not assumptions_hold(spec["assume"], sc):
        return False, "cex violates assumptions"
    kind, *params = cex["f"]
    fn_parts = part(kind, *[ev(parse(p), {}) for p in params])
    pts = {k: [ev(parse(c), {}) for c in v] for k, v in cex["points"].items()}
    dim = len(next(iter(pts.values())))
    fn = Fn([fn_parts] * dim)
    for m in mins:
        if any(c != 0 for c in pts[m]):
            return False, "minimizer must be the origin"
        if kind in ("negquad",):
            return False, "no minimizer"
    env = vec_env(spec, sc, fn, pts)
    lv = ev(parse(lhs), env); rv = ev(parse(rhs), env)
    if not violated_strictly(lv, rel, rv):
        return False, "not violated: %s %s %s" % (mp.nstr(lv, 20), rel, mp.nstr(rv, 20))
    return True, "f=%s%s, %s: lhs=%s rhs=%s" % (kind, tuple(params), cex["points"], mp.nstr(lv, 12), mp.nstr(rv, 12))

# class membership of the counterexample functions (1-D, by hand):
#   quad(a): f''=a -> smooth(L) iff |a|<=L, convex iff a>=0, strongly_convex(mu) iff a>=mu
#   huber(a,d): f'' in {0, a} -> smooth(a), convex;   abs(m): lipschitz(m), convex
#   negquad(a): f''=-a -> smooth(a), not convex
CLASS_OK = {
    "smooth": lambda k, p, sc: (k in ("quad", "negquad", "huber") and p[0] <= sc["L"]),
    "smooth_min": lambda k, p, sc: (k in ("quad", "huber", "cos") and 0 <= p[0] <= sc["L"]),
    "smooth_convex": lambda k, p, sc: (k in ("quad", "huber") and 0 <= p[0] <= sc["L"]),
    "smooth_sc": lambda k, p, sc: (k == "quad" and sc["mu"] <= p[0] <= sc["L"]),
    "sc": lambda k, p, sc: (k == "quad" and sc["mu"] <= p[0]),
    "convex": lambda k, p, sc: (k in ("quad", "huber", "abs") and p[0] >= 0),
    "lip_convex": lambda k, p, sc: (k == "abs" and p[0] <= sc["M"]),
}

def write_file(path, header, assume, body):
    text = "# red-team corpus (blind), generated by benchmarks/redteam_corpus/build.py\n"
    text += "".join(h + "\n" for h in header)
    if assume:
        text += "assume: " + ", ".join(assume) + "\n"
    text += "".join(line + "\n" for line in body)
    if os.path.exists(path) and open(path).read() == text:
        return  # unchanged: do not rewrite (a measurement may be reading it)
    with open(path, "w") as fh:
        fh.write(text)

def build():
    rng = random.Random(20261205)
    manifest, dropped = [], []
    os.makedirs(os.path.join(HERE, "scalar"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "vector"), exist_ok=True)
    for spec in spec_scalar.FILES:
        rel_path = "scalar/" + spec["name"]
        body, entries = [], []
        lineno = 1 + (1 if spec["assume"] else 0)
        idx = 0
        for item in spec["items"]:
            if item[0] == "claim":
                _, text, label, reason, cex = item
                l, r, rr = split_rel(text)
                ok, info = (check_scalar_true(spec["assume"], l, r, rr, rng) if label == "true"
                            else check_scalar_false(spec["assume"], l, r, rr, cex))
                if not ok:
                    dropped.append((rel_path, text, label, info)); continue
                body.append("claim: " + text); lineno += 1
                entries.append(dict(file=rel_path, kind="step", index=idx, line=lineno, text=text, expected=label,
                                    reason=reason, category=spec["cat"], check=info,
                                    counterexample=cex if label == "false" else None))
                idx += 1
            else:
                _, start, steps, clabel, creason, ccex = item
                good = True; prev = start; checks = []
                for (r, e, label, reason, cex) in steps:
                    ok, info = (check_scalar_true(spec["assume"], prev, r, e, rng) if label == "true"
                                else check_scalar_false(spec["assume"], prev, r, e, cex))
                    checks.append((ok, info)); prev = e
                    good &= ok
                # conclusion
                rels = [s[0] for s in steps]
                crel = "<=" if set(rels) <= {"<=", "="} else (">=" if set(rels) <= {">=", "="} else None)
                if "<" in rels and set(rels) <= {"<", "<=", "="}: crel = "<"
                if ">" in rels and set(rels) <= {">", ">=", "="}: crel = ">"
                if crel is None:
                    good = False
                else:
                    ok, info = (check_scalar_true(spec["assume"], start, crel, steps[-1][1], rng) if clabel == "true"
                                else check_scalar_false(spec["assume"], start, crel, steps[-1][1], ccex))
                    good &= ok; checks.append((ok, info))
                if not good:
                    dropped.append((rel_path, "chain " + start, clabel, checks)); continue
                lineno += 1; body.append("start: " + start); start_line = lineno
                prev = start
                for (r, e, label, reason, cex), (ok, info) in zip(steps, checks):
                    lineno += 1; body.append(r + " " + e)
                    entries.append(dict(file=rel_path, kind="step", index=idx, line=lineno, text="%s %s %s" % (prev, r, e),
                                        expected=label, reason=reason, category=spec["cat"], check=info,
                                        counterexample=cex if label == "false" else None))
                    idx += 1; prev = e
                entries.append(dict(file=rel_path, kind="chain", start_line=start_line, text="%s %s %s" % (start, crel, prev),
                                    expected=clabel, reason=creason, category=spec["cat"] + "_chain", check=checks[-1][1],
                                    counterexample=ccex if clabel == "false" else None))
        write_file(os.path.join(HERE, rel_path), [], spec["assume"], body)
        manifest.extend(entries)
    for spec in spec_vector.FILES:
        rel_path = "vector/" + spec["name"]
        body, entries = [], []
        lineno = 1 + len(spec["header"]) + (1 if spec["assume"] else 0)
        idx = 0
        for _, text, label, reason, cex in spec["items"]:
            l, r, rr = split_rel(text)
            if label == "true":
                ok, info = check_vector_true(spec, l, r, rr, rng)
            else:
                ok, info = check_vector_false(spec, l, r, rr, cex)
                if ok:
                    sc = {k: ev(parse(v), {}) for k, v in cex["scalars"].items()}
                    kind, *params = cex["f"]
                    if not CLASS_OK[spec["family"]](kind, [ev(parse(p), {}) for p in params], sc):
                        ok, info = False, "cex function not in class"
            if not ok:
                dropped.append((rel_path, text, label, info)); continue
            body.append("claim: " + text); lineno += 1
            entries.append(dict(file=rel_path, kind="step", index=idx, line=lineno, text=text, expected=label,
                                reason=reason, category=spec["cat"], check=info,
                                counterexample=cex if label == "false" else None))
            idx += 1
        write_file(os.path.join(HERE, rel_path), spec["header"], spec["assume"], body)
        manifest.extend(entries)
    with open(os.path.join(HERE, "manifest.json"), "w") as fh:
        json.dump({"_doc": "expected truth of every step (kind=step, matched by file+index, line for checking) and of "
                   "chain conclusions (kind=chain, matched by start_line). Built and label-checked by build.py.",
                   "entries": manifest}, fh, indent=1)
    steps = [e for e in manifest if e["kind"] == "step"]
    for part_ in ("scalar/", "vector/"):
        s = [e for e in steps if e["file"].startswith(part_)]
        print(part_, len(s), "steps,", sum(e["expected"] == "true" for e in s), "true,",
              sum(e["expected"] == "false" for e in s), "false")
    print("chains:", sum(e["kind"] == "chain" for e in manifest))
    for d in dropped:
        print("DROPPED", d)

if __name__ == "__main__":
    build()
