"""``<id:pk>``: a row id in a URL. Digits that fit a 64-bit key (at most 18); a longer
number matches no route and is a plain 404, never an out-of-range query."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
