"""Floats into exact rationals by a named rule (exactdln/model/convert.py), and weights and data from training
code (exactdln/tools/interop.py): torch models and state_dicts, JAX pytrees, .npz, torch files and JSON.

Expected values come from IEEE 754 (0.1 in binary64 is 3602879701896397/2^55, in binary32 13421773/2^27) and
from the definition of the rules (the decimal rule reads back as the same float), never from the code.
"""

from __future__ import annotations

import json
import math
import re
import struct
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

import exactdln
from exactdln.model.convert import float_to_fraction
from exactdln.model.problem import InputError, Problem, as_matrix
from exactdln.tools.interop import file_format, from_jax, from_torch, load_point_file

torch = pytest.importorskip("torch")


def test_the_two_rules_on_one_tenth():
    assert float_to_fraction(0.1, "decimal") == Fraction(1, 10)
    assert float_to_fraction(0.1, "binary") == Fraction(3602879701896397, 2**55)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_binary_is_the_float_and_decimal_reads_back_as_it(x):
    assert float_to_fraction(x, "binary") == x                  # Fraction == float compares exactly
    d = float_to_fraction(x, "decimal")
    assert float(d) == x
    assert d.denominator in (1,) or all(p in (2, 5) for p in _prime_factors(d.denominator))


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float32_decimal_reads_back_in_float32(x):
    d = float_to_fraction(x, "decimal", "f")
    assert struct.unpack("f", struct.pack("f", float(d)))[0] == x


def _prime_factors(n):
    out, p = [], 2
    while n > 1 and p <= 5:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out + ([n] if n > 1 else [])


def test_float32_arrays_each_rule():
    a = np.array([[0.1, 0.5]], dtype=np.float32)
    assert as_matrix(a, "X", exact="decimal").rows == ((Fraction(1, 10), Fraction(1, 2)),)
    assert as_matrix(a, "X", exact="binary")[0, 0] == Fraction(13421773, 2**27)


def test_floats_without_a_rule_are_refused_naming_both_rules():
    with pytest.raises(InputError) as info:
        Problem.create(np.array([[0.5]]), [[1]])
    assert info.value.field == "X" and "exact='decimal'" in str(info.value) and "exact='binary'" in str(info.value)
    with pytest.raises(InputError) as info:
        Problem.create([[0.5]], [[1]], exact="hex")
    assert "exact='hex'" in str(info.value)


def test_nan_is_refused_under_either_rule():
    with pytest.raises(InputError) as info:
        as_matrix(np.array([[1.0, math.nan]]), "X", exact="binary")
    assert info.value.field == "X[0][1]"


def test_torch_tensors_that_require_grad_are_read():
    X = torch.tensor([[0.25, 2.0]], dtype=torch.float64, requires_grad=True)
    assert Problem.create(X, X, exact="decimal").X.rows == ((Fraction(1, 4), Fraction(2)),)
    assert as_matrix(torch.tensor([[3, -1]]), "X").rows == ((Fraction(3), Fraction(-1)),)


def _linear(out_features, in_features, values, bias=False):
    layer = torch.nn.Linear(in_features, out_features, bias=bias)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(values, dtype=torch.float32))
    return layer


def test_from_torch_sequential_state_dict_and_module():
    # nn.Linear computes y = W x with W = weight (out x in): W_1 is 3 x 2 and W_2 is 1 x 3.
    seq = torch.nn.Sequential(_linear(3, 2, [[1, 0], [0, 0.5], [0.1, 0]]), _linear(1, 3, [[2, 0, 1]]))
    expected = (((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1, 2)), (Fraction(1, 10), Fraction(0))),
                ((Fraction(2), Fraction(0), Fraction(1)),))
    assert tuple(w.rows for w in from_torch(seq, exact="decimal")) == expected
    assert tuple(w.rows for w in from_torch(seq.state_dict(), exact="decimal")) == expected

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second = seq[0], seq[1]

        def forward(self, x):
            return self.second(self.first(x))

    assert tuple(w.rows for w in exactdln.from_torch(Net(), exact="decimal")) == expected
    floats = from_torch(seq)
    assert [w.shape for w in floats] == [(3, 2), (1, 3)] and floats[0].dtype == np.float64


