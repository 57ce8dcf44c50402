"""Both languages everywhere: the zh_Hans catalogue is complete and nothing hides from it.

makemessages is not run here; instead the .po file is read, and every literal the Python
source hands to gettext (and every ``{% translate "…" %}`` of the templates) must be in it
with a translation. ``_()`` inside an f-string is refused outright: xgettext never extracts
it, so its words would stay English.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = ("accounts", "arbitration", "evidence", "notifications", "webhooks")
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgstr(s) and flags (a small reader,
    enough for the files makemessages writes)."""
    entries, entry, field = [], None, None

    def close():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": []}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field == "msgstr":
                entry["msgstr"][-1] += _unquote(line)
            else:
                entry[field] += _unquote(line)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(_unquote(rest))
            else:
                field = keyword
                entry[field] = _unquote(rest)
    close()
    return entries


def catalogue() -> dict[tuple[str, str], dict]:
    return {(e.get("msgctxt", ""), e["msgid"]): e for e in read_po(ZH) if e["msgid"]}


def _python_files():
    for top in SOURCES:
        yield from (p for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts)


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _literal(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def python_msgids() -> set[tuple[str, str, str]]:
    """(context, msgid, where) of every gettext call with literal arguments."""
    found = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _name(node.func) not in GETTEXT:
                continue
            args = [_literal(a) for a in node.args]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if _name(node.func).startswith("pgettext") and len(args) >= 2 and all(args[:2]):
                found.add((args[0], args[1], where))
            elif args and args[0]:
                found.add(("", args[0], where))
    return found


def template_msgids() -> set[tuple[str, str, str]]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            found.add(("", match[2], str(path.relative_to(ROOT))))
    return found


def test_the_zh_catalogue_has_no_fuzzy_or_untranslated_entries():
    entries = [e for e in read_po(ZH) if e["msgid"]]
    assert len(entries) > 500
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"])]
    assert fuzzy == []
    assert empty == []


def test_every_string_the_code_translates_is_in_the_zh_catalogue():
    known = catalogue()
    missing = sorted(
        f"{where}: {msgid!r}"
        for context, msgid, where in python_msgids() | template_msgids()
        if (context, msgid) not in known
    )
    assert missing == []


def test_no_gettext_call_sits_inside_an_f_string():
    offenders = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and _name(inner.func) in GETTEXT:
                    offenders.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert offenders == []


def test_no_gettext_is_handed_an_f_string():
    pattern = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*f["']""")
    offenders = [
        str(path.relative_to(ROOT)) for path in _python_files() if pattern.search(path.read_text())
    ]
    assert offenders == []


def test_the_reader_sees_fuzzy_and_empty_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Header"\n\n#, fuzzy, python-format\nmsgid "A %(x)s"\nmsgstr "甲"\n\n'
        'msgid "B"\nmsgstr ""\n\nmsgctxt "c"\nmsgid ""\n"C"\nmsgstr "丙"\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert [(e.get("msgctxt", ""), e["msgid"], e["msgstr"]) for e in entries] == [
        ("", "", ["Header"]),
        ("", "A %(x)s", ["甲"]),
        ("", "B", [""]),
        ("c", "C", ["丙"]),
    ]
    assert "fuzzy" in entries[1]["flags"]
