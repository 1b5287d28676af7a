"""The fields a member's submission has, and the check of a source's `[sources.columns]` mapping.

Form tools name their columns after the questions asked ("What's your story?"), so a form source
may say which column holds which field: `[sources.columns]` maps a field below to a column's
heading. The fields are declared here, where the config is checked; the form reader
(digest/collect/readers/form.py) recognises the usual headings of each field by itself.
"""

from __future__ import annotations

from typing import Any

# field → what it holds (in the order a form usually asks)
FIELDS: dict[str, str] = {
    "timestamp": "when the form was sent",
    "name": "the sender's name (shown as \"Shared by …\")",
    "email": "the sender's email address (kept for the editor, never shown)",
    "phone": "the sender's phone number (kept for the editor, never shown)",
    "organisation": "the sender's group or organisation (shown as \"Shared by …\")",
    "title": "the headline",
    "story": "the text",
    "link": "a web address for more",
    "date": "an event's date (makes the submission an event)",
    "time": "an event's start time",
    "end": "an event's end time",
    "place": "an event's place",
}


def check_columns(value: dict[str, Any]) -> str | None:
    """Each key a field, each value the heading of a column in the form's sheet."""
    for name, heading in value.items():
        if name not in FIELDS:
            return (f"{name!r} is not a submission field: use {', '.join(FIELDS)} "
                    f"(e.g. story = \"Tell us your news\")")
        if not isinstance(heading, str) or not heading.strip():
            return f"{name} = {heading!r}: give the column's heading as text in quotes, e.g. {name} = \"Your {name}\""
    return None
