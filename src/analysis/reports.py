"""One report: papermill executes a notebook, nbconvert renders it; and the index page.

`execute` is a pure task (see `analysis.runner` for the pool, the cache and Dask). A notebook
that fails is kept with its traceback and its page says so; outputs are normalised (cell ids,
timings, papermill metadata, memory addresses) so the same inputs give the same bytes.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import hashlib
import html
import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis import atomic, i18n, paths
from analysis.errors import AnalysisError

TEMPLATES = Path(__file__).parent / "templates"
KERNEL = "python3"
LANG_TAG = "lang-"  # a markdown cell tagged lang-ar is narrative for Arabic pages only
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


@dataclass(frozen=True)
class Task:
    """One notebook run with one parameter set: a pure task for a process pool or Dask."""

    notebook: Path
    page: str  # file stem of reports/executed/<page>.ipynb and reports/html/<page>.html
    executed: Path
    html: Path
    parameters: dict
    data_version: str
    timeout: int = 600
    root: str = ""  # the project, given to the kernel as $ANALYSIS_ROOT
    kernels: str | None = None  # the zygote's address (see analysis.zygote), None: plain


@dataclass
class Result:
    name: str  # the page
    status: str  # done | failed | cached
    seconds: float
    error: str | None = None
    title: str = ""
    parameters: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)  # file name -> sha256
    reason: str = ""
    inputs: dict = field(default_factory=dict)  # data file read (from the root) -> sha256
    data_version: str = ""  # of the data the report was made from


def notebook_paths(p: paths.Paths, names: list[str] | None = None) -> list[Path]:
    found = sorted(p.notebooks.glob("*.ipynb"))
    if not names:
        return found
    out = []
    for name in names:
        path = Path(name)
        candidates = [path, p.root / path, p.notebooks / path, p.notebooks / f"{name}.ipynb"]
        match = next((c for c in candidates if c.is_file() and c.suffix == ".ipynb"), None)
        if match is None:
            raise AnalysisError(f"{name}: no such notebook (available: "
                                + ", ".join(f.stem for f in found) + ")")
        out.append(match.resolve())
    return out


def notebook_parameters(path: Path) -> dict[str, str]:
    """Name → default (as source text) of each assignment in the cell tagged `parameters`.

    Read with `ast` rather than papermill.inspect_notebook so that a no-change run does not
    pay papermill's import.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell["source"] if isinstance(cell["source"], str) else \
                "".join(cell["source"])
            try:
                tree = ast.parse(source)
            except SyntaxError as exc:
                raise AnalysisError(f"{path.name}: the parameters cell is not valid Python "
                                    f"({exc.msg}, line {exc.lineno})") from None
            out = {}
            for node in tree.body:
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for t in targets:
                        if isinstance(t, ast.Name) and node.value is not None:
                            out[t.id] = ast.get_source_segment(source, node.value) or ""
            return out
    return {}


def effective_parameters(notebooks: list[Path], parameters: dict) -> dict[Path, dict]:
    """Each notebook's parameters: its defaults overridden by `parameters`.

    Raises when a name is not a parameter of every notebook it is passed to.
    """
    out = {}
    taken = {nb: notebook_parameters(nb) for nb in notebooks}
    for nb, known in taken.items():
        unknown = sorted(set(parameters) - set(known))
        if unknown:
            # a name only some of the notebooks take: say which, and how to run just those
            others = [o.stem for o, names in taken.items() if set(unknown) <= set(names)]
            hint = (f"; {'it is' if len(unknown) == 1 else 'they are'} taken by "
                    f"{', '.join(others)}: `analysis run {' '.join(others)} -p …` runs "
                    f"{'that notebook' if len(others) == 1 else 'those'} alone"
                    ) if others else ""
            raise AnalysisError(
                f"{nb.name}: unknown parameter(s) {', '.join(unknown)}; this notebook takes "
                + ", ".join(f"{k} (default {v})" for k, v in known.items()) + hint)
        defaults = {}
        for name, default in known.items():
            try:
                defaults[name] = ast.literal_eval(default)
            except (ValueError, SyntaxError):
                defaults[name] = default
        out[nb] = {**defaults, **parameters}
    return out


