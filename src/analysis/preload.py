"""Imported once by the fork server that the runner's workers are forked from.

What every worker needs is imported here, once, before any worker exists: papermill,
nbconvert, and nbconvert's templates, compiled by rendering an empty page (done in each
worker, it was paid twice over, on two cores busy starting the kernels' zygote); and what
looking up the kernel's spec imports (ipykernel's spec module, with IPython's paths: 0.05 s
in each worker between taking its first notebook and asking for the kernel).

Two optional extras are hidden while they are imported (`analysis.zygote.hidden`), and stay
importable for anything that needs them later:
- pyarrow (and with it numpy), 0.2–0.4 CPU-s, which papermill imports only for its HDFS
  handler: papermill sets the handler aside as a missing extra;
- soupsieve (0.02–0.08 CPU-s), BeautifulSoup's CSS selectors, which nbconvert imports with
  bs4 but never uses (it finds tags by name; our pages skip its BeautifulSoup pass
  altogether). bs4 then says, once, that selectors are unavailable: not shown.
"""

import contextlib
import warnings

from jupyter_client.kernelspec import KernelSpecManager

from analysis.zygote import hidden

_EXTRAS = ("pyarrow.fs", "soupsieve")

with hidden(*_EXTRAS), warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="The soupsieve package is not installed")
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

import nbformat  # noqa: E402, F401

from analysis import kernels, reports  # noqa: E402, F401

reports.warm_up()
with contextlib.suppress(Exception):  # no such kernel: the worker will say so
    KernelSpecManager().get_kernel_spec(reports.KERNEL)
