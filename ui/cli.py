"""The `kg` command: parse, call one library function, print. Library errors become one line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ingest.workspace import Workspace
from kg.errors import KgError, UnknownConceptError
from kg.models import RELATION_TYPES
from kg.normalize import one_line


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except UnknownConceptError as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return 1
    except KgError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the contract: one clear line, never a traceback
        if os.environ.get("KG_DEBUG"):
            raise
        print(f"kg: internal error: {type(exc).__name__}: {exc} (set KG_DEBUG=1 for details)", file=sys.stderr)
        return 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description="A bilingual knowledge graph of your interview notes.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--notes", help="notes folder (default: $KG_NOTES or ./notes)")
    common.add_argument("--data", help="data folder (default: $KG_DATA or ./.kg)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", parents=[common], help="read the notes and build the index")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("search", parents=[common], help="search concepts and passages")
    p.add_argument("query", nargs="?")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.add_argument("--jsonl", action="store_true", help="read one query per line on stdin, write JSON lines")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("show", parents=[common], help="a concept: definition, aliases, relations, passages")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("export", parents=[common], help="the whole graph as JSON or GraphML")
    p.add_argument("--format", choices=("json", "graphml"), default="json")
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("add", parents=[common], help="add a new note (files, --text, or - for stdin)")
    p.add_argument("files", nargs="*", help="note files to add; - reads stdin")
    p.add_argument("--text", help="the note's text")
    p.add_argument("--title", help="title (and file name) of the new note")
    p.add_argument("--to", help="append to this existing note (path inside the notes folder) instead")
    p.add_argument("--force", action="store_true", help="add even if the same text was added before")
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("ui", parents=[common], help="open the graph explorer (Streamlit) on 127.0.0.1")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.set_defaults(handler=cmd_ui)

    p = sub.add_parser("eval", parents=[common], help="metrics on gold query/relation sets")
    p.add_argument("gold_dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_eval)
    return parser


def _workspace(args) -> Workspace:
    return Workspace.from_settings(args.notes, args.data)


def _warn(ws: Workspace) -> None:
    if ws.last_warning:
        print(f"kg: warning: {ws.last_warning}", file=sys.stderr)


def cmd_build(args) -> int:
    report = _workspace(args).build()
    print(f"files read: {report.files_read} ({report.files_extracted} re-extracted)")
    print(f"files skipped: {len(report.skipped)}")
    for path, reason in report.skipped:
        print(f"  {path}: {reason}")
    print(f"passages: {report.passages}")
    print(f"concepts: {report.concepts}")
    total = sum(report.relations.values())
    by_type = ", ".join(f"{t} {report.relations[t]}" for t in RELATION_TYPES if report.relations[t])
    print(f"relations: {total} ({by_type})")
    print(f"seconds: {report.seconds:.2f}")
    return 0


def cmd_search(args) -> int:
    ws = _workspace(args)
    searcher = ws.searcher()
    _warn(ws)
    if args.jsonl:
        for line in sys.stdin:
            query = line.rstrip("\n")
            print(searcher.search(query, args.k).model_dump_json(), flush=True)
        return 0
    if args.query is None:
        raise KgError("search needs a QUERY (or --jsonl to read queries from stdin)")
    result = searcher.search(args.query, args.k)
    if args.json:
        print(result.model_dump_json(indent=1))
        return 0
    print("concepts:")
    for hit in result.concepts:
        aliases = f"  ({', '.join(hit.aliases[:4])})" if hit.aliases else ""
        print(f"  {hit.score:8.2f}  {hit.name}{aliases}")
    print("passages:")
    for hit in result.passages:
        where = f"{hit.source}:{hit.line}" + (f"  [{' › '.join(hit.heading)}]" if hit.heading else "")
        lines = hit.text.split("\n")
        marked = "\n".join(f"          » {one_line(lines[i], 160)}" for i in hit.matched[:2])
        print(f"  {hit.score:8.2f}  {where}\n            {one_line(hit.text, 160)}" + (f"\n{marked}" if marked else ""))
    return 0


def cmd_show(args) -> int:
    from kg.explore import concept_page, relations_of_concept

    ws = _workspace(args)
    index = ws.load().index
    _warn(ws)
    concept = index.resolve(args.name)
    page = concept_page(index, relations_of_concept(index, concept.id), concept.id)
    relations = {t: [{"direction": "out" if row.outgoing else "in", "other": row.other, "other_name": row.other_name,
                      "weight": row.weight, "evidence": [e.model_dump() for e in row.evidence]} for row in rows]
                 for t, rows in page.groups.items()}
    if args.json:
        print(json.dumps({
            "id": concept.id, "name": concept.name, "aliases": list(concept.aliases),
            "definition": concept.definition, "category": concept.category,
            "relations": relations, "passages": [p.model_dump() for p in page.passages],
        }, ensure_ascii=False, indent=1))
        return 0
    print(concept.name + (f"  ({', '.join(concept.aliases)})" if concept.aliases else ""))
    if concept.definition:
        print(f"  definition: {one_line(concept.definition, 200)}")
    for type_, rows in relations.items():
        print(f"{type_}:")
        for row in rows[:25]:
            arrow = "→" if row["direction"] == "out" else "←"
            ev = row["evidence"][0] if row["evidence"] else None
            cite = f"   “{one_line(ev['text'], 90)}” {ev['source']}:{ev['line']}" if ev else ""
            print(f"  {arrow} {row['other_name']}  (weight {row['weight']:g}){cite}")
    print(f"passages: {len(page.passages)}")
    for p in page.passages[:10]:
        print(f"  {p.source}:{p.line}  {one_line(p.text, 120)}")
    return 0


def cmd_export(args) -> int:
    from kg.graph import export_graphml, export_json

    ws = _workspace(args)
    index = ws.load().index
    _warn(ws)
    if args.format == "graphml":
        target = args.output or sys.stdout.buffer
        export_graphml(index, target)
        return 0
    text = json.dumps(export_json(index), ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


def cmd_add(args) -> int:
    from ingest.append import add_note
    from ingest.read import UndecodableNote, decode

    ws = _workspace(args)
    sources: list[tuple[str | None, str]] = []
    if args.text is not None:
        sources.append((args.title, args.text))
    for name in args.files:
        if name == "-":
            data = sys.stdin.buffer.read()
            title = args.title
        else:
            path = Path(name)
            if not path.is_file():
                raise KgError(f"no such file: {name}")
            data = path.read_bytes()
            title = args.title or path.stem
        try:
            sources.append((title, decode(data)))
        except UndecodableNote as exc:
            raise KgError(f"{name}: {exc}") from None
    if not sources:
        raise KgError("nothing to add: give FILE…, --text TEXT, or - for stdin")
    for title, text in sources:
        result = add_note(ws, text, title=title, force=args.force, to=args.to)
        print(f"added {result.path}")
        if result.concepts_new:
            print(f"  new concepts ({len(result.concepts_new)}): {', '.join(result.concepts_new[:20])}")
        if result.relations_new:
            print(f"  new relations ({len(result.relations_new)}):")
            for row in result.relations_new[:20]:
                print(f"    {row['source']} —{row['type']}→ {row['target']}")
    return 0


def cmd_ui(args) -> int:
    from ui.serve import serve

    return serve(args.notes, args.data, port=args.port, host=args.host)


def cmd_eval(args) -> int:
    from kg.eval import evaluate

    ws = _workspace(args)
    report = evaluate(Path(args.gold_dir), ws.searcher(ws.load()))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    if "concepts" in report:
        c = report["concepts"]
        print(f"concepts  n={c['n']}  top1={c['top1']:.3f}  mrr@10={c['mrr@10']:.3f}")
    if "passages" in report:
        p = report["passages"]
        print(f"passages  n={p['n']}  recall@5={p['recall@5']:.3f}  mrr@10={p['mrr@10']:.3f}  "
              f"median_top5_chars={p['median_top5_chars']:.0f}  navigation_in_top5={p['navigation_in_top5']}")
    if "relations" in report:
        r = report["relations"]
        typed = f"{r['typed_recall']:.3f}" if r["typed_recall"] is not None else "n/a"
        print(f"relations n={r['n']}  recall={r['recall']:.3f}  typed_recall={typed} (typed n={r['typed_n']})")
    for section in ("concepts", "passages", "relations"):
        for miss in report.get(section, {}).get("misses", []):
            print(f"  miss [{section}] {json.dumps(miss, ensure_ascii=False)}")
    return 0


def run() -> None:
    """The `kg` console script: `main`, then `finish`."""
    argv = sys.argv[1:]
    finish(main(argv), argv)


def finish(code: int, argv: list[str]) -> None:
    """Exit without tearing down the interpreter, as mypy's ``--fast-exit`` does.

    Freeing a build's half-million dictionary entries and index objects one by one
    takes 0.1-0.2 s that nobody waits for usefully; by now every file is written,
    closed and unlocked. `kg ui` exits normally (Streamlit has exit handlers).
    """
    if argv[:1] == ["ui"]:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
