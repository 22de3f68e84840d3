"""One set of SQL for both engines: Catalyst's SQL is written for DuckDB and read on
PostgreSQL through sqlglot, with the few differences named here.

Why a translator rather than two sets of SQL: Catalyst has hundreds of statements, and
most differences are spelling (``?`` for ``%s``, ``list`` for ``array_agg``, ``QUALIFY``
for a filtered subquery, ``SEMI JOIN`` for ``EXISTS``, ``strftime`` for ``to_char``)
that sqlglot, a well-kept SQL parser and transpiler, already knows. What it does not
know, or where Catalyst means something particular, is named below, each with why.
A statement is translated once per process (cached by its text).
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres


class CatalystPostgres(Postgres):
    class Generator(Postgres.Generator):
        TYPE_MAPPING = {
            **Postgres.Generator.TYPE_MAPPING,
            # PostgreSQL has no unsigned integers. A response's key is a 128-bit hash
            # (UHUGEINT): NUMERIC(39) holds every value of it exactly.
            exp.DataType.Type.UINT128: "NUMERIC(39, 0)",
            exp.DataType.Type.UBIGINT: "NUMERIC(20, 0)",
            exp.DataType.Type.UTINYINT: "SMALLINT",
            exp.DataType.Type.DOUBLE: "DOUBLE PRECISION",
        }
        TRANSFORMS = {
            **Postgres.Generator.TRANSFORMS,
            # DuckDB's dayofweek counts Sunday as 0, like PostgreSQL's DOW.
            exp.DayOfWeek: lambda self, e: f"EXTRACT(DOW FROM {self.sql(e, 'this')})",
        }


def _name_subqueries(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL before 16 wants a name on every subquery in FROM; DuckDB does not."""
    for number, subquery in enumerate(tree.find_all(exp.Subquery)):
        if not subquery.alias and isinstance(subquery.parent, exp.From | exp.Join):
            subquery.set("alias", exp.TableAlias(this=exp.to_identifier(f"_from_{number}")))
    return tree


def _empty_list_defaults(tree: exp.Expression) -> exp.Expression:
    """``DEFAULT []``: PostgreSQL cannot type an empty array literal, so the empty
    array is written as a text literal, which the column's type reads."""
    for default in tree.find_all(exp.DefaultColumnConstraint):
        value = default.this
        if isinstance(value, exp.Array) and not value.expressions:
            default.set("this", exp.Literal.string("{}"))
    return tree


def _group_by_all(tree: exp.Expression) -> exp.Expression:
    """``GROUP BY ALL`` (DuckDB: every selected column without an aggregate) is not in
    PostgreSQL 15: those columns are named by their positions instead."""
    for select in tree.find_all(exp.Select):
        group = select.args.get("group")
        if group is None or not group.args.get("all"):
            continue
        plain = [
            exp.Literal.number(position)
            for position, column in enumerate(select.expressions, 1)
            if not column.find(exp.AggFunc)
        ]
        select.set("group", exp.Group(expressions=plain) if plain else None)
    return tree


# sqlglot cannot read a cast of a parameter to a list written ``?::VARCHAR[]``; the same
# cast written out reads the same on both engines.
_CAST_PARAMETER = re.compile(r"\?::([A-Z]+(?:\[\])?)")


@functools.lru_cache(maxsize=4096)
def to_postgres(sql: str) -> tuple[str, ...]:
    """The statements of ``sql`` (DuckDB's dialect), as PostgreSQL runs them."""
    trees = sqlglot.parse(_CAST_PARAMETER.sub(r"CAST(? AS \1)", sql), read="duckdb")
    return tuple(
        _group_by_all(_empty_list_defaults(_name_subqueries(tree))).sql(dialect=CatalystPostgres)
        for tree in trees
        if tree is not None
    )
