#!/usr/bin/env python3
"""Measure theorykit's prover on the blind red-team corpus in this folder.

Runs `python -m theorykit.cli check FILE --json` (PYTHONPATH=REPO) on every file of manifest.json,
ONE FILE AT A TIME, matches step verdicts (by file + index, line cross-checked) and chain verdicts
(by start_line) to the manifest and prints:
  true proved %, false refuted %, UNSOUND verdicts in full (true refuted / false proved, and refuted
  steps whose scalar counterexample fails an independent mpmath re-check), errors / hangs / crashes,
  a per-category breakdown and wall time per file.

Usage:
  python3 measure.py [REPO] [--python PYTHON] [--timeout S] [--only SUBSTR ...]
                     [--results FILE.json] [--report-only]
  REPO defaults to this checkout; PYTHON to the running interpreter.  --timeout is passed to `check` (default: the CLI default, 10 s).
  --report-only re-prints the summary from a saved --results file without running anything.
Exit code: 0 when nothing is unsound and nothing crashed, 1 otherwise.
"""
import argparse, collections, json, os, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_manifest(path):
    with open(path) as fh:
        return json.load(fh)["entries"]


def run_file(path, repo, python, timeout, nsteps):
    cmd = [python, "-m", "theorykit.cli", "check", path, "--json"]
    if timeout is not None:
        cmd += ["--timeout", str(timeout)]
    per = timeout if timeout is not None else 10.0
    budget = nsteps * per + 60  # documented bound: steps x timeout + fixed overhead (generous)
    env = dict(os.environ, PYTHONPATH=repo)
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=budget, cwd=HERE)
    except subprocess.TimeoutExpired as e:
        return dict(wall=time.time() - t0, rc=None, error="HANG: exceeded %.0f s (steps x timeout + 60)" % budget,
                    stderr=(e.stderr or b"")[-2000:].decode("utf-8", "replace") if isinstance(e.stderr, bytes) else str(e.stderr)[-2000:])
    wall = time.time() - t0
    out = dict(wall=wall, rc=p.returncode, stderr=p.stderr[-3000:])
    try:
        doc = json.loads(p.stdout)
    except Exception:
        out["error"] = "no JSON on stdout (rc=%s); stderr tail: %s" % (p.returncode, p.stderr[-1500:])
        return out
    if isinstance(doc, list):
        doc = doc[0]
    out["doc"] = doc
    if doc.get("status") == "error" or "Traceback" in p.stderr:
        out["error"] = "status=%s error=%s stderr=%s" % (doc.get("status"), doc.get("error"), p.stderr[-1500:])
    return out


def recheck_scalar_cex(entry, cex):
    """Independent mpmath re-check of a prover counterexample for a scalar step. Returns (ok, info)."""
    sys.path.insert(0, HERE)
    import build
    spec = next(s for s in build.spec_scalar.FILES if "scalar/" + s["name"] == entry["file"])
    l, r, rr = build.split_rel(entry["text"])
    try:
        vals = {k: str(v) for k, v in (cex or {}).items()}
        ok, info = build.check_scalar_false(spec["assume"], l, r, rr, vals)
        if not ok and info.startswith("cex misses"):
            return None, info
        return ok, info
    except Exception as e:  # unparsable value: report, do not judge
        return None, "could not re-check: %r" % (e,)


