"""One set of SQL for both engines: Catalyst's SQL is written for DuckDB and read on
PostgreSQL through sqlglot, with the few differences named here.

Why a translator rather than two sets of SQL: Catalyst has hundreds of statements, and
most differences are spelling (``?`` for ``%s``, ``list`` for ``array_agg``, ``QUALIFY``
for a filtered subquery, ``SEMI JOIN`` for ``EXISTS``, ``strftime`` for ``to_char``)
that sqlglot, a well-kept SQL parser and transpiler, already knows. What it does not
know, or where Catalyst means something particular, is named below, each with why.
A statement is translated once per process (cached by its text); one sqlglot cannot
translate faithfully raises rather than running with a different meaning.
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlglot import ErrorLevel, exp, transforms
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
            # any_value (which skips NULLs, as DuckDB reads it) arrives in PostgreSQL 16;
            # the first of the group's values that is not NULL is one.
            exp.IgnoreNulls: lambda self, e: _any_value(self, e),
            # arg_max/arg_min: the value on the row where the other is largest (smallest),
            # rows without one left out, as DuckDB does.
            exp.ArgMax: lambda self, e: _value_at(self, e, "DESC"),
            exp.ArgMin: lambda self, e: _value_at(self, e, "ASC"),
            # contains(text, part): PostgreSQL finds a part's position instead.
            exp.Contains: lambda self, e: (
                f"(STRPOS({self.sql(e, 'this')}, {self.sql(e, 'expression')}) > 0)"
            ),
        }


def _any_value(generator: Postgres.Generator, node: exp.IgnoreNulls) -> str:
    if not isinstance(node.this, exp.AnyValue):
        generator.unsupported("IGNORE NULLS other than any_value's")
        return generator.sql(node, "this")
    value = generator.sql(node.this, "this")
    return f"(ARRAY_AGG({value}) FILTER (WHERE {value} IS NOT NULL))[1]"


def _value_at(generator: Postgres.Generator, node: exp.Expression, order: str) -> str:
    value, by = generator.sql(node, "this"), generator.sql(node, "expression")
    return f"(ARRAY_AGG({value} ORDER BY {by} {order}) FILTER (WHERE {by} IS NOT NULL))[1]"


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


def _order_by_all(tree: exp.Expression) -> exp.Expression:
    """``ORDER BY ALL`` (DuckDB: by every selected column, left to right): positions."""
    for select in tree.find_all(exp.Select):
        order = select.args.get("order")
        if order is None or len(order.expressions) != 1:
            continue
        by = order.expressions[0]
        if isinstance(by.this, exp.Var) and by.this.name.upper() == "ALL":
            if select.is_star:
                raise sqlglot.errors.UnsupportedError("ORDER BY ALL of SELECT *")
            order.set("expressions", [
                exp.Ordered(this=exp.Literal.number(n), desc=by.args.get("desc"))
                for n in range(1, len(select.expressions) + 1)
            ])  # fmt: skip
    return tree


def _json_text(tree: exp.Expression) -> exp.Expression:
    """JSON kept as text (the outbox's payload): DuckDB reads a path from the text,
    PostgreSQL from a JSON value."""
    for extract in tree.find_all(exp.JSONExtractScalar):
        extract.set("this", exp.cast(extract.this, "JSON"))
    return tree


def _replaced_tables(tree: exp.Expression) -> list[exp.Expression]:
    """``CREATE OR REPLACE TEMP TABLE`` (staging, in DuckDB) is not PostgreSQL's: the
    old table is dropped first. A temporary table goes with its transaction, as the
    connection goes back to the pool afterwards."""
    if not (isinstance(tree, exp.Create) and tree.args.get("replace") and tree.kind == "TABLE"):
        return [tree]
    tree.set("replace", False)
    table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    return [exp.Drop(tables=[table.copy()], kind="TABLE", exists=True), tree]


_TEMPORARY = re.compile(r"^CREATE TEMPORARY TABLE (\S+) AS ")


# Parameters. Transforms move parts of a statement (a SEMI JOIN's condition goes into
# WHERE), so ``?`` cannot stay positional: each is numbered in the order written, as
# DuckDB numbers them, and sent to PostgreSQL by name (``%(p1)s``), in any order.
_QUOTED_OR_MARK = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\?")
# sqlglot cannot read a cast of a parameter to a list written ``$1::VARCHAR[]``; the
# same cast written out reads the same.
_CAST_PARAMETER = re.compile(r"(\$\d+)::([A-Z]+(?:\[\])?)")
# psycopg reads ``%`` as the start of a parameter; a literal one is written twice.
_PERCENT = re.compile(r"%(?!\(p\d+\)s)")


def _numbered(sql: str) -> str:
    count = 0

    def number(found: re.Match) -> str:
        nonlocal count
        if found.group() != "?":
            return found.group()  # inside a literal, a quoted name or a comment
        count += 1
        return f"${count}"

    return _QUOTED_OR_MARK.sub(number, sql)


def _named_parameters(tree: exp.Expression) -> exp.Expression:
    for placeholder in tree.find_all(exp.Placeholder):
        placeholder.set("this", f"p{placeholder.this}")
    return tree


def _adapted(tree: exp.Expression) -> exp.Expression:
    for change in (
        _name_subqueries,
        _empty_list_defaults,
        _group_by_all,
        _order_by_all,
        _json_text,
        # SEMI and ANTI JOIN are DuckDB's; sqlglot writes them as EXISTS and NOT EXISTS.
        transforms.eliminate_semi_and_anti_joins,
        _named_parameters,
    ):
        tree = change(tree)
    return tree


@functools.lru_cache(maxsize=4096)
def to_postgres(sql: str) -> tuple[str, ...]:
    """The statements of ``sql`` (DuckDB's dialect), as PostgreSQL runs them, with the
    parameters named ``p1``, ``p2``… in the order DuckDB numbers them (see parameters)."""
    trees = sqlglot.parse(_CAST_PARAMETER.sub(r"CAST(\1 AS \2)", _numbered(sql)), read="duckdb")
    return tuple(
        _written(part) for tree in trees if tree is not None for part in _replaced_tables(tree)
    )


def _written(tree: exp.Expression) -> str:
    statement = _adapted(tree).sql(dialect=CatalystPostgres, unsupported_level=ErrorLevel.RAISE)
    if statement.startswith("CREATE TEMPORARY TABLE "):
        if _TEMPORARY.match(statement):
            statement = _TEMPORARY.sub(r"CREATE TEMPORARY TABLE \1 ON COMMIT DROP AS ", statement)
        else:
            statement += " ON COMMIT DROP"
    return _PERCENT.sub("%%", statement)


def parameters(values) -> dict:
    """A statement's parameters (DuckDB's: a list, by position) by to_postgres's names."""
    return {f"p{number}": value for number, value in enumerate(values or (), 1)}
