"""Read queries compiled once, run many times: hot reads (the API's dispute body, the key
check, the findings summary) without the ORM's overhead.

Building and compiling a queryset costs more CPU than PostgreSQL spends answering it (about
0.4 ms of Python for a one-table read). A ``Prepared`` query is written as an ordinary
``values_list`` queryset, so the ORM still writes the SQL (table and column names, joins,
quoting, ordering) and converts the values (datetimes, JSON) exactly as it would; it is only
compiled once per database connection, with stand-in parameters that each call replaces.

Only for queries whose SQL does not depend on the parameter values: equality filters on ids,
no ``__in`` list or ``None`` (which compiles to ``IS NULL``) as a parameter. Constants written
into the queryset (an ``__in`` of fixed choices, the analyzer version) stay as they were
compiled, for the life of the connection.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from itertools import count

from django.db import connections
from django.db.models import QuerySet

# Stand-in values nobody's ids can take; each parameter of a query gets its own.
_STAND_INS = count(-7_340_000_000_000_001, -1)


def fields_of(model) -> list[str]:
    """The columns ``Model.from_db`` takes for a whole ``model`` row, in its order."""
    return [field.attname for field in model._meta.concrete_fields]


class Prepared:
    """``build(**params)`` returns a ``values_list`` queryset; ``rows(**params)`` its rows."""

    def __init__(self, build: Callable[..., QuerySet], *params: str, using: str = "default"):
        self.build = build
        self.params = params
        self.using = using
        # One compiled form per connection (a thread's own): converters get their connection.
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, connection):
        stand_ins = {name: next(_STAND_INS) for name in self.params}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, values = compiler.as_sql()
        slots = []
        for value in values:
            # A text column gets the stand-in as text.
            names = [name for name, stand_in in stand_ins.items() if str(value) == str(stand_in)]
            slots.append(names[0] if names else None)
        missing = set(self.params) - set(slots)
        if missing:
            raise ValueError(f"parameters {sorted(missing)} do not reach the SQL as values")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        width = compiler.col_count if compiler.has_extra_select else None
        converters = compiler.get_converters(fields)
        compiled = (sql, tuple(values), tuple(slots), width, compiler, converters)
        self._compiled[connection] = compiled
        return compiled

    def rows(self, **params) -> list[tuple]:
        connection = connections[self.using]
        compiled = self._compiled.get(connection) or self._compile(connection)
        sql, values, slots, width, compiler, converters = compiled
        pairs = zip(values, slots, strict=True)
        args = [value if slot is None else params[slot] for value, slot in pairs]
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall()
        if width is not None:  # columns the ORM added for its ORDER BY
            rows = [row[:width] for row in rows]
        if converters and rows:
            rows = list(map(tuple, compiler.apply_converters(rows, converters)))
        return rows
