"""One thread for BLAS and OpenMP while models train: many small fits on a shared 2-core machine.

OpenMP's worker threads spin while they wait; when the machine is busy, two of them per fit make
small fits many times slower (k-means on 23,502 customers: 0.3 s on one thread, 6 s on two under
load; a gradient-boosting fit on 1,728 rows: seconds instead of a fraction). threadpoolctl only
limits libraries already loaded, so scikit-learn's compiled modules are imported first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["one_thread"]


@contextmanager
def one_thread() -> Iterator[None]:
    """BLAS and OpenMP limited to one thread inside the block."""
    import sklearn.cluster
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield
