"""The parse stage: each file's text to what its format parses into, cached and in parallel.

``parse_file`` is the only place a file is parsed: Terraform and tfvars files become syntax
items (a module is evaluated later, as a whole), YAML and Dockerfiles become Resources. A file
never raises out of here: a syntax error or a parser bug becomes a located diagnostic for that
file. ``parse_all`` serves unchanged files from the :class:`~iaclint.cache.ParseCache` and
spreads the rest over worker processes when there is enough work to pay for them; results are
keyed by path, so the output of a parallel run is identical to a serial one.
"""

from __future__ import annotations

import contextlib
import gc

from .model import Diagnostic, ParseError, Resource, Span, raised_at

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Callable

# Below this much text to parse, starting workers costs more than it saves (measured: a worker
# pool starts in ~40 ms by fork; lark parses ~0.3 MB/s, the native parser several times that).
PARALLEL_MIN_BYTES = 512 * 1024


def parse_file(kind: str, text: str, path: str) -> tuple[object, list[Diagnostic]]:
    """(items or resources or None, diagnostics) for one file's text."""
    try:
        if kind in ("terraform", "tfvars"):
            from .parsers.terraform import parse_items
            return parse_items(text, path), []
        if kind == "dockerfile":
            from .parsers import dockerfile
            return dockerfile.parse(text, path)
        if kind == "kubernetes":
            from .parsers import kubernetes
            if kubernetes.is_helm_template(text, path):
                return [], [Diagnostic("note", "Helm chart template skipped (render it with `helm template` "
                                       "and scan the output)", path, None, "helm-template")]
            return kubernetes.parse(text, path)
        return None, []
    except RecursionError:
        return None, [Diagnostic("error", "nested too deeply to parse", path, Span.point(1), "parse-error")]
    except ParseError as exc:
        return None, [Diagnostic("error", exc.message, path, Span.point(exc.line, exc.column), "parse-error")]
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the scan
        at = f" at {where}" if (where := raised_at(exc)) else ""
        return None, [Diagnostic("error", f"internal error while parsing: {type(exc).__name__}: {exc}{at}",
                                 path, Span.point(1), "internal-error")]


def well_formed(kind: str, value) -> bool:
    """Whether ``value`` has the shape :func:`parse_file` returns for ``kind`` (what the engine
    unpacks): a cache entry is checked before it is used."""
    if not (isinstance(value, tuple) and len(value) == 2):
        return False
    payload, diagnostics = value
    if not (isinstance(diagnostics, list) and all(isinstance(d, Diagnostic) for d in diagnostics)):
        return False
    if payload is None:
        return True
    if kind in ("terraform", "tfvars"):
        from .parsers.hcl import Attribute, Block
        items = (Attribute, Block)
    else:
        items = Resource
    return isinstance(payload, list) and all(isinstance(item, items) for item in payload)


def _parse_batch(batch: list[tuple[str, str, str]]) -> list[tuple[str, object, list[Diagnostic]]]:
    with paused_collector():  # parsed trees hold no cycles: nothing for it to find
        return [(path, *parse_file(kind, text, path)) for path, kind, text in batch]


def parse_all(files: dict[str, tuple[str, str]], cache=None, jobs: int = 1,
              progress: Callable[[int, int], None] | None = None) -> dict[str, tuple[object, list[Diagnostic]]]:
    """Parse ``{path: (kind, text)}``; returns ``{path: (payload, diagnostics)}``."""
    out: dict[str, tuple[object, list[Diagnostic]]] = {}
    todo: list[tuple[str, str, str]] = []
    keys: dict[str, str] = {}
    for path in sorted(files):
        kind, text = files[path]
        if cache is not None:
            keys[path] = key = cache.key(kind, path, text)
            hit = cache.get_valid(key, lambda value, kind=kind: well_formed(kind, value))
            if hit is not cache.MISSING:
                out[path] = hit
                continue
        todo.append((path, kind, text))
    total, done = len(files), len(out)
    if progress:
        progress(done, total)
    size = sum(len(t) for _, _, t in todo)
    results: list = []
    if jobs > 1 and len(todo) > 1 and size >= PARALLEL_MIN_BYTES:
        try:
            with paused_collector():  # the workers' trees are unpickled here: no cycles either
                results = _parallel(todo, jobs, size, lambda n: progress(done + n, total) if progress else None)
        except (OSError, RuntimeError, ImportError):  # no processes here (a sandbox): parse serially
            results = []
    if len(results) != len(todo):
        results = []
        for item in todo:
            results.extend(_parse_batch([item]))
            if progress:
                progress(done + len(results), total)
    for path, payload, diags in results:
        out[path] = (payload, diags)
        if cache is not None:
            cache.put(keys[path], (payload, diags))
    if cache is not None:
        cache.prune()
    return out


def _parallel(todo, jobs: int, size: int, progress) -> list:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    # Batches of about equal text, largest files first, a few per worker so that one slow file
    # does not leave the other workers idle.
    batches: list[list] = []
    target = max(size // (jobs * 4), 1)
    current: list = []
    current_size = 0
    for item in sorted(todo, key=lambda i: -len(i[2])):
        current.append(item)
        current_size += len(item[2])
        if current_size >= target:
            batches.append(current)
            current, current_size = [], 0
    if current:
        batches.append(current)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    results: list = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(batches)), mp_context=context) as pool:
        futures = [pool.submit(_parse_batch, b) for b in batches]
        for future in as_completed(futures):
            results.extend(future.result())
            progress(len(results))
    return results


@contextlib.contextmanager
def paused_collector():
    """Python's cycle collector off for a stretch of work that allocates a lot and frees little.

    Parsing, evaluation and the policies allocate many small objects that live until the scan
    ends (or die by reference counting); each automatic collection would walk every syntax tree
    and value of the scan to find no garbage (measured: a quarter of evaluation's time on
    terraform-aws-eks, 7% of parsing's).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
