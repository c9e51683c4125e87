"""The `kg` command: parse, call one library function, print. Library errors become one line.

Exit codes: 0 done, 1 a user error (a `KgError`: unknown name, missing folder, bad
note), 2 a usage error (bad or missing option), 3 an internal error (a bug: set
`KG_DEBUG=1` for the traceback). Everything is printed through `ui.terminal`, so
what a note contributes (names, paths, text) cannot rewrite the terminal.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from kg import __version__
from kg.errors import KgError, NoteRejectedError, QueryTooLongError
from kg.models import RELATION_TYPES
from kg.normalize import one_line
from kg.notes import UnreadableNote, decode, find_notes, read_note, read_stream
from kg.workspace import Workspace
from ui import cli_study
from ui.terminal import dumps, escape_json, say
from ui.workspace import open_workspace

EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, exit 2."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if hasattr(args, "check"):
        args.check(args)
    try:
        return args.handler(args) or 0
    except KgError as exc:
        say(f"kg: error: {exc}", err=True)
        return EXIT_USER
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the contract: one clear line, never a traceback
        if os.environ.get("KG_DEBUG"):
            raise
        say(f"kg: internal error: {type(exc).__name__}: {exc} (set KG_DEBUG=1 for details)", err=True)
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    """The `kg` parser; each command is added by its own `_add_<command>` (a new module adds its
    commands the same way, given `sub` and `common`)."""
    parser = _Parser(prog="kg", description="A bilingual knowledge graph of your interview notes.",
                     epilog="exit codes: 0 done, 1 user error, 2 usage error, 3 internal error")
    parser.add_argument("--version", action="version", version=f"kg {__version__}", help="print the version and exit")
    common = _Parser(add_help=False)
    common.add_argument("--notes", help="notes folder (default: $KG_NOTES or ./notes)")
    common.add_argument("--data", help="data folder (default: $KG_DATA or ./.kg)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in (_add_build, _add_search, _add_show, _add_export, _add_add, _add_ui, _add_eval, cli_study.register):
        add(sub, common)
    return parser


def _add_build(sub, common) -> None:
    p = sub.add_parser("build", parents=[common], help="read the notes and build the index")
    p.set_defaults(handler=cmd_build)


def _add_search(sub, common) -> None:
    p = sub.add_parser("search", parents=[common], help="search concepts and passages")
    p.add_argument("query", nargs="?", help="what to look for, in Chinese or English")
    p.add_argument("-k", type=_positive, default=10, help="hits to show of each kind (default: 10)")
    p.add_argument("--json", action="store_true", help="write the result as JSON")
    p.add_argument("--jsonl", action="store_true", help="read one query per line on stdin, write JSON lines")
    p.set_defaults(handler=cmd_search, check=functools.partial(_check_search, p))


def _add_show(sub, common) -> None:
    p = sub.add_parser("show", parents=[common], help="a concept: definition, aliases, relations, passages")
    p.add_argument("name", help="the concept's name, an alias, or a near spelling")
    p.add_argument("--json", action="store_true", help="write the concept as JSON")
    p.set_defaults(handler=cmd_show)


def _add_export(sub, common) -> None:
    p = sub.add_parser("export", parents=[common], help="the whole graph as JSON or GraphML")
    p.add_argument("--format", choices=("json", "graphml", *cli_study.EXPORTS), default="json",
                   help="output format (default: json); anki: a deck, obsidian: a folder of notes")
    p.add_argument("-o", "--output", help="file to write (default: stdout); its folder must exist")
    p.set_defaults(handler=cmd_export)


def _add_add(sub, common) -> None:
    p = sub.add_parser("add", parents=[common], help="add a new note (files, a folder of them, --text, or - for stdin)")
    p.add_argument("files", nargs="*", help="note files or folders of notes to add; - reads stdin")
    p.add_argument("--text", help="the note's text")
    p.add_argument("--title", help="title (and file name) of the new note")
    p.add_argument("--to", help="append to this existing note (path inside the notes folder) instead")
    p.add_argument("--force", action="store_true", help="add even if the same text was added before")
    p.set_defaults(handler=cmd_add)


def _add_ui(sub, common) -> None:
    p = sub.add_parser("ui", parents=[common], help="open the graph explorer (Streamlit) on 127.0.0.1")
    p.add_argument("--port", type=_port, default=8501, help="port to listen on, 1-65535 (default: 8501)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1); any other requires the printed token")
    p.set_defaults(handler=cmd_ui)


def _add_eval(sub, common) -> None:
    p = sub.add_parser("eval", parents=[common], help="metrics on gold query/relation sets")
    p.add_argument("gold_dir", help="folder of gold query and relation files")
    p.add_argument("--json", action="store_true", help="write the report as JSON")
    p.set_defaults(handler=cmd_eval)


def _port(text: str) -> int:
    """A TCP port number, checked when the options are read (before any build).

    Examples
    --------
    >>> _port("8501")
    8501
    >>> _port("99999")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: 99999 is not a port number (1-65535)
    """
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port number (1-65535)")
    return port


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def _check_search(parser, args) -> None:
    if args.jsonl and args.query is not None:
        parser.error("give a QUERY or --jsonl (queries on stdin), not both")
    if not args.jsonl and (args.query is None or not args.query.strip()):
        parser.error("search needs a non-empty QUERY (or --jsonl to read queries from stdin)")


def _workspace(args) -> Workspace:
    return open_workspace(args.notes, args.data)


def _warn(ws: Workspace) -> None:
    if ws.last_warning:
        say(f"kg: warning: {ws.last_warning}", err=True)


def cmd_build(args) -> int:
    report = _workspace(args).build()
    say(f"files read: {report.files_read} ({report.files_extracted} re-extracted)")
    say(f"files skipped: {len(report.skipped)}")
    for path, reason in report.skipped:
        say(f"  {path}: {reason}")
    say(f"passages: {report.passages}")
    say(f"concepts: {report.concepts}")
    total = sum(report.relations.values())
    by_type = ", ".join(f"{t} {report.relations[t]}" for t in RELATION_TYPES if report.relations[t])
    say(f"relations: {total} ({by_type})")
    say(f"seconds: {report.seconds:.2f}")
    return 0


def cmd_search(args) -> int:
    ws = _workspace(args)
    searcher = ws.searcher()
    _warn(ws)
    if args.jsonl:
        return _search_lines(searcher, sys.stdin.buffer, args.k)
    result = searcher.search(args.query, args.k)
    if args.json:
        print(escape_json(result.model_dump_json(indent=1)))
        return 0
    say("concepts:")
    for hit in result.concepts:
        aliases = f"  ({', '.join(hit.aliases[:4])})" if hit.aliases else ""
        say(f"  {hit.score:8.2f}  {hit.name}{aliases}")
    say("passages:")
    for hit in result.passages:
        where = f"{hit.source}:{hit.line}" + (f"  [{' › '.join(hit.heading)}]" if hit.heading else "")
        lines = hit.text.split("\n")
        marked = "\n".join(f"          » {one_line(lines[i], 160)}" for i in hit.matched[:2])
        say(f"  {hit.score:8.2f}  {where}\n            {one_line(hit.text, 160)}" + (f"\n{marked}" if marked else ""))
    return 0


def _search_lines(searcher, stream, k: int) -> int:
    """One JSON line per input line; a line that is not UTF-8 or too long gets an error row (and a
    line on stderr) and the stream goes on. Exit 1 if any line was bad."""
    bad = 0
    for number, raw in enumerate(stream, 1):
        try:
            query = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
            row = escape_json(searcher.search(query, k).model_dump_json())
        except (UnicodeDecodeError, QueryTooLongError) as exc:
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
            row, bad = dumps({"line": number, "error": reason}), bad + 1
            say(f"kg: error: line {number} of stdin: {reason}", err=True)
        print(row, flush=True)
    return EXIT_USER if bad else 0


def cmd_show(args) -> int:
    from kg.explore import concept_page, relations_of_concept

    ws = _workspace(args)
    index = ws.load().index
    _warn(ws)
    concept = index.resolve(args.name)
    if args.name not in index.concepts and index.lexicon.lookup(args.name) is None:
        say(f"kg: no concept is named {args.name!r}; showing the nearest, {concept.name}", err=True)
    page = concept_page(index, relations_of_concept(index, concept.id), concept.id)
    relations = {t: [{"direction": "out" if row.outgoing else "in", "other": row.other, "other_name": row.other_name,
                      "weight": row.weight, "evidence": [e.model_dump() for e in row.evidence]} for row in rows]
                 for t, rows in page.groups.items()}
    if args.json:
        print(dumps({
            "id": concept.id, "name": concept.name, "aliases": list(concept.aliases),
            "definition": concept.definition, "notes": list(concept.notes), "category": concept.category,
            "relations": relations, "passages": [p.model_dump() for p in page.passages],
        }))
        return 0
    say(concept.name + (f"  ({', '.join(concept.aliases)})" if concept.aliases else ""))
    if concept.definition:
        say(f"  definition: {one_line(concept.definition, 200)}")
    for note in concept.notes:
        say(f"  your notes say: {one_line(note, 200)}")
    for type_, rows in relations.items():
        say(f"{type_}:")
        for row in rows[:25]:
            arrow = "→" if row["direction"] == "out" else "←"
            ev = row["evidence"][0] if row["evidence"] else None
            cite = f"   “{one_line(ev['text'], 90)}” {ev['source']}:{ev['line']}" if ev else ""
            say(f"  {arrow} {row['other_name']}  (weight {row['weight']:g}){cite}")
    say(f"passages: {len(page.passages)}")
    for p in page.passages[:10]:
        say(f"  {p.source}:{p.line}  {one_line(p.text, 120)}")
    return 0


def cmd_export(args) -> int:
    from kg.graph import export_graphml, export_json

    if args.format in cli_study.EXPORTS:
        return cli_study.export_study(_workspace(args), args.format, args.output)
    output = _output_path(args.output) if args.output else None
    ws = _workspace(args)
    index = ws.load().index
    _warn(ws)
    if args.format == "graphml":
        export_graphml(index, output or sys.stdout.buffer)
        return 0
    text = dumps(export_json(index))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


def _output_path(name: str) -> Path:
    """The file `-o` names, checked before any work: its folder exists and it is not a folder."""
    path = Path(name)
    if path.is_dir():
        raise KgError(f"cannot write {name}: it is a folder")
    if not path.parent.is_dir():
        raise KgError(f"cannot write {name}: folder {path.parent} does not exist")
    return path


def cmd_add(args) -> int:
    """Add each note; with several, one refused (a duplicate, say) is reported and the rest still added."""
    from ingest.append import add_note

    ws = _workspace(args)
    sources = _sources(args, ws)
    refused = 0
    for name, title, text in sources:
        try:
            result = add_note(ws, text, title=title, force=args.force, to=args.to)
        except NoteRejectedError as exc:
            if len(sources) == 1:
                raise
            say(f"kg: error: {name}: {exc}", err=True)
            refused += 1
            continue
        say(f"added {result.path}")
        if result.concepts_new:
            say(f"  new concepts ({len(result.concepts_new)}): {', '.join(result.concepts_new[:20])}")
        if result.relations_new:
            say(f"  new relations ({len(result.relations_new)}):")
            for row in result.relations_new[:20]:
                say(f"    {row['source']} —{row['type']}→ {row['target']}")
    return EXIT_USER if refused else 0


def _sources(args, ws: Workspace) -> list[tuple[str, str | None, str]]:
    """(name, title, text) of every note to add, all read (within the size limit) before any is added."""
    sources: list[tuple[str, str | None, str]] = []
    if args.text is not None:
        sources.append(("--text", args.title, args.text))
    for name in args.files:
        path = Path(name)
        if name != "-" and path.is_dir():
            if args.to is not None or args.title is not None:
                raise KgError(f"{name}: a folder's notes keep their own names (no --to or --title with a folder)")
            files = _folder_notes(path, ws)
        elif name == "-" or path.exists():
            files = {name: path}
        else:
            raise KgError(f"no such file: {name}")
        for shown_name, file in files.items():
            try:
                text = decode(read_stream(sys.stdin.buffer) if name == "-" else read_note(file))
            except UnreadableNote as exc:
                raise KgError(f"{shown_name}: {exc}") from None
            sources.append((shown_name, args.title or (None if name == "-" else Path(shown_name).stem), text))
    if not sources:
        raise KgError("nothing to add: give FILE…, a folder, --text TEXT, or - for stdin")
    return sources


def _folder_notes(folder: Path, ws: Workspace) -> dict[str, Path]:
    """The notes inside `folder` (its sub-folders too), by the name to report; never the notes folder's own."""
    if folder.resolve().is_relative_to(ws.notes_dir.resolve()):
        raise KgError(f"{folder} is inside the notes folder: its notes are indexed by `kg build`, not added again")
    files, skipped = find_notes(folder)
    for name, reason in skipped:
        say(f"kg: skipped {name}: {reason}", err=True)
    if not files:
        raise KgError(f"{folder}: no notes (.md, .markdown, .txt) in this folder")
    return {f"{folder}/{name}": path for name, path in files.items()}


