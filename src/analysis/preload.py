"""Imported once by the fork server that the runner's workers are forked from.

Compiling nbconvert's templates costs ~0.5 CPU-s. Done here it is done once, before any
worker exists, and every worker inherits the compiled exporter; done in each worker it was
paid twice over, on two cores busy starting the kernels' zygote.
"""

from analysis import reports

reports.warm_up()
