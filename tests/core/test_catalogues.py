"""The English catalogues agree with each other and with their source strings.

Django merges every app's catalogue into one per language, so a source string translated differently in two apps
gets whichever catalogue loads first (the public feedback button "Gửi" once read "Sent"). A string with two
meanings takes a `pgettext` context instead.
"""
import re
from collections import defaultdict
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]+\)[sdfr]|%[sdfr]|\{[a-zA-Z_0-9]*\}")


def _catalogues():
    for path in sorted(ROOT.glob("**/locale/en/LC_MESSAGES/django.po")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        yield path.relative_to(ROOT), polib.pofile(str(path))


def _entries():
    for path, po in _catalogues():
        for entry in po:
            if not entry.obsolete and "fuzzy" not in entry.flags:
                yield path, entry


def test_there_are_catalogues():
    assert len(list(_catalogues())) >= 10


def test_no_source_string_has_two_different_translations():
    seen: dict[tuple, dict[str, str]] = defaultdict(dict)
    for path, entry in _entries():
        if entry.msgstr:
            seen[(entry.msgctxt, entry.msgid)][str(path)] = entry.msgstr
    clashes = {key: found for key, found in seen.items() if len(set(found.values())) > 1}
    assert not clashes, "translated differently (use one translation, or pgettext for two meanings):\n" + "\n".join(
        f"  {ctx + ' | ' if ctx else ''}{msgid!r}: {found}" for (ctx, msgid), found in clashes.items()
    )


def test_placeholders_of_every_translation_match_its_source():
    wrong = []
    for path, entry in _entries():
        translations = [entry.msgstr] if entry.msgstr else [s for s in entry.msgstr_plural.values() if s]
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        expected = sorted(set(PLACEHOLDER.findall(" ".join(sources))))
        for text in translations:
            if sorted(set(PLACEHOLDER.findall(text))) != expected:
                wrong.append(f"  {path}: {entry.msgid!r} → {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_a_word_with_two_meanings_reads_right_in_each_place():
    from django.core.management import call_command
    from django.utils import translation

    call_command("compile_translations")
    with translation.override("en"):
        assert translation.gettext("Gửi") == "Send"  # the public feedback button
        assert translation.pgettext("sequencing sent", "Gửi") == "Sent"  # a sample sent for sequencing
        assert translation.gettext("Tử vong") == "Died"
        assert translation.pgettext("report figure", "Tử vong") == "Deaths"
