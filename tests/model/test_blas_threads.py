"""exactdln/model/blas_threads.py: inside the block every loaded OpenBLAS reports one thread, after it the previous
counts (read back through OpenBLAS's own getters); results of numpy's linear algebra do not depend on it."""

from __future__ import annotations

import numpy as np
import scipy.linalg  # noqa: F401  (its own OpenBLAS is loaded too)

from exactdln.model import blas_threads
from exactdln.model.blas_threads import single_blas_thread


def test_one_thread_inside_and_the_counts_restored_after() -> None:
    with single_blas_thread():
        pass
    controls = blas_threads._controls or []
    before = [getter() for getter, _ in controls]
    with single_blas_thread():
        assert all(getter() == 1 for getter, _ in controls)
        with single_blas_thread():                       # re-entrant
            assert all(getter() == 1 for getter, _ in controls)
        assert all(getter() == 1 for getter, _ in controls)
    assert [getter() for getter, _ in controls] == before


def test_the_same_eigenvalues_on_one_thread() -> None:
    # a symmetric matrix with known eigenvalues 1..n: Q diag(1..n) Q^T for an orthogonal Q
    n = 60
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((n, n)))
    matrix = (q * np.arange(1, n + 1)) @ q.T
    with single_blas_thread():
        values = np.linalg.eigvalsh(matrix)
    assert np.allclose(values, np.arange(1, n + 1), atol=1e-9)