def page_lang(parameters: dict) -> str:
    """The language of the page made with `parameters`: its `lang`, English when it has none.

    A `lang` no page is written in (the notebook raises on it) gives an English page, as it
    always did: `<html lang="en">` and the English narrative.
    """
    lang = parameters.get("lang", "en")
    return lang if lang in i18n.LANGS else "en"


def narrative_langs(cell) -> set[str]:
    """The languages a markdown cell is written for (its `lang-xx` tags); empty: every page."""
    if cell.get("cell_type") != "markdown":
        return set()
    return {t[len(LANG_TAG):] for t in cell.get("metadata", {}).get("tags", [])
            if t.startswith(LANG_TAG)}


def for_page(cells: list, lang: str) -> list:
    """The cells a page in `lang` shows: every cell but the markdown written for another language.

    Each narrative markdown cell of a notebook is tagged `lang-en` or `lang-ar` and followed by
    its translation; a markdown cell without a `lang-` tag is on every page, and code cells
    are never dropped (their outputs follow the `lang` parameter).
    """
    return [c for c in cells if not (langs := narrative_langs(c)) or lang in langs]


def title_of(nb, lang: str = "en") -> str:
    """The first level-1 heading of the markdown a page in `lang` shows."""
    for cell in for_page(nb.cells, lang):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def select_language(nb, lang: str) -> None:
    """Keep, in place, only the markdown of a page in `lang` (see `for_page`).

    The executed notebook (reports/executed) is the page's record, so it keeps only the page's
    language, as the HTML does, for three reasons. Nothing run is lost: markdown is not
    executed, and the other language's narrative is in the committed notebook, whose cells
    are part of the run key. The record renders to its page (`render_html`) and reads in
    JupyterLab as the page does, not as English paragraphs between Arabic tables. And cell
    ids, assigned by position in `normalise`, are the same in the record and the page and do
    not move when a translation is added: an English record and page keep the ids (and the
    page its bytes) they had before the notebooks had Arabic cells. The kept cells keep their
    `lang-` tags: they say which markdown is narrative in which language.
    """
    nb.cells = for_page(nb.cells, lang)


