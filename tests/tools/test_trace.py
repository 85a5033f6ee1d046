"""exactdln/tools/trace.py: the plateau rule on synthetic curves, the trajectory readers and writer, the batched
float loss, the exact forms of critical values, and the staircase of a real gradient-descent run.

Expected values come from elsewhere: the synthetic curves are built with their plateaus where the test puts
them; the loss and gradient of a random point are recomputed by finite differences of the plain formula
1/2 ||W_H...W_1 X - Y||_F^2; minimal polynomials are worked by hand (phi = (1 + sqrt 5)/2: phi^2 = phi + 1,
(2 phi - 1)^2 = 5; (2^(1/3))^2 is a root of x^3 - 4); and the staircase's critical values come from the
theorem L = (||Y||_F^2 - sum_{i in S} lambda_i(Sigma)) / 2 (docs/maths/classification.md §2.1, §2.4),
with the eigenvalues of Sigma = Y X^T (X X^T)^-1 X Y^T from numpy's eigvalsh, not from the code under test.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from exactdln.model.problem import InputError, Problem
from exactdln.tools.trace import (
    PlateauRule,
    Trajectory,
    exact_value,
    find_plateaus,
    load_trajectory,
    run_losses,
    save_trajectory,
    trace,
)


# ------------------------------------------------------------------------------------------------ the rule

def _staircase(levels, drops, steps=10_000, width=40.0):
    """A loss that sits at levels[0], drops smoothly (a tanh of ``width`` steps) at each of ``drops`` to the
    next level; its gradient norm is large only during the drops (the derivative of the loss)."""
    s = np.arange(steps + 1, dtype=float)
    loss = np.full_like(s, levels[0])
    for a, b, at in zip(levels, levels[1:], drops):
        loss += (b - a) * 0.5 * (1 + np.tanh((s - at) / width))
    grad = np.abs(np.gradient(loss)) + 1e-9
    return s, loss, grad


def test_a_synthetic_staircase_has_its_plateaus_where_they_were_put():
    levels, drops = [50.0, 10.0, 0.2, 0.002], [2000, 5000, 8000]
    s, loss, grad = _staircase(levels, drops)
    plateaus = find_plateaus(s, loss, grad)
    assert len(plateaus) == 4
    for p, level in zip(plateaus, levels):
        assert p.loss == pytest.approx(level, rel=1e-3)
    # each plateau lies between two drops, away from them by at least the drop's width
    bounds = [0] + drops + [10_000]
    for p, lo, hi in zip(plateaus, bounds, bounds[1:]):
        assert lo <= p.start_step < p.end_step <= hi
        assert p.end_step - p.start_step > 0.5 * (hi - lo)
        assert p.first <= p.at <= p.last


def test_a_steady_decay_has_no_plateau_but_its_limit():
    # L = 10 e^(-k/1000): a relative change of 1% per 10 steps, never flat; the gradient falls with it, so the
    # trailing stretch where it is below 1% of its maximum (k > 1000 ln 100 ~ 4605) is the run's limit
    s = np.arange(10_001, dtype=float)
    loss = 10 * np.exp(-s / 1000)
    plateaus = find_plateaus(s, loss, loss / 1000)
    assert len(plateaus) == 1 and plateaus[0].limit
    assert plateaus[0].start_step == pytest.approx(1000 * np.log(100), abs=2)
    assert plateaus[0].at == 10_000


def test_a_rising_gradient_at_the_end_is_no_limit_and_nonfinite_records_are_never_on_a_plateau():
    s, loss, grad = _staircase([5.0, 1.0], [5000])
    loss[1000:1100] = np.nan
    plateaus = find_plateaus(s, loss, grad)
    assert all(not (p.first <= 1050 <= p.last) for p in plateaus)
    assert not find_plateaus(s, np.linspace(10, 1, len(s)), np.full(len(s), 1.0))   # a ramp: never flat


@pytest.mark.parametrize("bad", [dict(flat_rtol=0), dict(grad_rtol=-1), dict(window=1.5), dict(min_length=float("nan"))])
def test_the_rule_refuses_parameters_out_of_range(bad):
    with pytest.raises(ValueError):
        PlateauRule(**bad)


def test_a_stricter_rule_finds_fewer_or_shorter_plateaus():
    s, loss, grad = _staircase([50.0, 10.0, 0.2], [3000, 6000])
    loose = find_plateaus(s, loss, grad, PlateauRule(grad_rtol=1e-1))
    strict = find_plateaus(s, loss, grad, PlateauRule(grad_rtol=1e-6))
    assert sum(p.end_step - p.start_step for p in strict) <= sum(p.end_step - p.start_step for p in loose)


# ------------------------------------------------------------------------------------------------ the float loss

def test_run_losses_is_the_loss_and_the_gradient_norm():
    rng = np.random.default_rng(0)
    X, Y = rng.integers(-3, 4, (3, 5)), rng.integers(-3, 4, (2, 5))
    problem = Problem.create(X.tolist(), Y.tolist())
    Ws = [rng.standard_normal((4, 3)), rng.standard_normal((2, 4))]

    def L(ws):
        return 0.5 * float(np.sum((ws[1] @ ws[0] @ X - Y) ** 2))

    h, sq = 1e-6, 0.0
    for k, W in enumerate(Ws):
        for idx in np.ndindex(W.shape):
            plus = [w.copy() for w in Ws]
            minus = [w.copy() for w in Ws]
            plus[k][idx] += h
            minus[k][idx] -= h
            sq += ((L(plus) - L(minus)) / (2 * h)) ** 2
    loss, norm = run_losses(problem, [w[None] for w in Ws])
    assert loss[0] == pytest.approx(L(Ws), rel=1e-12)
    assert norm[0] == pytest.approx(np.sqrt(sq), rel=1e-6)


# ------------------------------------------------------------------------------------------------ readers

def test_save_and_load_keep_the_data_exact(tmp_path):
    problem = Problem.create([["1/3", "2"], ["0.1", "-5"]], [["7/9", "1"]], "1/10")
    ws = [np.ones((3, 1, 2)), np.arange(3.0).reshape(3, 1, 1)]
    path = tmp_path / "run.npz"
    save_trajectory(path, problem, [0, 5, 10], ws, [1.0, 0.5, 0.25])
    run = load_trajectory(path)
    assert run.problem.X == problem.X and run.problem.Y == problem.Y
    assert run.problem.to_json()["lambda"] == "1/10"
    assert list(run.steps) == [0, 5, 10] and list(run.loss) == [1.0, 0.5, 0.25]
    assert np.array_equal(run.weights[1], ws[1])
    # the times of a gradient flow are a float clock: kept as they are, not truncated to integers
    save_trajectory(path, problem, [0.0, 0.25, 1e9 + 0.5], ws)
    assert list(load_trajectory(path).steps) == [0.0, 0.25, 1e9 + 0.5]
    assert "steps 0..1000000000.5" in str(load_trajectory(path))


def test_npz_layer_names_float_data_and_their_rule(tmp_path):
    path = tmp_path / "run.npz"
    np.savez(path, layer0=np.ones((2, 2, 2)), layer1=np.ones((2, 1, 2)), X=np.array([[0.1, 0.0], [0.0, 1.0]]),
             Y=np.array([[1.0, 2.0]]))
    with pytest.raises(InputError, match="floats|decimal"):
        load_trajectory(path)
    run = load_trajectory(path, floats="decimal")
    assert run.problem.X.rows[0][0] == Fraction(1, 10)
    assert list(run.steps) == [0, 1]
    assert load_trajectory(path, floats="binary").problem.X.rows[0][0] == Fraction(0.1)


@pytest.mark.parametrize("arrays, field", [
    (dict(W1=np.ones((2, 1, 2)), W3=np.ones((2, 1, 1))), "weights"),        # W2 missing
    (dict(W1=np.ones((2, 1, 3))), "W1"),                                     # 3 columns, X has 2 rows
    (dict(W1=np.ones((1, 2))), "W1"),                                        # not stacked
    (dict(W1=np.ones((2, 1, 2)), steps=np.array([3, 1])), "steps"),         # decreasing
    (dict(W1=np.ones((2, 1, 2)), loss=np.ones(3)), "loss"),                  # one loss too many
])
def test_npz_errors_name_the_field(tmp_path, arrays, field):
    path = tmp_path / "bad.npz"
    np.savez(path, X=np.array([["1", "0"], ["0", "1"]]), Y=np.array([["1", "1"]]), **arrays)
    with pytest.raises(InputError) as err:
        load_trajectory(path)
    assert err.value.field == field and str(path) in str(err.value)


def test_the_data_of_a_separate_file_and_missing_data(tmp_path):
    run = tmp_path / "run.npz"
    np.savez(run, W1=np.ones((2, 1, 2)))
    with pytest.raises(InputError) as err:
        load_trajectory(run)
    assert err.value.field == "X"
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"X": [[1, 0], [0, 1]], "Y": [["1/2", 1]]}))
    assert load_trajectory(run, data=data).problem.Y.rows[0][0] == Fraction(1, 2)


def test_json_trajectory_and_directory_of_point_files(tmp_path):
    X, Y = [[1, 0], [0, 1]], [[3, 0], [0, 1]]
    records = [[[[0.1 * t, 0], [0, 0]], [[0.1 * t, 0], [0, 0]]] for t in range(4)]
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"X": X, "Y": Y, "steps": [0, 10, 20, 30], "trajectory": records}))
    from_json = load_trajectory(path)
    folder = tmp_path / "points"
    folder.mkdir()
    for t, ws in reversed(list(enumerate(records))):        # written out of order: sorted by the step number
        (folder / f"step_{10 * t}.json").write_text(json.dumps({"X": X, "Y": Y, "weights": ws}))
    from_folder = load_trajectory(folder)
    assert list(from_folder.steps) == list(from_json.steps) == [0, 10, 20, 30]
    for a, b in zip(from_json.weights, from_folder.weights):
        assert np.array_equal(a, b)
    (folder / "step_40.json").write_text(json.dumps({"X": X, "Y": [[2, 0], [0, 1]], "weights": records[0]}))
    with pytest.raises(InputError, match="differ"):
        load_trajectory(folder)


def test_a_single_point_file_is_not_a_trajectory(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"X": [[1]], "Y": [[1]], "weights": [[[1]]]}))
    with pytest.raises(InputError) as err:
        load_trajectory(path)
    assert err.value.field == "trajectory"


# ------------------------------------------------------------------------------------------------ exact values

def test_exact_values_of_rationals_and_of_field_elements():
    from exactdln.arith.number_field import NumberField

    assert exact_value(Fraction(1, 2)).to_json() == {"decimal": "0.5", "exact": "1/2"}
    K = NumberField.from_polynomial([-1, -1, 1], [1, 2])          # phi, the root of x^2 - x - 1 in [1, 2]
    phi = K.theta
    v = exact_value(phi)
    assert [Fraction(c) for c in v.minpoly] == [-1, -1, 1]
    lo, hi = (Fraction(x) for x in v.interval)
    assert lo <= Fraction(1618034, 10**6) <= hi and lo > Fraction(-618034, 10**6)   # isolates phi, not 1 - phi
    root5 = exact_value(2 * phi - 1)                               # (2 phi - 1)^2 = 4 phi + 4 - 4 phi + 1 = 5
    assert [Fraction(c) for c in root5.minpoly] == [-5, 0, 1]
    assert float(root5.decimal) == pytest.approx(5 ** 0.5, rel=1e-11)
    assert exact_value(phi * phi - phi).to_json() == {"decimal": "1", "exact": "1"}   # phi^2 - phi = 1
    C = NumberField.from_polynomial([-2, 0, 0, 1], [1, 2])       # 2^(1/3)
    assert [Fraction(c) for c in exact_value(C.theta * C.theta).minpoly] == [-4, 0, 0, 1]


# ------------------------------------------------------------------------------------------------ the staircase

def _random_data(seed=7, singular_values=(1.0, 0.8, 0.6)):
    """X d x 20 and Y = A X + noise, with 3-decimal entries (so the data are exact decimals), d the number of
    singular values of A (those of bench/study_plateau_distance.py at d = 5: 1.0, 0.9, ..., 0.6)."""
    d = len(singular_values)
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((d, 20)), 3)
    U, _, V = np.linalg.svd(rng.standard_normal((d, d)))
    A = np.round(U @ np.diag(singular_values) @ V, 3)
    Y = np.round(A @ X + 0.01 * rng.standard_normal((d, 20)), 3)
    problem = Problem.create([[repr(float(v)) for v in r] for r in X], [[repr(float(v)) for v in r] for r in Y])
    return rng, X, Y, problem


def _theorem_values(X, Y):
    """(||Y||^2 - sum of the k largest eigenvalues of Sigma) / 2 for k = 0..d_y, from numpy."""
    sigma = Y @ X.T @ np.linalg.solve(X @ X.T, X @ Y.T)
    eigenvalues = np.sort(np.linalg.eigvalsh(sigma))[::-1]
    return [(float(np.sum(Y * Y)) - float(np.sum(eigenvalues[:k]))) / 2 for k in range(len(eigenvalues) + 1)]


def _staircase_run(widths, steps, eta=0.025, init=1e-3, every=5):
    """A gradient-descent run on :func:`_random_data` from a Gaussian start of scale ``init`` (seed 7)."""
    from exactdln.numeric.flows import gradient_descent

    rng, X, Y, problem = _random_data()
    ws = [init * rng.standard_normal((widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
    run = gradient_descent(problem, ws, eta=eta, steps=steps, tol=1e-10, weights_every=every)
    trajectory = Trajectory(problem, run.weight_steps.astype(float), run.weight_history, run.weight_loss)
    return X, Y, trajectory


def _check_staircase(X, Y, result, plateaus, first=0, rel=1e-6):
    values = _theorem_values(X, Y)
    assert len(result.rows) == plateaus
    for k, row in enumerate(result.rows, first):
        assert row.fitted == tuple(range(1, k + 1))             # S grows by one eigen-direction per step
        exact = row.critical_value.approx
        assert exact == pytest.approx(values[k], rel=1e-10)     # the theorem's value, from numpy's eigenvalues
        assert row.float_loss == pytest.approx(exact, rel=rel)   # the run sits on the step
        assert row.rank == k and row.distance is not None
        if k < 3 and first == 0:
            assert row.kind == "strict_saddle"                   # k < d_y directions fitted, no bottleneck


def test_the_staircase_of_a_small_gradient_descent_run():
    X, Y, trajectory = _staircase_run([3, 3, 3, 3], steps=8000)
    _check_staircase(X, Y, trace(trajectory), plateaus=3)


@pytest.mark.slow
def test_the_whole_staircase_down_to_the_global_minimum():
    X, Y, trajectory = _staircase_run([3, 4, 4, 3], steps=30_000, every=10)
    result = trace(trajectory)
    _check_staircase(X, Y, result, plateaus=4)
    assert result.rows[-1].kind == "global_minimizer"


@pytest.mark.slow
def test_the_staircase_at_depth_four():
    # depth 4 from a start of scale 0.05: the run leaves W = 0 at once and rests near the saddles fitting {1},
    # then {1, 2}; their kinds depend on the hidden ranks of the nearest point, so only the values are asserted.
    # The larger start passes farther (distance ~0.15), so the float loss matches to 1e-4 only.
    X, Y, trajectory = _staircase_run([3, 3, 3, 3, 3], steps=15_000, eta=0.02, init=0.05)
    _check_staircase(X, Y, trace(trajectory), plateaus=2, first=1, rel=1e-4)


# ------------------------------------------------------------------------------------------------ the recipe

def _flow_staircase(depth, eps=1e-8, seed=1, d=3, hidden=4, window=0.01, min_length=0.005):
    """The recipe of docs/howto/trace.md ("How close a run comes"): the gradient flow from a Gaussian start of
    scale ``eps`` (X d x 20, hidden widths ``hidden``), integrated by a stiff method (exactdln/numeric/stiff_flow.py)
    up to 3 / (lambda_min eps^(H-2)), traced with plateaus of at least 0.5% of the run and a flatness ``window``
    shorter than the shortest plateau."""
    from exactdln.numeric.stiff_flow import stiff_gradient_flow
    from exactdln.tools.trace import Trajectory

    _, X, Y, problem = _random_data(singular_values=tuple(np.linspace(1.0, 0.6, d)))
    widths = [d] + [hidden] * (depth - 1) + [d]
    rng = np.random.default_rng(seed)
    start = [eps * rng.standard_normal((widths[i + 1], widths[i])) for i in range(depth)]
    smallest = float(np.min(np.linalg.eigvalsh(Y @ X.T @ np.linalg.solve(X @ X.T, X @ Y.T))))
    run = stiff_gradient_flow(problem, start, t_end=3 / (smallest * eps ** (depth - 2)))
    result = trace(Trajectory(problem, run.times, run.weights, None),
                   rule=PlateauRule(min_length=min_length, window=window))
    return X, Y, result


def _check_every_plateau_snaps(X, Y, result, within=1e-6):
    values = _theorem_values(X, Y)
    assert len(result.rows) == len(values)                           # W = 0, then one more direction each time
    for k, row in enumerate(result.rows):
        assert row.fitted == tuple(range(1, k + 1)) and row.rank == k
        assert row.critical_value.approx == pytest.approx(values[k], rel=1e-10)   # numpy's eigenvalues
        assert row.float_loss == pytest.approx(values[k], rel=1e-9)
        assert row.relative_distance <= within                         # the run's own record, not polished
        assert row.snapped == (row.relative_distance <= 1e-6)
        assert row.kind in ("strict_saddle", "non_strict_saddle", "global_minimizer")
    # the first plateau's exact point keeps the run's hidden layers (W_1 = W_H = 0 fits nothing, S = {}): its kind
    # depends on them, so only the ends are asserted; the last fits every direction, the least-squares product
    assert result.rows[-1].kind == "global_minimizer"


@pytest.mark.slow
def test_every_plateau_of_a_depth_three_flow_from_1e_8_is_within_1e_6_of_its_saddle(tmp_path):
    from exactdln.tools.trace import certify_plateaus

    X, Y, result = _flow_staircase(3)
    _check_every_plateau_snaps(X, Y, result)
    # and each has a certificate with its kind, accepted by the standalone checker before it was written
    for row in certify_plateaus(result, tmp_path).rows:
        certificate = json.loads(open(row.certificate, encoding="utf-8").read())
        assert {"type": "kind", "kind": row.kind} in [{k: c.get(k) for k in ("type", "kind")}
                                                      for c in certificate["claims"]]


@pytest.mark.slow
def test_every_plateau_of_a_depth_four_flow_from_3e_7_is_within_1e_6_of_its_saddle():
    # depth 4 leaves a plateau after ~1 / (lambda s^2), ~10^12 here; the distances are ~1.5 times the start's scale
    # (docs/howto/trace.md), so 3e-7 puts every plateau within 1e-6
    X, Y, result = _flow_staircase(4, eps=3e-7)
    _check_every_plateau_snaps(X, Y, result)


def _galois_group_is_symmetric(X, Y):
    """True when the Galois group of charpoly(Sigma), Sigma = Y X^T (X X^T)^-1 X Y^T of degree d (a prime), is the
    whole symmetric group S_d, shown by two primes p not dividing the discriminant of the monic integer polynomial
    D^d chi(x / D) (Dedekind: its factorization mod p is the cycle type of a Frobenius element): one where it is
    irreducible (a d-cycle, hence also irreducible over Q) and one where it has exactly one quadratic factor and
    linear ones otherwise (a transposition); a transitive subgroup of S_d (d prime) with a transposition is S_d
    (Jacobson, Basic Algebra I, Theorem 4.14). FLINT's charpoly and factorization mod p, not exactdln."""
    from math import lcm

    from flint import fmpq, fmpq_mat, fmpz_poly, nmod_poly

    def exact(a):                    # the exact decimals the problem was made from (repr of each float entry)
        return fmpq_mat([[fmpq(Fraction(repr(float(v))).numerator, Fraction(repr(float(v))).denominator)
                          for v in row] for row in a])

    Xq, Yq = exact(X), exact(Y)
    sigma = Yq * Xq.transpose() * (Xq * Xq.transpose()).inv() * Xq * Yq.transpose()
    chi = sigma.charpoly()
    d = chi.degree()
    D = lcm(*(int(c.q) for c in chi.coeffs()))
    monic = fmpz_poly([int(c * D ** (d - k)) for k, c in enumerate(chi.coeffs())])
    cycle = transposition = False
    for p in (q for q in range(3, 5000, 2) if all(q % r for r in range(3, int(q ** 0.5) + 1, 2))):
        _, factors = nmod_poly([int(c) for c in monic.coeffs()], p).factor()
        if any(e > 1 for _, e in factors):
            continue                 # squarefree mod p (the polynomial is monic) iff p does not divide the discriminant
        degrees = sorted(f.degree() for f, _ in factors)
        cycle |= degrees == [d]
        transposition |= degrees == [1] * (d - 2) + [2]
        if cycle and transposition:
            return True
    return False


