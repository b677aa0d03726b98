"""SASRec (Kang & McAuley, ICDM 2018) with a full-softmax cross-entropy loss: the recommender's sequential peer.

Only the benchmark uses it, and only when torch is importable (not a footfall dependency; the CPU
build: `pip install torch==2.13.0`). It sits behind footfall's model interface, so it is scored
by exactly the protocols' own code on the same splits. Training follows the setup recorded in
issue 23 as the best found: cross-entropy over every item at every position, dropout 0.5,
early stopping on each user's last training interaction (NDCG@10, full ranking), the best
epoch's weights kept; predictions read the whole training history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import polars as pl
import torch
from torch import nn

from footfall.recsys.models import Model, top_n
from footfall.recsys.sequence import ordered_codes


class _Net(nn.Module):
    """Item and position embeddings, causal self-attention blocks, one shared item embedding for the output."""

    def __init__(self, items: int, maxlen: int, dim: int, blocks: int, dropout: float) -> None:
        super().__init__()
        self.dim = dim
        self.item = nn.Embedding(items + 1, dim, padding_idx=0)  # 0: padding, item k is k + 1
        self.position = nn.Embedding(maxlen, dim)
        self.dropout = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(dim, 1, dim, dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, blocks, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        mask = torch.triu(torch.ones(maxlen, maxlen, dtype=torch.bool), diagonal=1)
        self.register_buffer("causal", mask)
        # Xavier-normal weights, as the reference implementations: torch's N(0, 1) embeddings, scaled by
        # sqrt(dim) and dotted with themselves for the logits, start the softmax saturated and train far slower
        for weights in self.parameters():
            if weights.dim() >= 2:
                nn.init.xavier_normal_(weights)
        with torch.no_grad():
            self.item.weight[0].zero_()

    def forward(self, seqs: torch.Tensor) -> torch.Tensor:
        """Hidden states (batch × positions × dim) of left-padded item sequences."""
        positions = torch.arange(seqs.shape[1], device=seqs.device)
        x = self.item(seqs) * self.dim**0.5 + self.position(positions)
        x = self.dropout(x) * (seqs > 0).unsqueeze(-1)
        hidden: torch.Tensor = self.norm(self.encoder(x, mask=self.causal))
        return hidden * (seqs > 0).unsqueeze(-1)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Scores of every item (without padding) for each hidden state."""
        return hidden @ self.item.weight[1:].T


@dataclass
class SasRec(Model):
    """SASRec trained with cross-entropy over all items; early-stopped on each user's last training item."""

    name: ClassVar[str] = "sasrec"
    sequences: list[np.ndarray] = field(default_factory=list)
    net: Any = None
    epochs_run: int = 0

    def __post_init__(self) -> None:
        defaults = {"maxlen": 200, "dim": 64, "blocks": 2, "dropout": 0.5, "lr": 1e-3, "batch": 128}
        self.params = defaults | {"max_epochs": 300, "every": 5, "patience": 4, "seed": 0} | self.params

    def _fit_order(self, events: pl.DataFrame) -> None:
        users, items = ordered_codes(events, self.users, self.items)
        ends = np.r_[np.flatnonzero(np.diff(users)) + 1, len(users)]
        self.sequences = np.split(items + 1, ends[:-1])
        torch.manual_seed(int(self.params["seed"]))
        p = self.params
        self.net = _Net(len(self.items), int(p["maxlen"]), int(p["dim"]), int(p["blocks"]), float(p["dropout"]))
        optimiser = torch.optim.Adam(self.net.parameters(), lr=float(p["lr"]), betas=(0.9, 0.98))
        train = [s[:-1] for s in self.sequences]  # the last item of each history: validation
        best, best_state, waited = -1.0, None, 0
        for epoch in range(1, int(p["max_epochs"]) + 1):
            self._epoch(train, optimiser, epoch)
            if epoch % int(p["every"]):
                continue
            score = self._validate(train)
            if score > best:
                best, waited, self.epochs_run = score, 0, epoch
                best_state = {k: v.clone() for k, v in self.net.state_dict().items()}
            elif (waited := waited + 1) >= int(p["patience"]):
                break
        if best_state is not None:
            self.net.load_state_dict(best_state)
        self.net.eval()

    def _epoch(self, sequences: list[np.ndarray], optimiser: torch.optim.Optimizer, epoch: int) -> None:
        """One pass over every user's history: predict each next item from the ones before."""
        self.net.train()
        rng = np.random.default_rng(int(self.params["seed"]) * 100_003 + epoch)
        usable = [s for s in sequences if len(s) >= 2]
        for start in range(0, len(usable), batch := int(self.params["batch"])):
            chosen = [usable[i] for i in rng.permutation(len(usable))[start : start + batch]]
            inputs = self._padded([s[:-1] for s in chosen])
            targets = self._padded([s[1:] for s in chosen]) - 1  # -1: padding, ignored
            real = targets >= 0  # only real positions are scored: padding costs no logits
            loss = nn.functional.cross_entropy(self.net.logits(self.net(inputs)[real]), targets[real])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()

    def _validate(self, train: list[np.ndarray]) -> float:
        """NDCG@10 of each user's held-back last item, ranked among the items not in the rest of the history."""
        gains = []
        scores = self._scores(train)
        for row, (history, full) in enumerate(zip(train, self.sequences, strict=True)):
            if len(history) == 0:
                continue
            scores[row, history - 1] = -np.inf
            where = np.flatnonzero(top_n(scores[row], 10) == full[-1] - 1)
            gains.append(1.0 / np.log2(where[0] + 2) if where.size else 0.0)
        return float(np.mean(gains))

    def _scores(self, sequences: list[np.ndarray]) -> np.ndarray:
        """Scores of every item after each sequence (users × items)."""
        self.net.eval()
        out = []
        with torch.no_grad():
            for start in range(0, len(sequences), 512):
                hidden = self.net(self._padded(sequences[start : start + 512]))[:, -1, :]
                out.append(self.net.logits(hidden).numpy())
        self.net.train()
        return np.concatenate(out).astype(np.float64)

    def _padded(self, sequences: list[np.ndarray]) -> torch.Tensor:
        """The last `maxlen` items of each sequence, left-padded with 0."""
        maxlen = int(self.params["maxlen"])
        out = np.zeros((len(sequences), maxlen), dtype=np.int64)
        for row, s in enumerate(sequences):
            tail = s[-maxlen:]
            if len(tail):
                out[row, -len(tail) :] = tail
        return torch.from_numpy(out)

    def score_users(self, rows: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        return self._scores([self.sequences[int(r)] for r in rows])
