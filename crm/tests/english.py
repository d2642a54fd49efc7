"""What a French page must not show: English words of the interface. A list of words rather
than language detection, so a failure names the word and where it is; words that French
writes the same way (Contact, Description, Page, Version, Total...) are left out."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ENGLISH_WORDS = re.findall(
    r"\S+",
    """
the and with your you this that these those are was were has have not no yes of for from by
into there here what when which who will can must should please Save Close New Edit Delete
Cancel Remove Apply Confirm Back Show Hide Open Search Select Create Update Import Export
Download Refresh Previous Next First Last All None Other Any Yes No Home Sales Accounts Account
Customers Tools Recent Pinned Pin Unpin Sign Settings Name Phone Email Owner Status Active
Inactive Records Record Rows Row View Views Field Address Street City Country Website Industry
Category Company Manager Employees Revenue Created Modified Skipped Failed Updated Completed
Submitted Uploaded Mapping Column Columns Required required Enter enter Choose choose Language
English Quick Jump letter Letter Details Information information Summary Primary Parent
Sub-accounts Direct reports Reason Line
""",
)
_WORD = re.compile(r"[\w'-]+", re.UNICODE)
_IGNORED_TAGS = {"script", "style", "svg", "template"}
# Attributes a person reads or hears.
_READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _IGNORED_TAGS:
            self._skipping += 1
        attributes = dict(attrs)
        self.parts += [value for name, value in attrs if name in _READ_ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.parts.append(attributes["value"])
        # A language is named in its own words ("English" in the French switch) on purpose.
        if attributes.get("lang") not in (None, "fr") and tag not in {"html"}:
            self._skipping += 1
            self._lang_tag = tag

    def handle_endtag(self, tag):
        if tag in _IGNORED_TAGS or tag == getattr(self, "_lang_tag", None):
            self._skipping = max(0, self._skipping - 1)
            self._lang_tag = None

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_words_in(text: str, *, allowed: set[str] = frozenset()) -> list[str]:
    """The English words of `text` with a few words of context, e.g. ['Save (… Save & Close …)']."""
    words = set(ENGLISH_WORDS) - set(allowed)
    found = []
    for match in _WORD.finditer(text):
        if match.group() in words:
            context = text[max(0, match.start() - 30) : match.end() + 30]
            found.append(f"{match.group()} (…{context}…)")
    return found
