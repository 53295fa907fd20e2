"""Imported once by the fork server that the runner's workers are forked from.

What every worker needs is imported here, once, before any worker exists: papermill,
nbconvert, and nbconvert's templates, compiled by rendering an empty page (done in each
worker, it was paid twice over, on two cores busy starting the kernels' zygote).

papermill imports pyarrow (and with it numpy), 0.2–0.4 CPU-s, only for its HDFS handler,
which a report never uses: hidden while papermill is imported, papermill sets the handler
aside as a missing extra, and pyarrow stays importable for anything that needs it later.
"""

import sys

_HDFS = "pyarrow.fs"

if _HDFS in sys.modules:
    import papermill  # noqa: F401
else:
    sys.modules[_HDFS] = None  # type: ignore[assignment]  # its import fails: ImportError
    try:
        import papermill  # noqa: F401
    finally:
        del sys.modules[_HDFS]

import nbconvert  # noqa: E402, F401
import nbformat  # noqa: E402, F401

from analysis import kernels, reports  # noqa: E402, F401

reports.warm_up()