@pytest.mark.parametrize("model, message", [
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1, bias=False)), "layer '0' (Linear) has a bias"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False), torch.nn.Tanh(), torch.nn.Linear(3, 1, bias=False)),
     "layer '1' is a Tanh"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False), torch.nn.Linear(4, 1, bias=False)),
     "layer '1' takes 4 inputs but layer '0' gives 3"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3)).state_dict(), "layer '0' has a bias"),
])
def test_from_torch_names_the_layer(model, message):
    with pytest.raises(InputError, match=re.escape(message)):
        from_torch(model())


def test_from_jax_lists_and_flax_kernels():
    jnp = pytest.importorskip("jax.numpy")
    w1, w2 = jnp.array([[1.0, 0.0], [0.0, 0.5]]), jnp.array([[2.0, 0.25]])
    got = from_jax([w1, w2], exact="binary")
    assert [w.rows for w in got] == [((1, 0), (0, Fraction(1, 2))), ((2, Fraction(1, 4)),)]
    # flax Dense: y = x @ kernel, kernel is in x out, so W_h = kernel^T
    flax = {"Dense_0": {"kernel": w1.T}, "Dense_1": {"kernel": w2.T}}
    assert [w.rows for w in from_jax(flax, exact="binary")] == [w.rows for w in got]
    with pytest.raises(InputError, match="'Dense_0' has a bias"):
        from_jax({"Dense_0": {"kernel": w1, "bias": jnp.zeros(2)}})


def _point_arrays():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[3.0, 0.0], [0.0, 0.1]])
    W = [np.array([[1.5, 0.0], [0.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 0.0]])]
    return X, Y, W


def test_json_npz_and_torch_files_give_the_same_exact_point(tmp_path):
    X, Y, W = _point_arrays()
    (tmp_path / "p.json").write_text(json.dumps({"X": X.tolist(), "Y": Y.tolist(), "weights": [w.tolist() for w in W]}))
    np.savez(tmp_path / "p.npz", X=X, Y=Y, W1=W[0], W2=W[1])
    torch.save({"X": torch.tensor(X), "Y": torch.tensor(Y), "weights": [torch.tensor(w) for w in W]}, tmp_path / "p.pt")
    # a torch pickle under a numpy name is recognised by its content
    torch.save({"X": torch.tensor(X), "Y": torch.tensor(Y), "weights": [torch.tensor(w) for w in W]}, tmp_path / "t.npy")
    assert file_format(str(tmp_path / "t.npy")) == "torch"
    points = [load_point_file(tmp_path / name, "decimal") for name in ("p.json", "p.npz", "p.pt", "t.npy")]
    assert all(p == points[0] for p in points)
    problem, weights = points[0]
    assert problem.Y[1, 1] == Fraction(1, 10) and weights[0][0, 0] == Fraction(3, 2)


def test_npy_and_bare_state_dict_files_are_refused_with_the_reason(tmp_path):
    np.save(tmp_path / "a.npy", np.eye(2))
    with pytest.raises(InputError, match="one array, not a point"):
        load_point_file(tmp_path / "a.npy", "decimal")
    torch.save(torch.nn.Linear(2, 2, bias=False).state_dict(), tmp_path / "sd.pt")
    with pytest.raises(InputError, match="bare state_dict has no data"):
        load_point_file(tmp_path / "sd.pt", "decimal")


def test_torch_file_with_a_state_dict(tmp_path):
    X, Y, _ = _point_arrays()
    seq = torch.nn.Sequential(_linear(2, 2, [[1.5, 0], [0, 0]]), _linear(2, 2, [[2, 0], [0, 0]]))
    torch.save({"X": torch.tensor(X), "Y": torch.tensor(Y), "state_dict": seq.state_dict()}, tmp_path / "run.pth")
    problem, weights = load_point_file(tmp_path / "run.pth", "binary")
    assert [w.rows for w in weights] == [((Fraction(3, 2), 0), (0, 0)), ((2, 0), (0, 0))]


def _readme_examples():
    from tests.support import ROOT

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## From your training code"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.mark.parametrize("index, needs", [(0, "torch"), (1, "jax")])
def test_readme_training_examples_run(index, needs):
    """README "From your training code": train, snap the end point, assert its exact class (the asserts are in the text)."""
    pytest.importorskip(needs)
    code = _readme_examples()[index]
    assert needs in code and "assert result.kind ==" in code
    exec(compile(code, f"README.md example {index}", "exec"), {"__name__": "readme_example"})