def recheck_vector_cex(entry, cex):
    """Independent mpmath (50 digits) re-check of a prover vector counterexample: assumptions hold, let-vectors
    match, every point the step evaluates f/grad at is in the table, the class interpolation inequalities hold
    for every pair (Taylor-Hendrickx-Glineur 2017), minimizers have zero gradient, and the step is violated."""
    sys.path.insert(0, HERE)
    import build
    import mpmath as mp
    spec = next(s for s in build.spec_vector.FILES if "vector/" + s["name"] == entry["file"])
    P = lambda s: build.ev(build.parse(str(s)), {})
    tol = mp.mpf(10) ** -35
    try:
        sc = {k: P(v) for k, v in cex["scalars"].items()}
        vecs = {k: build.Vec([P(c) for c in v]) for k, v in cex["vectors"].items()}
        if not build.assumptions_hold(spec["assume"], sc):
            return False, "assumptions fail"
        names, mins = build.vec_names(spec)
        env = dict(sc)
        for n in names:
            env[n] = vecs[n]
        rows_ = cex["functions"]["f"]
        def _pt(at):
            return env[at] if isinstance(at, str) else build.Vec([P(c) for c in at])
        class Tab:
            def _find(self, v):
                for row in rows_:
                    x = _pt(row["at"])
                    if all(abs(a - b) <= tol for a, b in zip(x.c, v.c)):
                        return P(row["value"]), build.Vec([P(c) for c in row["grad"]])
                raise KeyError("point not in the table")
            def __call__(self, v): return self._find(v)[0]
            def grad(self, v): return self._find(v)[1]
        env["f"] = Tab()
        for h in spec["header"]:
            if h.startswith("let:"):
                n, e = h[4:].split("=", 1)
                v = build.ev(build.parse(e.strip()), env)
                n = n.strip()
                if n in vecs and any(abs(a - b) > tol for a, b in zip(v.c, vecs[n].c)):
                    return False, "let %s does not match" % n
                env[n] = v
        table = [(_pt(row["at"]), P(row["value"]), build.Vec([P(c) for c in row["grad"]])) for row in rows_]
        cls = [h for h in spec["header"] if h.startswith("function f:")][0]
        L = sc.get("L"); mu = sc.get("mu", 0) if "strongly_convex" in cls else 0; M = sc.get("M")
        dot = lambda u, v: sum((a * b for a, b in zip(u.c, v.c)), mp.mpf(0))
        convex = "convex" in cls or (mins and "smooth" in cls)  # smooth + minimizer: refutations must be convex
        for xi, fi, gi in table:
            if M is not None and dot(gi, gi) > M * M + tol:
                return False, "subgradient norm > M"
            for xj, fj, gj in table:
                d = xi - xj; dg = gi - gj
                if L is not None and convex:
                    rhs = fj + dot(gj, d) + (dot(dg, dg) / L + mu * dot(d, d) - 2 * mu / L * dot(dg, d)) / (2 * (1 - mu / L)) if mu != L else None
                    if rhs is None:
                        return None, "mu = L: not re-checked"
                elif L is not None:
                    rhs = fj + (dot(gi + gj, d)) / 2 + dot(dg, dg) / (4 * L) - L / 4 * dot(d, d)
                elif convex:
                    rhs = fj + dot(gj, d) + mu / 2 * dot(d, d)
                else:
                    return None, "class not handled"
                if fi < rhs - tol:
                    return False, "interpolation inequality fails"
        for n in mins:
            g = env["f"].grad(env[n])
            if any(abs(c) > tol for c in g.c):
                return False, "minimizer with nonzero gradient"
        l, r, rr = build.split_rel(entry["text"])
        lv = build.ev(build.parse(l), env); rv = build.ev(build.parse(rr), env)
        if not build.violated_strictly(lv, r, rv):
            return False, "step not violated: %s %s %s" % (mp.nstr(lv, 15), r, mp.nstr(rv, 15))
        return True, "ok"
    except Exception as e:
        return None, "could not re-check: %r" % (e,)


