"""Column widths for a terminal table that never cuts a figure or a word.

Rich shrinks every column of a table wider than the terminal and cuts what no longer fits with
"…" (a segment's total spend 420.995 became "420.…", pareto-nbd "pareto-…"). Here every column of
figures keeps the width of its widest value and text columns fold at spaces, no narrower than
their longest word, so no figure or word is cut; headers fold. What is left of the terminal's
width goes first to keeping the headers' words whole, then to whole headers and values, the
columns that need least first, so that as many as can be are shown whole. When even that
minimum does not fit, there is no layout (`None`): the caller prints each row as a block of
`column: value` lines instead.
"""

from __future__ import annotations

import re

__all__ = ["NUMBER", "column_widths", "overhead"]

NUMBER = re.compile(r"[-+]?[\d,]*\.?\d+(e[-+]?\d+)?%?")


def overhead(columns: int) -> int:
    """Characters a Rich table with edges and one space of padding per side adds to its columns' widths."""
    return 3 * columns + 1


def column_widths(headers: list[str], rows: list[list[str]], width: int) -> list[int] | None:
    """Each column's width so the table fits `width` characters with no value cut, or None when it cannot."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in headers]
    floor, words, natural = [], [], []
    for header, values in zip(headers, columns, strict=True):
        widest = max((len(v) for v in values), default=0)
        whole = all(NUMBER.fullmatch(v) for v in values if v)
        longest_word = max((len(w) for v in values for w in v.split()), default=0)
        floor.append(max(widest if whole else longest_word, 1))
        words.append(max([floor[-1], *(len(w) for w in header.split())]))  # the header's words whole too
        natural.append(max(widest, len(header), 1))
    room = width - overhead(len(headers))
    if sum(floor) > room:
        return None
    widths = floor[:]
    for wanted in (words, natural):  # then as much of each as fits, the columns needing least first
        for index in sorted(range(len(widths)), key=lambda i: wanted[i] - widths[i]):
            widths[index] += max(0, min(room - sum(widths), wanted[index] - widths[index]))
    return widths
