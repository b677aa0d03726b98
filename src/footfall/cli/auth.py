"""`footfall auth token create|list|revoke`: the API tokens `footfall serve` accepts (docs/serving.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from footfall.auth.roles import Role
from footfall.cli._common import FormatOption, WarehouseOption, command_group, err_console, open_warehouse, print_frame

app = command_group("Access to the API and dashboard: API tokens and their roles.")
token_app = command_group("Create, list and revoke API tokens (kept only as hashes in the warehouse).")
app.add_typer(token_app, name="token")


@token_app.command("create")
def create(
    role: Annotated[
        Role, typer.Option("--role", help="viewer (aggregates only), analyst (also personal data) or admin.")
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Who or what uses it (default: ROLE-<id>).", show_default=False)
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Create a token and print it once: it is stored only as a hash, so copy it now."""
    from footfall.auth.tokens import create_token

    with open_warehouse(warehouse) as wh:
        token, secret = create_token(wh, role=role, name=name)
    typer.echo(secret)
    err_console.print(
        f"token {token.token_id} ({token.name}, {token.role.value}): shown once, stored only as a hash. "
        "Send it as 'Authorization: Bearer <token>', or sign in to the dashboard with it.",
        highlight=False,
        soft_wrap=True,
    )


@token_app.command("list")
def list_(warehouse: WarehouseOption = None, fmt: FormatOption = "table") -> None:
    """List tokens: id, name, role, when created and revoked (never the tokens themselves)."""
    from footfall.auth.tokens import list_tokens

    with open_warehouse(warehouse, read_only=True) as wh:
        print_frame(list_tokens(wh), fmt, title="API tokens")


@token_app.command("revoke")
def revoke(
    token: Annotated[str, typer.Argument(help="The token's id or name (see footfall auth token list).")],
    warehouse: WarehouseOption = None,
) -> None:
    """Revoke a token: requests and dashboard sessions with it are refused from the next second on."""
    from footfall.auth.tokens import revoke_token

    with open_warehouse(warehouse) as wh:
        done = revoke_token(wh, token)
    typer.echo(f"revoked {done.token_id} ({done.name}, {done.role.value})")
