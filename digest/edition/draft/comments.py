"""A draft's HTML comments: notes to the editor, or an item's id. Found outside code, checked, blanked out.

Blanking keeps the line breaks, so every line number the reader reports is the editor's. A comment
that is never closed is reported where it opens and never allowed to swallow what follows.
"""

from __future__ import annotations

import re

from digest.edition.draft.tokens import code_lines

ID = re.compile(r"^\s*id:\s*([0-9a-zA-Z_-]+)(.*)$", re.S)  # <!-- id: 3f2a… --> under an item's heading
Comment = tuple[int, str]  # its line (1-based) and what is inside it


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` follows an odd number of backslashes (Markdown's escape)."""
    run = len(text[:at]) - len(text[:at].rstrip("\\"))
    return run % 2 == 1


def blank_comments(text: str) -> tuple[str, list[Comment], list[Comment]]:
    """(the text with its comments blanked, line breaks kept; each comment; each problem with its line)."""
    code = code_lines(text)
    comments: list[Comment] = []
    problems: list[Comment] = []
    out: list[str] = []
    done = search = 0
    while (start := text.find("<!--", search)) != -1:
        line = text.count("\n", 0, start) + 1
        if line - 1 in code or _escaped(text, start):  # `\\<!--` is text (write.py writes member text so)
            search = start + 4
            continue
        end, again = text.find("-->", start + 4), text.find("<!--", start + 4)
        if end != -1 and (again == -1 or end < again):
            stop, content = end + 3, text[start + 4:end]
            if ID.match(content) and "\n" in content:
                problems.append((line, "the id comment is not closed on its own line: end the line with -->"))
        else:  # never closed: report it and read on from the next line, so nothing is swallowed
            if again == -1:
                problems.append((line, "a comment opened with <!-- is never closed with -->"))
            else:
                problems.append((line, "a comment opened with <!-- is not closed with --> before the next one "
                                       f"opens on line {text.count(chr(10), 0, again) + 1}: end it with -->"))
            stop = text.find("\n", start)
            stop = len(text) if stop == -1 else stop
            content = text[start + 4:stop]
        comments.append((line, content))
        out += [text[done:start], "\n" * text.count("\n", start, stop)]
        done = search = stop
    out.append(text[done:])
    return "".join(out), comments, problems
