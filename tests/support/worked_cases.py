"""Worked cases of docs/maths/classification.md §8 (classes as stated there) shared by the numeric-path tests."""

from exactdln.model.problem import Problem


def d(*v):
    n = len(v)
    return [[v[i] if i == j else 0 for j in range(n)] for i in range(n)]


_Y31 = Problem.create(d(1, 1), d(3, 1))
_Y321 = Problem.create(d(1, 1, 1), d(3, 2, 1))
_TC5 = Problem.create([[1, 0], [1, 2]], d(3, 1))
_TC4 = Problem.create(d(1, 1, 1), [[3, 0, 0], [0, 1, 0]])

# name -> (problem, weights, kind from the table of docs/maths/classification.md §8)
BRIEF_CASES = {
    "TC2a": (_Y31, [d(3, 0), d(1, 0), d(1, 0)], "non_strict_saddle"),
    "TC2b": (_Y31, [d(1, 1), d(3, 0), d(1, 0)], "strict_saddle"),
    "TC2c": (_Y31, [d(0, 0)] * 3, "non_strict_saddle"),
    "TC2d": (_Y31, [d(0, 1)] * 3, "strict_saddle"),
    "TC2e": (_Y31, [d(3, 1), d(1, 1), d(1, 1)], "global_minimizer"),
    "TC3a": (_Y321, [d(1, 1, 0), d("3/2", 0, 0), d(1, 0, 0), d(2, 0, 1)], "non_strict_saddle"),
    "TC3b": (_Y321, [d(1, 1, 0), d("3/2", 0, 0), d(1, 0, 0), d(2, 1, 0)], "strict_saddle"),
    "TC4a": (_Y31, [d(1, 1), d(3, 0), d(1, 0)], "strict_saddle"),
    "TC4b": (_TC4, [[[1, 0, 0], [0, 0, 1]], d(3, 0), d(1, 0)], "non_strict_saddle"),
    "TC5a": (_TC5, [[[3, 0], [0, 0]], d(1, 0), d(1, 0)], "non_strict_saddle"),
    "TC5b": (_TC5, [[[0, 0], ["-1/2", "1/2"]], d(0, 1)], "strict_saddle"),
    "TC6": (_Y31, [d(3, 0), d(1, 0), d(1, 0), d(1, 0)], "non_strict_saddle"),
    # docs/maths/global_optimality.md §4 (T7) on D3: not critical
    "T7": (Problem.create([[0, -1, 1, 1], [0, -1, 1, 0], [1, 2, -1, 1]], [[1, -1, 1, -1], [-1, 0, 1, 1], [0, 2, 0, 1]]),
           [[[1, 0, 0], [0, 1, 0]], d(1, 1), [[1, 0], [0, 1], [0, 0]]], "not_critical"),
}
