"""Hamming distance between 64-bit integer columns and a value, computed in the database.

PostgreSQL has ``bit_count`` and ``#`` (xor); SQLite has neither, so a tiny ``tp_popcount``
function is registered on every SQLite connection and xor is spelled ``(a | b) - (a & b)``.
This lets near-duplicate verification discard non-matches before rows reach Python.
``HammingDistance`` is the ORM expression, ``hamming_sql`` the same for raw SQL.
"""

from django.db.backends.signals import connection_created
from django.db.models import Func, IntegerField, Value

from .forensics.fingerprints import to_signed64


class HammingDistance(Func):
    output_field = IntegerField()

    def __init__(self, column: str, value: int):
        super().__init__(column, Value(to_signed64(value)))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="bit_count((%(expressions)s)::bit(64))",
            arg_joiner=" # ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        (column, column_params), (value, value_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = f"tp_popcount(({column} | {value}) - ({column} & {value}))"
        params = (*column_params, *value_params, *column_params, *value_params)
        return sql, params


def hamming_sql(vendor: str, a: str, b: str) -> str:
    """SQL for the Hamming distance between two 64-bit integer expressions ``a`` and ``b``."""
    if vendor == "postgresql":
        return f"bit_count(({a} # {b})::bit(64))"
    return f"tp_popcount(({a} | {b}) - ({a} & {b}))"


def _popcount(value):
    return None if value is None else (value & 0xFFFFFFFFFFFFFFFF).bit_count()


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("tp_popcount", 1, _popcount, deterministic=True)


connection_created.connect(register_sqlite_functions, dispatch_uid="tianping-sqlite-popcount")
