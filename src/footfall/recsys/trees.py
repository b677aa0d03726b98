"""A LightGBM model evaluated with numpy from its text: serving and loading never import LightGBM.

docs/recsys.md#sequence-rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np

from footfall.errors import InputError

__all__ = ["Trees"]

ZERO = np.float32(1e-35)  # LightGBM's kZeroThreshold (1e-35f): |v| at most this is zero for its splits


@dataclass(frozen=True)
class Trees:
    """A LightGBM model read from its text (`Booster.model_to_string`) and evaluated with numpy: serving and
    loading need no LightGBM (whose import takes seconds); only training does. Numerical splits only.

    Every tree's internal nodes and leaves are numbered in one sequence; a leaf points to itself. Each
    split's decision is taken for every row at once; a few rows (one user's request) then walk every
    tree together, `depth` steps, and a batch takes each tree's leaf by nested selects, tree by tree
    (LightGBM's order of addition: the same sums to the last bit)."""

    text: str
    feature: np.ndarray  # per split (internal node): the feature, threshold, NaN/zero rule and default side
    threshold: np.ndarray
    missing: np.ndarray  # 0 none (NaN counts as 0), 1 zero, 2 NaN: LightGBM's NumericalDecision
    default_left: np.ndarray
    split: np.ndarray  # per node: its split's row in the decisions, or the last row (always left) for a leaf
    left: np.ndarray  # per node: the next node when its split goes left / right (a leaf: itself)
    right: np.ndarray
    value: np.ndarray  # per node: the leaf's value (0 for a split)
    root: np.ndarray  # per tree
    depth: int

    WALK_ROWS: ClassVar[int] = 256  # fewer rows than this walk (per-call overhead); more select (memory traffic)

    @classmethod
    def parse(cls, text: str) -> Trees:
        """The trees of a LightGBM model text; a one-line error for what this reader does not evaluate."""
        trees = [dict(line.split("=", 1) for line in block.splitlines()[1:] if "=" in line)
                 for block in text.split("\nTree=")[1:]]  # fmt: skip
        if any(int(tree.get("num_cat", "0")) for tree in trees):
            raise InputError("sequence-rank: a categorical split in the ranker, which footfall does not evaluate")
        splits: dict[str, list[float]] = {"feature": [], "threshold": [], "decision": []}
        split, left, right, value, root = [], [], [], [], []
        depth, base = 0, 0
        for tree in trees:
            leaves = int(tree["num_leaves"])
            inner = leaves - 1
            numbers = {key: [float(v) for v in tree.get(key, "").split()] for key in (
                "split_feature", "threshold", "decision_type", "left_child", "right_child", "leaf_value")}  # fmt: skip

            def node(child: float, inner: int = inner, base: int = base) -> int:
                return base + int(child) if child >= 0 else base + inner + ~int(child)

            first_split = len(splits["feature"])
            for key, name in (("split_feature", "feature"), ("threshold", "threshold"), ("decision_type", "decision")):
                splits[name] += numbers[key]
            split += [first_split + n for n in range(inner)] + [-1] * leaves
            left += [node(c) for c in numbers["left_child"]] + [base + inner + k for k in range(leaves)]
            right += [node(c) for c in numbers["right_child"]] + [base + inner + k for k in range(leaves)]
            value += [0.0] * inner + numbers["leaf_value"]
            root.append(base)
            depth = max(depth, _depth(numbers["left_child"], numbers["right_child"]))
            base += inner + leaves
        decision = np.array(splits["decision"], dtype=np.int64)
        every = np.array(split, dtype=np.int64)
        every[every < 0] = len(decision)  # the always-left row
        return cls(
            text, np.array(splits["feature"], dtype=np.int64), np.array(splits["threshold"]), (decision >> 2) & 3,
            (decision & 2) > 0, every, np.array(left, dtype=np.int64), np.array(right, dtype=np.int64),
            np.array(value), np.array(root, dtype=np.int64), depth,
        )  # fmt: skip

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The sum of every tree's leaf for each row of `x` (LightGBM's raw score)."""
        columns = np.ascontiguousarray(np.asarray(x, dtype=np.float32).T)
        if len(x) < self.WALK_ROWS:  # a few rows (a request): every split's values in one gather, then walk
            return self._walk(self._decide(columns[self.feature], slice(None)))
        goes_left = np.empty((len(self.feature), len(x)), dtype=bool)
        for feature, splits in self.by_feature:  # a batch: feature by feature, without a splits-by-rows copy of x
            goes_left[splits] = self._decide(columns[feature][np.newaxis, :], splits)
        total = np.zeros(len(x))
        for root in self.root.tolist():  # tree by tree, as LightGBM adds
            total += self._leaf(goes_left, root)
        return total

    def _decide(self, values: np.ndarray, splits: np.ndarray | slice) -> np.ndarray:
        """Whether `values` (a row per split, or one row for all of them) go left at `splits` (LightGBM's
        NumericalDecision: NaN is 0 unless the split sends NaN aside; zero is missing for zero splits)."""
        missing = self.missing[splits, np.newaxis]
        if np.isnan(values).any():  # compared in float64, as LightGBM does
            wide = values.astype(np.float64)
            nan = np.isnan(wide)
            wide = np.where(nan & (missing != 2), 0.0, wide)
            default = ((missing == 1) & (np.abs(wide) <= ZERO)) | ((missing == 2) & nan)
            below = wide <= self.threshold[splits, np.newaxis]
        else:  # v <= t for a float32 v is v <= the largest float32 not above t: the same test at half the bytes
            below = values <= self.threshold32[splits, np.newaxis]
            default = (missing == 1) & (np.abs(values) <= ZERO)
        return np.where(default, self.default_left[splits, np.newaxis], below)

    def _walk(self, goes_left: np.ndarray) -> np.ndarray:
        """Every row down every tree at once, `depth` steps (a leaf points to itself)."""
        rows = goes_left.shape[1]
        flat = np.concatenate([goes_left, np.ones((1, rows), dtype=bool)]).reshape(-1).view(np.int8)
        column = np.arange(rows, dtype=np.int64)[:, np.newaxis]
        node = np.broadcast_to(self.root, (rows, len(self.root)))
        for _ in range(self.depth):  # children[2n] is n's right child, children[2n + 1] its left
            node = self.children[2 * node + flat[self.split[node] * rows + column]]
        return np.cumsum(self.value[node], axis=1)[:, -1] if len(self.root) else np.zeros(rows)  # in tree order

    def _leaf(self, goes_left: np.ndarray, node: int) -> np.ndarray | float:
        """The value of the leaf each row reaches from `node` (a number when `node` is a leaf)."""
        if self.left[node] == node:
            return float(self.value[node])
        below = (self._leaf(goes_left, int(self.left[node])), self._leaf(goes_left, int(self.right[node])))
        return np.where(goes_left[self.split[node]], *below)

    @cached_property
    def threshold32(self) -> np.ndarray:
        """Each threshold as the largest float32 not above it."""
        rounded = self.threshold.astype(np.float32)
        return np.where(rounded > self.threshold, np.nextafter(rounded, np.float32(-np.inf)), rounded)

    @cached_property
    def by_feature(self) -> list[tuple[int, np.ndarray]]:
        """Each feature that splits, with its splits."""
        return [(int(f), np.flatnonzero(self.feature == f)) for f in np.unique(self.feature)]

    @cached_property
    def children(self) -> np.ndarray:
        """Per node, [right, left] interleaved (the walk's one gather)."""
        return np.column_stack([self.right, self.left]).reshape(-1)


def _depth(left: list[float], right: list[float]) -> int:
    """The longest path from a tree's root to a leaf, in splits (0 for a single leaf)."""
    if not left:
        return 0
    level, nodes = 0, [0]
    while nodes:
        level += 1
        nodes = [int(c) for n in nodes for c in (left[n], right[n]) if c >= 0]
    return level
