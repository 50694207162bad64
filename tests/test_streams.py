"""Named random streams: the table reproduces the offsets the experiments used, and a run's streams stay apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from gpkit import streams


def test_streams_give_the_seeds_the_experiments_always_used():
    # the earlier inline formulas, so that every committed figure and verdict is reproduced bit for bit
    assert streams.stream_seed(3, "sample_grid") == 3 + 4242
    assert streams.stream_seed(3, "reference") == 3 + 1
    assert streams.stream_seed(3, "toy_eval", 2) == 3 + 1000 + 2
    assert streams.stream_seed(3, "critic_probe", 9) == 3 + 7919 * (9 + 1)
    assert streams.stream_seed(3, "quality_probe", 9) == 3 + 104_729 * (9 + 1)
    assert streams.stream_seed(3, "probe_step", 9) == 3 + 9
    a, b = streams.stream(5, "sample_grid"), torch.Generator().manual_seed(5 + 4242)
    assert torch.equal(torch.randn(4, generator=a), torch.randn(4, generator=b))
    with pytest.raises(ValueError, match="stream must be one of"):
        streams.stream_seed(0, "sample-grid")
    with pytest.raises(ValueError, match="index"):
        streams.stream_seed(0, "toy_eval", -1)


def test_no_module_draws_from_a_magic_offset_and_its_streams_do_not_overlap():
    root = Path(streams.__file__).parent
    for path in sorted([root / "callbacks.py", *(root / "experiments").glob("*.py")]):
        text = path.read_text()
        assert not re.search(r"make_generator\([^)]*seed\s*\+\s*\d", text), f"{path.name}: a magic seed offset"
        used = sorted(set(re.findall(r'stream(?:_seed)?\([^,]+,\s*"([a-z0-9_]+)"', text)))
        assert set(used) <= set(streams.STREAMS), (path.name, used)
        assert streams.overlaps(used) == [], f"{path.name}: streams overlap"
