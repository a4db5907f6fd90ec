"""gan_core.parse: one parser per kind; any text gives the value or a ValueError that says what is allowed."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_core import parse

# text a student might type or paste: numbers, separators, words, unicode, NaN, huge exponents
tokens = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers().map(str),
                   st.sampled_from(["", " ", ",", ";", "\n", "abc", "1e999", "-0", "nan", "inf", "1_000", "٣",
                                    "0x10", "1,5", "--1", "1e-400"]),
                   st.text(max_size=8))
texts = st.lists(tokens, max_size=12).map(" ".join) | st.text(max_size=40)
ANY = settings(max_examples=300, deadline=None)


@ANY
@given(text=texts)
def test_number_is_finite_in_range_or_refused(text):
    try:
        x = parse.number(text, "std", lo=0, lo_open=True)
    except ValueError as e:
        assert str(e).startswith("std")
        return
    assert math.isfinite(x) and x > 0


@ANY
@given(value=texts | st.integers() | st.floats(allow_nan=True))
def test_integer_is_whole_and_in_range_or_refused(value):
    try:
        n = parse.integer(value, "seed", 0, 10_000)
    except ValueError as e:
        assert str(e).startswith("seed") and "10,000" in str(e)
        return
    assert isinstance(n, int) and 0 <= n <= 10_000


@ANY
@given(text=texts)
def test_numbers_are_finite_or_refused_naming_the_entry(text):
    try:
        v = parse.numbers(text, "means", max_entries=5)
    except ValueError as e:
        assert str(e).startswith("means")
        return
    assert 1 <= len(v) <= 5 and all(math.isfinite(x) for x in v)


@ANY
@given(text=texts)
def test_nonnegative_vector(text):
    try:
        v = parse.nonnegative_vector(text, "p")
    except ValueError as e:
        assert str(e).startswith("p")
        return
    assert v.ndim == 1 and np.all(v >= 0) and 0 < v.sum() < math.inf


@ANY
@given(text=texts | st.lists(st.floats(0, 1), min_size=1, max_size=4).map(lambda v: ", ".join(map(repr, v))))
def test_probability_vector(text):
    try:
        v = parse.probability_vector(text, "weights")
    except ValueError as e:
        assert str(e).startswith("weights")
        return
    assert np.all((0 <= v) & (v <= 1)) and abs(v.sum() - 1) <= parse.SUM_TOLERANCE


@pytest.mark.parametrize("call, message", [
    (lambda: parse.number("", "std"), "std is empty"),
    (lambda: parse.number("abc", "std"), "std ('abc') is not a number"),
    (lambda: parse.number("nan", "std"), "not a finite number"),
    (lambda: parse.number("1e999", "std"), "not a finite number"),
    (lambda: parse.number("0", "std", lo=0, lo_open=True), "std must be > 0 (got 0)"),
    (lambda: parse.number("2", "share", 0, 1), "share must be in [0, 1] (got 2)"),
    (lambda: parse.integer("2.5", "seed", 0, 9), "seed is 2.5; it must be a whole number from 0 to 9"),
    (lambda: parse.integer("12", "seed", 0, 9), "seed is 12; it must be a whole number from 0 to 9"),
    (lambda: parse.integer(True, "seed", 0, 9), "seed must be a whole number"),
    (lambda: parse.numbers("1, x", "means"), "means: entry 2 ('x') is not a number"),
    (lambda: parse.numbers(" , ", "means"), "means is empty"),
    (lambda: parse.numbers("1 2 3", "means", max_entries=2), "means has 3 entries; at most 2"),
    (lambda: parse.numbers("0.5, -1", "stds", lo=0, lo_open=True), "stds must be > 0 (entry 2 is -1)"),
    (lambda: parse.numbers("1" * 20_000, "means"), "at most 10,000 are allowed"),
    (lambda: parse.nonnegative_vector("0 0", "p"), "p sums to 0"),
    (lambda: parse.nonnegative_vector("1e308 1e308", "p"), "more than a float can hold"),
    (lambda: parse.probability_vector("0.5 0.6", "weights"), "weights must sum to 1 (they sum to 1.1)"),
    (lambda: parse.probability_vector("1.5 -0.5", "weights"), "weights must be in [0, 1] (entry 1 is 1.5)"),
    (lambda: parse.choice("rmsprop", "optimizer", ["adam", "sgd"]), "must be one of ['adam', 'sgd']"),
])
def test_each_way_to_be_wrong_has_its_message(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_values_that_are_right():
    assert parse.numbers("0.2, 0.3 0.5\n1;2", "p") == [0.2, 0.3, 0.5, 1.0, 2.0]
    assert parse.integer("1e3", "n", 0, 5000) == 1000 and parse.integer(7, "n", 0, 9) == 7
    assert parse.number(0.5, "x") == 0.5 and parse.choice(" sgd ", "optimizer", ["adam", "sgd"]) == "sgd"
    assert parse.probability_vector("0.3, 0.7", "w").tolist() == [0.3, 0.7]
