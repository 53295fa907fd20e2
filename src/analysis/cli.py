"""The `analysis` command: build, check, run. Errors print as plain lines, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from analysis.errors import AnalysisError


def _typed(value: str) -> object:
    """Type a command-line parameter value as papermill's `-p` does."""
    from papermill.cli import _resolve_type

    return _resolve_type(value)


def _parameter_sets(args: argparse.Namespace) -> list[dict]:
    """A YAML file gives one set (a mapping) or several (a list of mappings); -p overrides."""
    sets: list[dict] = [{}]
    if args.params_file and len(args.params_file) > 1:  # argparse would keep the last
        raise AnalysisError(f"-f is given {len(args.params_file)} times "
                            f"({', '.join(args.params_file)}): give one file; a list of sets "
                            "in it renders them side by side")
    if args.params_file:
        import yaml

        path = Path(args.params_file[0])
        try:
            loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_unique_keys_loader())
        except FileNotFoundError:
            raise AnalysisError(f"{path}: no such parameters file") from None
        except yaml.MarkedYAMLError as exc:  # one line: where, and what the parser says
            raise AnalysisError(_yaml_problem(path, exc)) from None
        except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a value
            raise AnalysisError(f"{path}: not valid YAML ({exc})") from None  # PyYAML can't make
        if loaded is None:  # an empty file (or only comments): a slip, not "no parameters"
            raise AnalysisError(f"{path}: has no parameters: expected a mapping of parameter "
                                "names to values, or a list of such mappings")
        items = loaded if isinstance(loaded, list) else [loaded]
        if not items or not all(isinstance(i, dict) for i in items):
            raise AnalysisError(f"{path}: expected a mapping of parameter names to values, "
                                "or a list of such mappings (one per set of reports)")
        sets = [{str(k): v for k, v in item.items()} for item in items]
    given: dict[str, object] = {}
    for name, value in args.parameter or []:
        if name in given:  # argparse would keep the last: say which one the user meant
            raise AnalysisError(f"-p {name} is given twice ({given[name]!r}, then "
                                f"{_typed(value)!r}): give it once; for pages side by side, "
                                "a parameters file with a list of sets (-f)")
        given[name] = _typed(value)
    return [{**s, **given} for s in sets]


def _unique_keys_loader() -> type:
    """PyYAML's safe loader, refusing a key given twice in one mapping (it would keep the
    last silently): the error names the line of the second."""
    import yaml
    from yaml.constructor import ConstructorError

    class UniqueKeys(yaml.SafeLoader):
        """Dates stay text (YYYY-MM-DD, as notebooks take them): 2026-02-30 is then refused
        by the parameter check, naming the parameter, not by the YAML reader."""

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise ConstructorError(None, None, f"{key!r} is given twice in one set",
                                           key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    UniqueKeys.add_constructor("tag:yaml.org,2002:timestamp",
                               lambda loader, node: loader.construct_scalar(node))
    return UniqueKeys


def _yaml_problem(path: Path, exc: Exception) -> str:  # a yaml.MarkedYAMLError
    """`file:line:column: not valid YAML (problem; context)`: the context names where an
    unclosed bracket or quote began, which the problem's own place (often the file's end)
    does not."""
    def at(mark) -> str:
        return f"{mark.line + 1}:{mark.column + 1}"

    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "unreadable"
    if exc.context and exc.context_mark and exc.problem:
        what += f"; {exc.context} that began at {at(exc.context_mark)}"
    return f"{path}{':' + at(mark) if mark else ''}: not valid YAML ({what})"


def _positive(text: str) -> int:
    """A whole number above zero, for --jobs and --timeout (argparse words the error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not above zero")
    return value


def cmd_build(args: argparse.Namespace) -> int:
    from analysis import build

    manifest = build.build(args.root, args.out)
    print(f"built data/processed (data version {manifest['data_version']}, "
          f"{len(manifest['outputs'])} files)")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from analysis import build, paths, provenance

    p = paths.get(args.root)
    raw = build.validate(p)  # what a build checks, nothing written
    grounded = raw.figures["quote_start"].notna().sum()
    print(f"ok: {len(raw.figures)} figures, {len(raw.sources)} sources, "
          f"{len(raw.places)} places, {len(raw.measures)} measures; {grounded} figures "
          "grounded in their stored texts (quote at its offsets, same value and hedge)")
    cover = provenance.coverage(raw.figures, raw.texts, raw.uncoded)
    counts = cover["status"].value_counts()
    print(f"coverage: {len(cover)} quantities in {len(raw.texts)} stored text(s): "
          f"{counts.get('explained', 0)} explained by figures, "
          f"{counts.get('not in ledger', 0)} left out with a reason, "
          f"{counts.get('unexplained', 0)} unexplained")
    for r in cover[cover["status"] == "unexplained"].itertuples():
        print(f"warning: {r.source_id}:{r.start}-{r.end}: {r.phrase!r} is in no figure and "
              "has no reason in data/raw/uncoded.csv", file=sys.stderr)  # as run's warnings
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from analysis import runner

    results = runner.run(_parameter_sets(args), root=args.root, names=args.notebooks or None,
                         jobs=args.jobs, timeout=args.timeout, force=args.force,
                         explain=args.explain, scheduler=args.scheduler,
                         dry_run=args.dry_run,  # reports on stdout, as build and check do
                         log=lambda line: print(line, flush=True),
                         warn=lambda line: print(line, file=sys.stderr, flush=True))
    return 1 if any(r.status == "failed" for r in results) else 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="analysis", description=__doc__)
    ap.add_argument("--root", help="project root (default: the checkout, or $ANALYSIS_ROOT)")
    ap.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="validate data/raw and write data/processed")
    b.add_argument("--out", help="write the processed files here instead of data/processed")
    b.set_defaults(func=cmd_build)
    c = sub.add_parser("check", help="validate data/raw, including quotes at their offsets")
    c.set_defaults(func=cmd_check)
    r = sub.add_parser("run", help="execute the notebooks and render the HTML reports")
    r.add_argument("notebooks", nargs="*", help="notebook names or paths (default: all)")
    r.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="a notebook parameter, typed as papermill types it (repeatable)")
    r.add_argument("-f", "--params-file", action="append", help="YAML file: a mapping of "
                   "parameters, or a list of mappings to render several sets side by side")
    r.add_argument("-j", "--jobs", type=_positive, default=None, help="parallel notebooks "
                   "(default: number of cores)")
    r.add_argument("--timeout", type=_positive, default=600, help="seconds a notebook may run "
                   "before its kernel is killed and it is marked failed (default 600)")
    r.add_argument("--force", action="store_true", help="run every notebook, cached or not")
    r.add_argument("--explain", action="store_true", help="show each cache key and why a "
                   "notebook runs")
    r.add_argument("-n", "--dry-run", action="store_true", help="only show what would run "
                   "and why (each cache key), running and writing nothing")
    r.add_argument("--scheduler", help="address of an existing Dask distributed scheduler to "
                   "run the notebooks on (instead of the local process pool)")
    r.set_defaults(func=cmd_run)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except AnalysisError as exc:
        if args.debug:
            raise
        for line in exc.lines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped reading (`analysis check | head -1`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 1
    except OSError as exc:  # a file we cannot read or write: say which, not a traceback
        if args.debug:
            raise
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if args.debug:
            raise
        print(f"error: internal error ({type(exc).__name__}: {exc}); run again with --debug "
              "for the traceback, and report it", file=sys.stderr)
        return 2
