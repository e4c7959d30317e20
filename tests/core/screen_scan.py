"""What a person reads on a page, and what must never be there: raw choice codes, ISO dates, Django's English
durations, research tags, and (on an English page) Vietnamese source strings left untranslated.

Used by tests/core/test_screens.py, which crawls the demo for every role in both languages.
"""
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
# Unaccented Vietnamese words that are also choice codes ("ban hành", "làng" folded): not codes on a page.
# "test" is the word Vietnamese health staff use ("test nhanh", a kit counted in "test"), and a supplies category code.
_VIETNAMESE_WORDS = {"ban", "lang", "thon", "khoi", "ap", "none", "new", "lead", "test"}
# Names that are data (an agency's name, the supplies catalogue's items as the province names them), the same in
# both languages.
DATA_NAMES = {"Sở Y tế", "Gói thuốc A (hạ sốt, vitamin)", "Gói thuốc B (kháng viêm, chống đông)",
              "Gói thuốc C (kháng virus)"}
ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
RESEARCH_TAG = re.compile(r"\[(NF|C|NC|R|TODO|[A-Z]{1,2}\d?)\]")
# A decimal point with one or two decimals (thousands groups have three digits): "75.5%" on a Vietnamese page.
# A code that starts with a letter (ICD-10 "U07.1", "A97.0") is not a number.
ENGLISH_DECIMAL = re.compile(r"(?<![\d.,/:A-Za-z-])\d+\.\d{1,2}(?![\d.])")

TASK_REF = re.compile(r"[Nn]hiệm vụ \d|[Mm]ục \d")
ENGLISH_DURATION = re.compile(r"\b\d+\s?(years?|months?|weeks?|days?|hours?|minutes?)\b")


class _Text(HTMLParser):
    """The text nodes a reader sees (no script or style), stripped, each separately."""

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))


def text_nodes(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


@lru_cache
def choice_codes() -> frozenset[str]:
    """Stored values of every choice list that differ from their label and look like codes (icu, primary, …)."""
    from django.apps import apps

    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and value != str(label) and re.fullmatch(r"[a-z][a-z0-9_]{2,}", value):
                    codes.add(value)
    return frozenset(codes - _VIETNAMESE_WORDS)


@lru_cache
def translated_sources() -> frozenset[str]:
    """Vietnamese source strings with an English translation (a page in English must not show them as they are)."""
    out = set()
    for path in ROOT.glob("**/locale/en/LC_MESSAGES/django.po"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for entry in polib.pofile(str(path)):
            if entry.msgstr and entry.msgstr != entry.msgid and re.search(r"[À-ỹ]", entry.msgid) \
                    and "%" not in entry.msgid and "{" not in entry.msgid and len(entry.msgid) >= 4:
                out.add(entry.msgid)
    return frozenset(out)


def problems(html: str, language: str) -> list[str]:
    """What is wrong with the page for a reader in `language` ("vi" or "en")."""
    found = []
    codes = choice_codes()
    for node in text_nodes(html):
        if ISO_DATE.search(node):
            found.append(f"ISO date: {node[:80]!r}")
        if RESEARCH_TAG.search(node):
            found.append(f"research tag: {node[:80]!r}")
        if language == "vi":
            # Directive items are numbered 1.1, 2.3 (a reference, not a decimal).
            if ENGLISH_DECIMAL.search(node) and not TASK_REF.search(node) and not re.fullmatch(r"\d+(\.\d+)+", node):
                found.append(f"decimal point on a Vietnamese page: {node[:80]!r}")
            if ENGLISH_DURATION.search(node):
                found.append(f"English on a Vietnamese page: {node[:80]!r}")
            for word in re.findall(r"[a-z][a-z0-9_]{2,}", re.sub(r"“[^”]*”", "", node)):  # “…”: typed as is
                if word in codes and not re.search(rf"[\w/.:@-]{word}|{word}[\w/.:@-]", node):
                    found.append(f"raw code {word!r}: {node[:80]!r}")
        else:
            for word in re.findall(r"[a-z][a-z0-9]*_[a-z0-9_]+", node):
                if word in codes:
                    found.append(f"raw code {word!r}: {node[:80]!r}")
            if node in translated_sources() and node not in DATA_NAMES:
                found.append(f"untranslated: {node[:80]!r}")
    return found