def _check_certificates(result, directory):
    """Every certificate was accepted by the standalone checker before it was written; it claims the point
    critical, and its kind wherever it claims one; every plateau carries its kind (the non-strict ones through a
    transport to the aligned point of their orbit, docs/maths/algebraic.md §17, also over the fields of degree 10
    since the checker prices field coefficients in blocks of 1024 bits, and at the depth-4 plateau fitting {1, 2},
    whose layer ranks [2, 3, 2, 2] exceed rank W_(H:1) = 2 in one hidden layer)."""
    from exactdln.tools.trace import certify_plateaus

    for row in certify_plateaus(result, directory).rows:
        assert row.certificate is not None, row.notes
        claims = json.loads(open(row.certificate, encoding="utf-8").read())["claims"]
        inner = [c for t in claims if t["type"] == "transport" for c in t["claims"]]   # critical at W' implies at W
        assert "critical" in [c["type"] for c in claims + inner]
        kinds = [c["kind"] for c in claims if c["type"] == "kind"]
        assert kinds in ([row.kind], [])
        assert kinds == [row.kind], row.notes


@pytest.mark.slow
def test_every_plateau_of_a_depth_three_flow_with_five_outputs_is_within_1e_6_and_certified(tmp_path):
    # d_y = 5 (X 5 x 20 and hidden widths 5, the data of bench/study_plateau_distance.py). The plateau fitting
    # {1, 2} lasts only ~0.7% of the run (lambda_2 and lambda_3 of Sigma are close), so the flatness window is 0.1%.
    from math import comb

    X, Y, result = _flow_staircase(3, d=5, hidden=5, window=0.001)
    _check_every_plateau_snaps(X, Y, result)
    # With Galois group S_5 the orbit of S = {1..k} has C(5, k) elements, so its field has degree C(5, k)
    # (docs/maths/algebraic.md §2): 1, 5, 10, 10, 5, 1
    assert _galois_group_is_symmetric(X, Y)
    assert [row.field_degree for row in result.rows] == [comb(5, k) for k in range(6)]
    # kinds from the construction (docs/maths/classification.md §3.3, §3.6): at W = 0 the hidden layer keeps the
    # run's full rank 5, so the pivot (1, 3) is not tightened (rk W_(2:1) = 0 < rk W_2 = 5): a strict saddle;
    # S = {1..k}, 0 < k < 5, with every layer of rank k (the unfitted directions, ~1e-8, are numerical zeros): N1,
    # non-strict; S = {1..5}: the global minimizer
    assert [row.kind for row in result.rows] == (["strict_saddle"] + ["non_strict_saddle"] * 4
                                                 + ["global_minimizer"])
    _check_certificates(result, tmp_path)