def normalise(nb, task: Task) -> None:
    """Strip what changes between runs of the same inputs; keep provenance in metadata."""
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/plain" in data:
                data["text/plain"] = _ADDRESS.sub("", data["text/plain"])
    nb.metadata.pop("papermill", None)
    nb.metadata["title"] = title_of(nb, page_lang(task.parameters)) or task.notebook.stem
    nb.metadata["analysis"] = {
        "notebook": task.notebook.name,
        "parameters": task.parameters,
        "data_version": task.data_version,
    }


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        """nbconvert's HTML exporter less its last step, which parses the whole page with
        BeautifulSoup and writes it out again only to give images a stock alt text and
        output areas a tabindex: 0.17 CPU-s a page, most of rendering one, on a cold run that
        is short of CPU. `render_html` does what is wanted of that step on the text."""

        def from_notebook_node(self, nb, resources=None, **kw):
            # the two filters HTMLExporter.from_notebook_node registers before rendering
            info = nb.metadata.get("language_info", {})
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(
                    pygments_lexer=info.get("pygments_lexer", info.get("name")), parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = PageExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def render_html(nb) -> str:
    """The page: `<html lang>` from the `lang` parameter, and only that language's narrative.

    The markdown written for another language is left out (`for_page`). The kept narrative
    cells lose their `lang-` tags on the way (nbconvert would make each tag a CSS class, and
    English pages would no longer have the bytes they had before the notebooks had Arabic
    cells); a right-to-left one is wrapped in `<div dir="rtl" lang="ar">` by the template
    (templates/offline), the way each Arabic table and caption carries its own `dir`, since
    the page's code and outputs are not all right to left.
    """
    exporter = _exporter()
    lang = page_lang(nb.metadata.get("analysis", {}).get("parameters", {}))
    exporter.language_code = lang  # <html lang="…">
    page = copy.copy(nb)  # the page's cells, the notebook left as it is
    page.cells = [_page_cell(c) for c in for_page(nb.cells, lang)]
    body, _ = exporter.from_notebook_node(page)
    return _named_tables(_focusable_outputs(_with_alt_text(_readable_headings(body), page)))


NO_ALT = "No description has been provided for this image"  # nbconvert's, for an <img>
_PNG_OUTPUT = re.compile(r'<img (?=src="data:image/png;base64,)')  # the lab template's
_NO_ALT = re.compile(r"<img\b(?![^>]*\salt=)")  # any image without an alt
_OUTPUT_AREA = re.compile(r'(<div class="[^"]*\bjp-OutputArea-output\b[^"]*")')


def _with_alt_text(body: str, nb) -> str:
    """Each image output's `alt` from its metadata (`Image(png, metadata={"alt": ...})`):
    nbconvert's lab template writes none. Any other image without one (in an HTML output,
    or when outputs and images do not pair up in order) gets the sentence nbconvert's
    exporter gives it."""
    alts = [out.get("metadata", {}).get("image/png", {}).get("alt")
            for cell in nb.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
    parts = _PNG_OUTPUT.split(body)
    if len(parts) == len(alts) + 1:
        body = parts[0] + "".join(f'<img alt="{html.escape(alt)}" {rest}' if alt else
                                  f"<img {rest}" for alt, rest in zip(alts, parts[1:],
                                                                      strict=True))
    return _NO_ALT.sub(f'<img alt="{NO_ALT}"', body)


_HEADING = re.compile(r"<h([1-6])\b[^>]*>.*?</h\1>", re.S)
_CHARACTER_REFERENCE = re.compile(r"&#(\d+);")


def _readable_headings(body: str) -> str:
    """Headings with their letters, not character references: nbconvert writes a heading
    with its anchor link through ElementTree, which spells every non-ASCII letter as `&#1587;`
    (the same text to a browser, unreadable in the file, and in a search of it). Only
    references to non-ASCII characters: `&#60;` stays what it is."""
    def letters(m: re.Match) -> str:
        code = int(m.group(1))
        return chr(code) if 0x80 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF \
            else m.group(0)

    return _HEADING.sub(lambda m: _CHARACTER_REFERENCE.sub(letters, m.group(0)), body)


def _focusable_outputs(body: str) -> str:
    """Each output area a tab stop, as nbconvert's exporter makes them: one that scrolls
    sideways (a wide table, a chart on a phone) can then be scrolled from the keyboard."""
    return _OUTPUT_AREA.sub(r'\1 tabindex="0"', body)


_HEADING_OR_TABLE = re.compile(r'<h([1-6])\b[^>]*>(.*?)</h\1>|<table class="ledger"', re.S)
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def _named_tables(body: str) -> str:
    """Each table named by the heading it follows (`aria-label`): a screen reader moving from
    table to table heard only "table, 8 columns". The heading's own text, without nbconvert's
    "¶" anchor; a table before any heading keeps no name."""
    out, last, name = [], 0, None
    for m in _HEADING_OR_TABLE.finditer(body):
        if m.group(1):
            text = html.unescape(_TAG.sub("", _ANCHOR.sub("", m.group(2)))).strip()
            name = " ".join(text.split()) or None
            continue
        out.append(body[last:m.end()])
        if name:
            out.append(f' aria-label="{html.escape(name)}"')
        last = m.end()
    out.append(body[last:])
    return "".join(out)


def _page_cell(cell):
    langs = narrative_langs(cell)
    if not langs:
        return cell
    cell = copy.copy(cell)
    cell.metadata = copy.copy(cell.metadata)
    cell.metadata.tags = [t for t in cell.metadata.tags if not t.startswith(LANG_TAG)]
    rtl = [lang for lang in i18n.RTL if lang in langs]
    if rtl:  # the language of right-to-left narrative, read by templates/offline/index.html.j2
        cell.metadata["analysis_rtl"] = rtl[0]
    return cell


def warm_up() -> None:
    """Import nbconvert and compile its templates ahead of the first page (~0.5 s)."""
    import nbformat

    with contextlib.suppress(Exception):
        render_html(nbformat.v4.new_notebook())


def execute(task: Task) -> Result:
    """Execute one notebook with papermill, normalise it, render it; never raises."""
    import nbformat
    import papermill

    from analysis import kernels, zygote

    start = time.monotonic()
    # A worker serves many runs (and Dask many clients): take this run's settings from the
    # task, not from the environment the worker was started with.
    if task.root:
        os.environ["ANALYSIS_ROOT"] = task.root
    if task.kernels:
        os.environ[zygote.ADDRESS] = task.kernels
    else:
        os.environ.pop(zygote.ADDRESS, None)
    running = task.executed.with_name(f".{task.executed.stem}.running.ipynb")
    running.parent.mkdir(parents=True, exist_ok=True)
    log = task.executed.parent.parent / "logs" / f"{task.page}.kernel.log"
    reads = log.with_name(f"{task.page}.reads")  # what the kernel reads, see ledger.note_read
    log.parent.mkdir(parents=True, exist_ok=True)
    reads.unlink(missing_ok=True)
    os.environ[paths.READS] = str(reads)
    status, error = "done", None
    warm = threading.Thread(target=warm_up, daemon=True)
    warm.start()
    # The time limit is for the whole notebook, whatever it does: a hung kernel, a slow loop
    # of quick cells, a cell that ignores interrupts. Past it the kernel is killed.
    managers = kernels.ForkKernelManager.for_one_task()
    timed_out = threading.Event()
    watchdog = threading.Timer(task.timeout, lambda: (timed_out.set(), kernels.kill_all(managers)))
    watchdog.daemon = True
    watchdog.start()
    try:
        with _stderr_to(log):  # the kernel's own chatter goes to its log, not the terminal
            papermill.execute_notebook(
                str(task.notebook), str(running), parameters=task.parameters,
                kernel_name=KERNEL, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, cwd=str(task.notebook.parent),
                kernel_manager_class=managers)
    except papermill.PapermillExecutionError as exc:
        status, error = "failed", f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, was stopped, or could not start
        status, error = "failed", _explain_failure(exc, log)
    finally:
        watchdog.cancel()
    if timed_out.is_set():
        status, error = "failed", (f"TimeoutError: the notebook ran longer than {task.timeout} s "
                                   "and was stopped (raise the limit with --timeout)")
    warm.join()
    inputs = _inputs(task, reads)
    try:
        nb = nbformat.read(str(running), as_version=4) if running.is_file() else \
            nbformat.read(str(task.notebook), as_version=4)
        select_language(nb, page_lang(task.parameters))  # before normalise numbers the cells
        normalise(nb, task)
        nb.metadata["analysis"]["inputs"] = inputs
        nb.metadata["analysis"]["status"] = status
        if error:
            nb.metadata["analysis"]["error"] = error
        executed = nbformat.writes(nb) + "\n"
        if error:  # the page says so first, before papermill's own note and the traceback
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                f"**This report failed and is incomplete.** {html.escape(error)}"))
            nb.cells[0].id = "cell-failed"
        page = render_html(nb)
        reports_dir = task.html.parent.parent
        atomic.replace_set(reports_dir, {
            task.executed.relative_to(reports_dir).as_posix(): executed.encode(),
            task.html.relative_to(reports_dir).as_posix(): page.encode()}, name=task.page)
        title = nb.metadata["title"]
        outputs = {task.executed.name: _sha(executed.encode()),
                   task.html.name: _sha(page.encode())}
    except Exception as exc:
        status, error, title = "failed", f"{type(exc).__name__}: {exc}", task.notebook.stem
        outputs = {}
    finally:
        running.unlink(missing_ok=True)
    return Result(task.page, status, time.monotonic() - start, error, title, task.parameters,
                  outputs, inputs=inputs, data_version=task.data_version)


