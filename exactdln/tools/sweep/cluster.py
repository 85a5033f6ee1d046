"""A dask.distributed executor for sweeps (the ``sweep`` extra): a LocalCluster started and stopped here, or
a running scheduler at an address. dask is imported only inside these functions."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

__all__ = ["MissingExtra", "dask_executor"]


class MissingExtra(ImportError):
    """dask.distributed is not installed: ``pip install 'exactdln[sweep]'``."""


@contextmanager
def dask_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[object]:
    """A concurrent.futures executor on a dask.distributed Client (``Client.get_executor(pure=False)``: every
    chunk runs, none is deduplicated by hash). Without ``scheduler``, a LocalCluster of ``workers`` processes
    with one thread each (FLINT and the interpreter lock make threads useless here) is started and, on exit,
    closed; with ``scheduler`` (``tcp://HOST:PORT``) the running cluster is used and left running."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise MissingExtra("--executor dask needs dask.distributed: pip install 'exactdln[sweep]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