def evaluate(manifest, results):
    rows = []
    for e in manifest:
        res = results.get(e["file"])
        row = dict(e)
        if res is None:
            row["got"] = "not-run"; rows.append(row); continue
        if "doc" not in res:
            row["got"] = "error"; row["detail"] = res.get("error"); rows.append(row); continue
        doc = res["doc"]
        if doc.get("status") == "error":
            row["got"] = "error"; row["detail"] = doc.get("error"); rows.append(row); continue
        if e["kind"] == "step":
            steps = {s.get("index"): s for s in doc.get("steps", [])}
            s = steps.get(e["index"])
            if s is None:
                row["got"] = "missing"; rows.append(row); continue
            if s.get("line") != e["line"]:
                row["line_mismatch"] = s.get("line")
            row["got"] = s.get("status"); row["method"] = s.get("method"); row["seconds"] = s.get("seconds")
            row["prover_cex"] = s.get("counterexample")
            if s.get("status") == "refuted" and e["file"].startswith("scalar/") and e["expected"] == "false":
                ok, info = recheck_scalar_cex(e, s.get("counterexample"))
                row["scalar_cex_check"] = "ok" if ok else info
                if ok is False:
                    row["bad_cex"] = info
                elif ok is None:
                    row["cex_note"] = info
            if s.get("status") == "refuted" and e["file"].startswith("vector/"):
                ok, info = recheck_vector_cex(e, s.get("counterexample"))
                row["vector_cex_check"] = info
                if ok is False:
                    row["bad_cex"] = info
        else:
            chains = {c.get("start_line"): c for c in doc.get("chains", [])}
            c = chains.get(e["start_line"])
            row["got"] = c.get("status") if c else "missing"
            row["chain_doc"] = c
        rows.append(row)
    return rows


