"""Caps on what a client may send, one definition for the pages, the console and the API.

They keep every number inside its 64-bit column (a line's quantity × unit price too) and
every text a size a person writes. The README's configuration section lists them.
"""

from datetime import UTC, datetime

import pycountry

# ¥10 000 000 000, the most the pages' yuan fields take (ten digits); times MAX_QUANTITY it
# still fits a signed 64-bit integer.
MAX_FEN = 10**12
MAX_QUANTITY = 1_000_000
MAX_ORDER_LINES = 500

DESCRIPTION_MAX = 4000  # the buyer's description of the problem
STATEMENT_MAX = 4000  # statements: the merchant's response, an escalation, a report, reasoning
MESSAGE_MAX = 1000  # a message with an offer or an answer to one

# An order's dates: after this and before LATEST (a year 65 order is a typo or an attack,
# and such a time cannot even be written back in ISO 8601 in the local zone's offset).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

# ISO 4217 codes in use (pycountry's copy of the standard's list one).
CURRENCIES = frozenset(currency.alpha_3 for currency in pycountry.currencies)