@pytest.mark.slow
def test_every_plateau_of_a_depth_four_flow_with_five_outputs_is_within_1e_6_and_certified(tmp_path):
    # d_y = 5 at depth 4 (widths [5, 5, 5, 5, 5]) from 3e-7: the plateau at W = 0 lasts only ~0.4% of the run, so
    # plateaus of 0.2% count; the fields and kinds are those of depth 3 (same data, same Galois group S_5; at W = 0
    # the hidden layers keep the run's full rank, so W_(3:2) has rank 5 while W_1 = W_4 = 0: a strict saddle)
    from math import comb

    X, Y, result = _flow_staircase(4, eps=3e-7, d=5, hidden=5, window=0.001, min_length=0.002)
    _check_every_plateau_snaps(X, Y, result)
    assert [row.field_degree for row in result.rows] == [comb(5, k) for k in range(6)]
    assert [row.kind for row in result.rows] == (["strict_saddle"] + ["non_strict_saddle"] * 4
                                                 + ["global_minimizer"])
    _check_certificates(result, tmp_path)


def test_an_archive_declaring_too_much_is_refused_before_decompressing(tmp_path, monkeypatch):
    import exactdln.tools.trace_format as trace_format

    path = tmp_path / "big.npz"
    np.savez_compressed(path, W1=np.zeros((1000, 10, 10)), X=np.array([["1"]]), Y=np.array([["1"]]))
    monkeypatch.setattr(trace_format, "MAX_TRAJECTORY_BYTES", 100_000)    # the zeros declare 800,128 bytes
    with pytest.raises(InputError, match="declare"):
        load_trajectory(path)
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not a zip archive")
    with pytest.raises(InputError, match="zip archive|cannot read"):
        load_trajectory(tmp_path / "junk.npz")
