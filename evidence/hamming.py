"""Hamming distance between 64-bit integer columns, computed in the database.

PostgreSQL has ``bit_count`` and ``#`` (xor); SQLite has neither, so a tiny ``tp_popcount``
function is registered on every SQLite connection and xor is spelled ``(a | b) - (a & b)``.
This lets near-duplicate verification discard non-matches before rows reach Python.
"""

from django.db.backends.signals import connection_created


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
