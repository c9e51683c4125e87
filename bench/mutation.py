"""Sampled mutation testing over kg/ and ingest/ (issue 9's mutation score).

A mutant changes one operator, comparison or constant in one module (found with `ast`, rewritten
in the source text so comments and the rest of the file stay as written). For each mutant the
test files that import the mutated module run (plus the module's own doctests), `-x`, with a
timeout; a failing run kills the mutant. The population is every mutation point in kg/**.py and
ingest/**.py; a fixed-seed random sample of it runs, so two checkouts can be compared with the
same rules and seed.

    python3 bench/mutation.py --tree /work/main --sample 150 --seed 9 --out /tmp/m.jsonl

The tree is copied to a scratch folder first (the mutants are written there, never into the
checkout). Before any mutant, the selected test files run once unmutated: a test that already
fails there is deselected, so it cannot "kill" mutants. Nothing is asserted; the figures
(killed / survived / timed out / no test file; score = (killed + timed out) / (killed + survived +
timed out), and score_all with "no test" counted as surviving)
go to docs/notes/audit.md.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("kg", "ingest")
_SWAP_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
               ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult,
               ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr, ast.LShift: ast.RShift, ast.RShift: ast.LShift}
_SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
             ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


@dataclass(frozen=True)
class Mutant:
    """One change: in `path`, the source span (1-based lines, byte columns) becomes `text`."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    text: str
    kind: str


def _skipped_spans(tree: ast.AST) -> set[int]:
    """Ids of nodes not to mutate: docstrings, f-string parts, annotations, match patterns."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        roots = []
        if isinstance(node, ast.JoinedStr):
            roots.append(node)
        if isinstance(node, (ast.AnnAssign,)):
            roots.append(node.annotation)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            roots += [a.annotation for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs
                      if a.annotation] + ([node.returns] if node.returns else [])
        if isinstance(node, ast.match_case):
            roots.append(node.pattern)
        for root in roots:
            skip.update(id(n) for n in ast.walk(root))
    return skip


def _mutations(node: ast.AST) -> list[tuple[ast.AST, str]]:
    """The mutated copies of `node` (each one change), with a kind label."""
    out: list[tuple[ast.AST, str]] = []
    if isinstance(node, ast.BinOp) and type(node.op) in _SWAP_BINOP:
        out.append((ast.BinOp(node.left, _SWAP_BINOP[type(node.op)](), node.right), "binop"))
    elif isinstance(node, ast.AugAssign) and type(node.op) in _SWAP_BINOP:
        out.append((ast.AugAssign(node.target, _SWAP_BINOP[type(node.op)](), node.value), "augassign"))
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _SWAP_CMP:
                ops = list(node.ops)
                ops[i] = _SWAP_CMP[type(op)]()
                out.append((ast.Compare(node.left, ops, node.comparators), "compare"))
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        out.append((ast.BoolOp(other, node.values), "boolop"))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        out.append((node.operand, "not"))
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        out.append((ast.Constant(not node.value), "constant"))
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        out.append((ast.Constant(node.value + 1), "constant"))
    elif isinstance(node, ast.Constant) and type(node.value) is float:
        out.append((ast.Constant(node.value * 2 if node.value else 1.0), "constant"))
    return out


def mutants_of(root: Path, relative: str) -> list[Mutant]:
    """Every mutant of one module, in source order."""
    source = (root / relative).read_text(encoding="utf-8")
    tree = ast.parse(source)
    skip = _skipped_spans(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        for changed, kind in _mutations(node):
            text = ast.unparse(changed)
            if not isinstance(node, ast.stmt):
                text = f"({text})"
            found.append(Mutant(relative, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset,
                                text, kind))
    return sorted(found, key=lambda m: (m.line, m.col, m.end_line, m.end_col, m.text))


def apply(source: str, mutant: Mutant) -> str:
    """The module's source with the mutant's span replaced (columns are UTF-8 byte offsets)."""
    lines = source.encode("utf-8").splitlines(keepends=True)
    head = b"".join(lines[:mutant.line - 1]) + lines[mutant.line - 1][:mutant.col]
    tail = lines[mutant.end_line - 1][mutant.end_col:] + b"".join(lines[mutant.end_line:])
    return (head + mutant.text.encode("utf-8") + tail).decode("utf-8")


def importers_of(root: Path, module: str) -> list[str]:
    """Test files under tests/ that import `module` (`import m`, `from m import`, `from pkg import m`)."""
    chosen = []
    for test in sorted((root / "tests").glob("test_*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(test.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        if module in names:
            chosen.append(f"tests/{test.name}")
    return chosen


def _imports(path: Path) -> set[str]:
    """Modules a file imports anywhere in it (lazy imports too), as dotted names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def reachers_of(root: Path, module: str) -> list[str]:
    """Test files that reach `module` through the project's imports, directly or not (a wider net
    than `importers_of`, used to re-check survivors)."""
    project = {_module_name(str(p.relative_to(root))): p for pkg in (*PACKAGES, "ui") for p in (root / pkg).rglob("*.py")}
    graph = {name: {n for n in _imports(path) if n in project} for name, path in project.items()}
    chosen = []
    for test in sorted((root / "tests").glob("test_*.py")):
        seen, todo = set(), [n for n in _imports(test) if n in project]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(graph[name] - seen)
        if module in seen:
            chosen.append(f"tests/{test.name}")
    return chosen