def cmd_ui(args) -> int:
    from ui.serve import serve

    return serve(args.notes, args.data, port=args.port, host=args.host)


def cmd_eval(args) -> int:
    from kg.eval import evaluate

    ws = _workspace(args)
    report = evaluate(Path(args.gold_dir), ws.searcher(ws.load()))
    if args.json:
        print(dumps(report))
        return 0
    if "concepts" in report:
        c = report["concepts"]
        say(f"concepts  n={c['n']}  top1={c['top1']:.3f}  mrr@10={c['mrr@10']:.3f}")
    if "passages" in report:
        p = report["passages"]
        say(f"passages  n={p['n']}  recall@5={p['recall@5']:.3f}  mrr@10={p['mrr@10']:.3f}  "
            f"median_top5_chars={p['median_top5_chars']:.0f}  navigation_in_top5={p['navigation_in_top5']}")
    if "relations" in report:
        r = report["relations"]
        typed = f"{r['typed_recall']:.3f}" if r["typed_recall"] is not None else "n/a"
        say(f"relations n={r['n']}  recall={r['recall']:.3f}  typed_recall={typed} (typed n={r['typed_n']})")
    for section in ("concepts", "passages", "relations"):
        for miss in report.get(section, {}).get("misses", []):
            say(f"  miss [{section}] {dumps(miss)}")
    return 0


def run() -> None:
    """The `kg` console script: `main`, then `finish`."""
    argv = sys.argv[1:]
    for stream in (sys.stdout, sys.stderr):  # UTF-8 whatever the locale; never a crash on an odd character
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
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