def _inputs(task: Task, reads: Path) -> dict[str, str | None]:
    """The data files the notebook read, with their sha256 in the manifest it was run with."""
    from analysis import cache
    from analysis.manifest import load_manifest

    try:
        names = sorted(set(reads.read_text(encoding="utf-8").split()))
    except FileNotFoundError:
        return {}
    finally:
        reads.unlink(missing_ok=True)
    p = paths.get(task.root or None)
    return cache.current_inputs(load_manifest(p.root), names,
                                paths.relative(p.processed, p.root), p.root)


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Point file descriptor 2 (inherited by the kernel process) at a log file, then back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("wb") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _explain_failure(exc: Exception, log: Path) -> str:
    name = type(exc).__name__
    text = f"{name}: {exc}"
    if name == "DeadKernelError":
        text = "DeadKernelError: the kernel died (killed, or out of memory) while running"
    ended = _kernel_end(log)  # a kernel that ended badly: its zygote said how, in its log
    return f"{text}; {ended}" if ended else text


def _kernel_end(log: Path, wait: float = 1.0) -> str | None:
    """How a dead warm kernel ended, as its zygote wrote in its log (it may take a moment:
    the zygote writes when it collects the kernel's exit)."""
    from analysis.zygote import ENDED

    deadline = time.monotonic() + wait
    while True:
        with contextlib.suppress(OSError):
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
            ends = [line for line in lines if line.startswith(ENDED)]
            if ends:
                return ends[-1].removeprefix("analysis: ")
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