def _module_name(relative: str) -> str:
    name = relative[:-3].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def _pytest(root: Path, targets: list[str], deselect: list[str], timeout: float) -> tuple[str, float, str]:
    """Run pytest on `targets`; ('passed'|'failed'|'timeout'|'notests', seconds, output tail)."""
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-m", "not browser", "--hypothesis-seed=0", "-o", "addopts=--doctest-modules -p no:cacheprovider",
               *(f"--deselect={d}" for d in deselect), *targets]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    # A session of its own, so a timeout ends pytest's children (servers, loops) too.
    run = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, start_new_session=True)
    try:
        output, _ = run.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate()
        return "timeout", time.perf_counter() - started, ""
    seconds = time.perf_counter() - started
    outcome = {0: "passed", 5: "notests"}.get(run.returncode, "failed")
    return outcome, seconds, output[-3000:]


def baseline(work: Path, targets: list[str], cache: dict) -> tuple[list[str], float]:
    """Tests failing on the unmutated tree (to deselect) and the passing time, per target file."""
    for target in targets:
        if target in cache:
            continue
        deselect: list[str] = []
        for _ in range(6):
            outcome, seconds, tail = _pytest(work, [target], deselect, timeout=1800)
            failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", tail, re.M)
            if outcome != "failed" or not failed:
                break
            deselect += failed
        print("baseline", target, outcome, round(seconds, 1), deselect, flush=True)
        cache[target] = (deselect, seconds)
    return [d for t in targets for d in cache[t][0]], sum(cache[t][1] for t in targets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True, help="checkout to mutate (copied first)")
    parser.add_argument("--sample", type=int, default=150)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--out", type=Path, required=True, help="one JSON line per mutant")
    parser.add_argument("--only", default="", help="comma-separated sample numbers to run again (e.g. survivors)")
    parser.add_argument("--wide", action="store_true", help="run every test file that reaches the module")
    parser.add_argument("--budget", type=float, default=0.0,
                        help="seconds per mutant; with --wide a run still going then is 'unsettled', not killed")
    parser.add_argument("--list", action="store_true", help="only print the population size per module")
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    modules = sorted(str(p.relative_to(tree)) for pkg in PACKAGES for p in (tree / pkg).rglob("*.py"))
    population = [m for relative in modules for m in mutants_of(tree, relative)]
    if args.list:
        print(len(population), "mutants in", len(modules), "modules")
        return 0
    # Run in the sample's random order: a run cut short is still a random sample.
    sample = random.Random(args.seed).sample(population, min(args.sample, len(population)))
    work = Path(tempfile.mkdtemp(prefix="kg-mutation-"))
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=tree, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    for relative in listed:  # tracked and new files, never build output or caches
        if (tree / relative).is_file():
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(tree / relative, work / relative)
    cache: dict = {}
    counts = {"killed": 0, "survived": 0, "timeout": 0, "notests": 0, "unsettled": 0}
    with args.out.open("w", encoding="utf-8") as out:
        only = {int(n) for n in args.only.split(",") if n}
        for number, mutant in enumerate(sample, 1):
            if only and number not in only:
                continue
            module_file = work / mutant.path
            original = module_file.read_text(encoding="utf-8")
            direct = importers_of(work, _module_name(mutant.path))
            if args.wide:  # only the files the first pass did not run; those named like the module first
                stem = Path(mutant.path).stem
                wider = [t for t in reachers_of(work, _module_name(mutant.path)) if t not in direct]
                targets = sorted(wider, key=lambda t: stem[:4] not in t)
            else:
                targets = direct + [mutant.path]
            deselect, base_seconds = ([], 0.0) if args.budget else baseline(work, targets, cache)
            module_file.write_text(apply(original, mutant), encoding="utf-8")
            try:
                limit = args.budget or max(90.0, 4 * base_seconds)
                outcome, seconds, tail = _pytest(work, targets, deselect, timeout=limit)
                if outcome == "timeout" and args.budget:
                    outcome = "unsettled"
            finally:
                module_file.write_text(original, encoding="utf-8")
            status = {"failed": "killed", "passed": "survived", "timeout": "timeout", "notests": "notests",
                      "unsettled": "unsettled"}[outcome]
            counts[status] += 1
            before = original.encode("utf-8").splitlines()[mutant.line - 1].decode("utf-8", "replace").strip()
            row = {"n": number, "status": status, "path": mutant.path, "line": mutant.line, "kind": mutant.kind,
                   "was": before[:160], "now": mutant.text[:160], "tests": targets, "seconds": round(seconds, 1),
                   "deselected": deselect, "tail": tail[-400:] if status == "killed" else ""}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
            print(number, status, mutant.path, mutant.line, mutant.kind, round(seconds, 1), flush=True)
    scored = counts["killed"] + counts["survived"] + counts["timeout"]
    print(json.dumps({**counts, "population": len(population), "sample": len(sample),
                      "score": round((counts["killed"] + counts["timeout"]) / scored, 3) if scored else None,
                      "score_all": round((counts["killed"] + counts["timeout"]) / len(sample), 3)}))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
