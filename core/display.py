"""How stored text is shown to people: without the marks researchers left in seeded notes and sources."""
import re

# "[NF]" (not found in the original document), "[C]" (confirmed), "[I]" (indirect source), and references to
# the research notes ("(rules-research 2.1)", "(kienthuc 168870; rules-research 1.4)").
_TAGS = re.compile(r"\s*\[(?:NF|C|I)\]|\s*\([^()]*rules-research[^()]*\)")


def strip_research_tags(text):
    if not text:
        return text
    return _TAGS.sub("", str(text)).strip()