TITLE = "Reported figures on the transfer of ISIS detainees from north-east Syria to Iraq"
TITLE_AR = "الأرقام المعلنة عن نقل معتقلي تنظيم داعش من شمال شرقي سوريا إلى العراق"


def index_html(results: list[Result], data_version: str) -> str:
    """The landing page: one link per report, its status, the data version and parameters."""
    esc = html.escape
    rows = []
    for r in sorted(results, key=lambda r: r.name):
        status = "FAILED" if r.status == "failed" else "ok"
        detail = f" — {esc(r.error)}" if r.error else ""
        params = ", ".join(f"{k} = {v}" for k, v in sorted(r.parameters.items()))
        if r.data_version and r.data_version != data_version:  # reused: what it read is same
            params += (f" · made from data version {r.data_version}; the files it read are "
                       "unchanged since")
        lang = page_lang(r.parameters)  # the title is in the page's language (title_of)
        marked = f" {i18n.html_lang(lang)}" if lang != "en" else ""
        rows.append(f'<li class="{status.lower()}"><a href="html/{esc(r.name)}.html"{marked}>'
                    f"{esc(r.title or r.name)}</a> <small>({esc(r.name)}, {status}{detail})"
                    f"<br>{esc(params)}</small></li>")
    as_of = ", ".join(sorted({str(r.parameters.get("as_of", "—")) for r in results}))
    # a reader who ran the Arabic pages lands on this page too: its title in Arabic as well
    arabic = any(page_lang(r.parameters) == "ar" for r in results)
    subtitle = f'\n<p class="subtitle" {i18n.html_lang("ar")}>{esc(TITLE_AR)}</p>' \
        if arabic else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(TITLE)}</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto;padding:0 1em;}}
li.failed{{color:#b2182b;}} p.subtitle{{font-size:1.4em;margin-top:-.5em;}}</style>
</head>
<body>
<main>
<h1>{esc(TITLE)}</h1>{subtitle}
<p>Data version <code>{esc(data_version)}</code> · as_of {esc(as_of)} (only reports
published on or before it count)</p>
<ul>
{chr(10).join(rows)}
</ul>
</main>
</body>
</html>
"""
