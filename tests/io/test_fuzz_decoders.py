"""Property-based fuzzing of every input decoder (hypothesis): mutated real files and generated
structures give a result or one clear TextlensError line, never another exception.

The long run (10,000 inputs per decoder, crashes and hangs isolated in a child process) is
``python -m benchmarks.fuzz_decoders``; these tests run the same decoders and mutations in CI.
"""

from __future__ import annotations

import json
import os
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fuzz_decoders import DECODERS, classify, mutate

# CI replays the same examples every run (derandomize): a red CI must mean a change broke something;
# anywhere else hypothesis explores new inputs each run.
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@cache
def seeds(name: str) -> tuple[bytes, ...]:
    return tuple(DECODERS[name].seeds())


@pytest.mark.parametrize("name", sorted(DECODERS))
@FUZZ
@given(seed=st.integers(0, 2**32 - 1), pick=st.integers(0, 5))
def test_mutated_files_give_a_result_or_a_clear_error(tmp_path, name, seed, pick):
    files = seeds(name)
    data = mutate(files[pick % len(files)], np.random.default_rng(seed))
    outcome, detail = classify(DECODERS[name], data, tmp_path)
    assert outcome in ("ok", "clear"), detail


def test_the_seeds_themselves_decode(tmp_path):
    for name in ("images", "pdf", "document-json", "onnx", "checkpoint"):
        for data in seeds(name):
            assert classify(DECODERS[name], data, tmp_path) == ("ok", ""), name


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
WORD = st.fixed_dictionaries(
    {"text": JSON_VALUES | st.text(max_size=5), "confidence": JSON_VALUES | st.floats(0, 1)},
    optional={"polygon": JSON_VALUES | st.lists(st.lists(st.floats(-10, 1e4), min_size=2, max_size=2), max_size=5)},
)
PAGE = st.fixed_dictionaries(
    {"width": JSON_VALUES | st.integers(1, 5000), "height": JSON_VALUES | st.integers(1, 5000)},
    optional={
        "blocks": st.lists(
            st.fixed_dictionaries(
                {"lines": st.lists(st.fixed_dictionaries({"words": st.lists(WORD, max_size=3)}), max_size=3)}
            ),
            max_size=2,
        )
    },
)


@FUZZ
@given(
    pages=st.lists(PAGE | JSON_VALUES, max_size=3), extra=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=3)
)
def test_generated_document_json_exports_or_is_refused_clearly(tmp_path, pages, extra):
    data = json.dumps({**extra, "pages": pages}).encode()
    outcome, detail = classify(DECODERS["document-json"], data, tmp_path)
    assert outcome in ("ok", "clear"), detail


MANIFEST_LINE = st.one_of(
    st.text(max_size=40),
    JSON_VALUES.map(json.dumps),
    st.fixed_dictionaries({"image": st.text(max_size=12), "text": JSON_VALUES | st.text(max_size=8)}).map(json.dumps),
    st.fixed_dictionaries({"image": st.text(max_size=12), "regions": JSON_VALUES}).map(json.dumps),
)


@FUZZ
@given(lines=st.lists(MANIFEST_LINE, max_size=6))
def test_generated_manifests_load_or_are_refused_clearly(tmp_path, lines):
    outcome, detail = classify(DECODERS["manifest"], "\n".join(lines).encode("utf-8", "surrogatepass"), tmp_path)
    assert outcome in ("ok", "clear"), detail


@FUZZ
@given(rows=st.lists(st.lists(st.text(max_size=10), max_size=4), max_size=6), sep=st.sampled_from([",", "\t", ";"]))
def test_generated_tables_load_or_are_refused_clearly(tmp_path, rows, sep):
    text = "\n".join(sep.join(row) for row in rows)
    outcome, detail = classify(DECODERS["csv"], text.encode("utf-8", "surrogatepass"), tmp_path)
    assert outcome in ("ok", "clear"), detail
