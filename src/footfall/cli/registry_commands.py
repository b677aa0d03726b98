"""`versions` and `promote` for the model registries: `footfall recsys …` and `footfall ml …`.

A retrain promotes a new version only when it is not worse; these let a user see every stored
version with its figures and make any of them current by hand (a rollback after a bad model, or
a version stored without `--promote`). A running server picks the new pointer up on its next
request, as after a retrain (docs/recsys.md#registry-and-serving, docs/ml.md#registry).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from footfall.cli._common import Format, FormatOption, console, print_frame

if TYPE_CHECKING:
    from footfall.recsys.registry import ModelRegistry

__all__ = ["RegistryOption", "ml_promote", "ml_versions", "promote", "registry_path", "versions"]

RegistryOption = Annotated[
    Path | None,
    typer.Option("--registry", help="Model registry folder (default: FOOTFALL_DATA_DIR/models).", show_default=False),
]


def registry_path(path: Path | None) -> Path:
    """The registry folder named by the option, else under the data dir."""
    from footfall.config import get_settings

    return path or get_settings().data_dir / "models"


def versions(registry: RegistryOption = None, fmt: FormatOption = "table") -> None:
    """List the stored versions, oldest first: leave-last-out figures, their data, and which is current."""
    from footfall.recsys.registry import Registry

    store = Registry(registry_path(registry))
    print_versions(store, ["ndcg@10", "hr@10"], fmt, hint="footfall recsys train --promote")


def promote(
    version: Annotated[str, typer.Argument(help="The version to make current (see recsys versions).")],
    registry: RegistryOption = None,
) -> None:
    """Make VERSION the current model by hand, whatever its figures (a rollback); a server answers from it next."""
    from footfall.recsys.registry import Registry

    promote_by_hand(Registry(registry_path(registry)), version)


FamilyArgument = Annotated[str, typer.Argument(help="The model family: returns, purchases, segments or tabular.")]
MlFormatOption = Annotated[Literal["table", "json"], typer.Option("--format", help="table or json.")]


def ml_versions(family: FamilyArgument, registry: RegistryOption = None, fmt: MlFormatOption = "table") -> None:
    """List a model family's versions, oldest first: the figure promotion compares, the data, which is current."""
    from footfall.ml.registry import FAMILIES, ml_registry

    store = ml_registry(family, models_root=registry_path(registry))
    hint = "footfall ml segment|predict|tabular ... --promote; docs/ml.md#registry"
    print_versions(store, [FAMILIES[family][0]], fmt, hint=hint)


def ml_promote(
    family: FamilyArgument,
    version: Annotated[str, typer.Argument(help="The version to make current (see ml versions).")],
    registry: RegistryOption = None,
) -> None:
    """Make VERSION the family's current model by hand, whatever its figures (a rollback)."""
    from footfall.ml.registry import ml_registry

    promote_by_hand(ml_registry(family, models_root=registry_path(registry)), version)


def print_versions(store: ModelRegistry[Any], metrics: list[str], fmt: Format, *, hint: str) -> None:
    """Every version of `store`, oldest first: `metrics` from its evaluation, its data, whether it is current."""
    import polars as pl

    current = _current(store)
    rows = [_row(name, store.evaluation(name), metrics, name == current) for name in store.versions()]
    if not rows:
        console.print(f"{store.root}: no versions yet ({hint})", highlight=False)
        return
    shown = [_shown(row, metrics) for row in rows] if fmt == "table" else rows
    print_frame(pl.DataFrame(shown), fmt, title=f"{store.root}: {len(rows):,} version{'s' if len(rows) > 1 else ''}")


def promote_by_hand(store: ModelRegistry[Any], version: str) -> None:
    """Make `version` current whatever its figures, and say what was current before."""
    before = _current(store)
    store.promote(version)
    if before == version:
        console.print(f"{version} was already current", highlight=False)
    else:
        console.print(f"current: {before or '(none)'} → {version}", highlight=False)


def _current(store: ModelRegistry[Any]) -> str | None:
    """The current version, or None when nothing was promoted yet."""
    return store.current() if (store.root / "current").is_file() else None


def _row(name: str, evaluation: dict[str, Any], metrics: list[str], current: bool) -> dict[str, Any]:
    """One version as listed: its name (which ends with the model's), figures, the data they were measured on,
    and whether it is current."""
    data = evaluation.get("data") or {}
    about = f"{data.get('source', '?')} {str(data.get('sha256', ''))[:8]}".strip()
    return {"version": name} | {m: evaluation.get(m) for m in metrics} | {"data": about, "current": current}


def _shown(row: dict[str, Any], metrics: list[str]) -> dict[str, Any]:
    """A row as a terminal table shows it: figures to 4 decimals, the current version marked ✓."""
    figures = {m: "-" if row[m] is None else f"{row[m]:.4f}" for m in metrics}
    return row | figures | {"current": "✓" if row["current"] else ""}