def report(rows, results):
    def pct(a, b):
        return "%d/%d = %.1f%%" % (a, b, 100.0 * a / b) if b else "0/0"
    unsound, errors = [], []
    lines = []
    for part in ("scalar/", "vector/"):
        st = [r for r in rows if r["kind"] == "step" and r["file"].startswith(part)]
        tr = [r for r in st if r["expected"] == "true"]
        fa = [r for r in st if r["expected"] == "false"]
        lines.append("== %s steps: %d (%d true, %d false)" % (part.rstrip("/"), len(st), len(tr), len(fa)))
        lines.append("   true proved:    " + pct(sum(r["got"] == "proved" for r in tr), len(tr)))
        lines.append("   false refuted:  " + pct(sum(r["got"] == "refuted" for r in fa), len(fa)))
        cnt = collections.Counter((r["expected"], r["got"]) for r in st)
        lines.append("   verdicts (expected, got): " + ", ".join("%s->%s: %d" % (k[0], k[1], v) for k, v in sorted(cnt.items())))
        cats = collections.defaultdict(list)
        for r in st:
            cats[r["category"]].append(r)
        lines.append("   per category: true proved | false refuted | unknown | other")
        for c, rs in sorted(cats.items()):
            t = [r for r in rs if r["expected"] == "true"]; f = [r for r in rs if r["expected"] == "false"]
            lines.append("     %-22s %-16s %-16s unk=%d other=%d" % (
                c, pct(sum(r["got"] == "proved" for r in t), len(t)), pct(sum(r["got"] == "refuted" for r in f), len(f)),
                sum(r["got"] == "unknown" for r in rs), sum(r["got"] not in ("proved", "refuted", "unknown") for r in rs)))
    ch = [r for r in rows if r["kind"] == "chain"]
    if ch:
        lines.append("== chain conclusions: " + ", ".join("%s:%d expected %s -> %s" % (r["file"], r["start_line"], r["expected"], r["got"]) for r in ch))
    for r in rows:
        bad = (r["expected"] == "true" and r["got"] == "refuted") or (r["expected"] == "false" and r["got"] == "proved") or r.get("bad_cex")
        if bad:
            unsound.append(r)
        if r["got"] in ("error", "missing", "not-run") or r.get("line_mismatch"):
            errors.append(r)
    lines.append("")
    lines.append("== UNSOUND verdicts: %d" % len(unsound))
    for r in unsound:
        lines.append("  UNSOUND %s %s expected %s got %s (%s)" % (
            r["file"], ("step %d line %d" % (r["index"], r["line"])) if r["kind"] == "step" else "chain line %d" % r["start_line"],
            r["expected"], r["got"], r.get("method")))
        lines.append("     text: %s" % r["text"])
        lines.append("     why: %s | our check: %s" % (r["reason"], r.get("check")))
        if r.get("counterexample"):
            lines.append("     our counterexample: %s" % r["counterexample"])
        if r.get("prover_cex"):
            lines.append("     prover counterexample: %s" % (r["prover_cex"],))
        if r.get("bad_cex"):
            lines.append("     BAD prover counterexample: %s" % r["bad_cex"])
        if r.get("chain_doc"):
            lines.append("     chain: %s" % json.dumps(r["chain_doc"])[:600])
    sc_ = collections.Counter(r.get("scalar_cex_check") for r in rows if "scalar_cex_check" in r)
    lines.append("== scalar counterexamples re-checked independently (mpmath, 50 digits): %s" % dict(sc_))
    vc = collections.Counter(r.get("vector_cex_check") for r in rows if "vector_cex_check" in r)
    lines.append("== vector counterexamples re-checked independently: %s" % dict(vc))
    lines.append("== errors / missing / hangs: %d" % len(errors))
    for r in errors:
        lines.append("  %s %s: %s %s" % (r["file"], r.get("index", r.get("start_line")), r["got"], (r.get("detail") or "")[:300] + (" line mismatch %s" % r["line_mismatch"] if r.get("line_mismatch") else "")))
    lines.append("== unknowns (true steps not proved / false steps not refuted), by category:")
    for r in rows:
        if r["got"] == "unknown" and r["kind"] == "step":
            lines.append("  unknown [%s] %s #%d (%s): %s" % (r["category"], r["file"], r["index"], r["expected"], r["text"]))
    lines.append("== wall time per file (s), rc:")
    for f, res in sorted(results.items()):
        lines.append("  %7.1f  rc=%s  %s%s" % (res.get("wall", 0), res.get("rc"), f, "  ERROR: " + res["error"][:300] if res.get("error") else ""))
    lines.append("  total %.1f s" % sum(res.get("wall", 0) for res in results.values()))
    print("\n".join(lines))
    return len(unsound), len([r for r in errors if r["got"] == "error"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("repo", nargs="?", default=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    ap.add_argument("--python", default=__import__("sys").executable)
    ap.add_argument("--timeout", type=float, default=None)
    ap.add_argument("--only", nargs="*", default=None, help="substrings of file paths to run")
    ap.add_argument("--manifest", default=os.path.join(HERE, "manifest.json"))
    ap.add_argument("--results", default=None, help="JSON file to store/reuse raw results")
    ap.add_argument("--report-only", action="store_true")
    a = ap.parse_args()
    manifest = load_manifest(a.manifest)
    results = {}
    if a.results and os.path.exists(a.results):
        with open(a.results) as fh:
            results = json.load(fh)
    if not a.report_only:
        files = sorted({e["file"] for e in manifest})
        if a.only:
            files = [f for f in files if any(s in f for s in a.only)]
        for f in files:
            nsteps = sum(1 for e in manifest if e["file"] == f and e["kind"] == "step")
            res = run_file(os.path.join(HERE, f), a.repo, a.python, a.timeout, nsteps)
            results[f] = res
            print("ran %-50s %6.1f s rc=%s%s" % (f, res["wall"], res.get("rc"), " ERROR" if res.get("error") else ""), flush=True)
            if a.results:
                with open(a.results, "w") as fh:
                    json.dump(results, fh)
    if a.only:
        manifest = [e for e in manifest if any(s in e["file"] for s in a.only)]
    manifest = [e for e in manifest if e["file"] in results]
    rows = evaluate(manifest, results)
    nu, ne = report(rows, results)
    sys.exit(1 if (nu or ne) else 0)


if __name__ == "__main__":
    main()
