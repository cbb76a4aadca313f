"""Random draws the hot loops need, faster than `random.choices` on dicts."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from typing import Any


class Weighted:
    """A weighted draw with its cumulative weights computed once (the hot loop draws millions)."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.items = tuple(weights)
        self.cumulative = tuple(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def randint(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint(low, high)`, the very same draw, without its two Python-level wrappers
    (randint -> randrange -> _randbelow): the generator draws it millions of times. CPython's
    randint is exactly `low + _randbelow(high - low + 1)` (a test in test_sample_generator.py
    checks it draw for draw)."""
    return low + rng._randbelow(high - low + 1)
