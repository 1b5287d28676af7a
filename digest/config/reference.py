"""The README's reference of every key, written from the declarations in keys.py.

Run `python -m digest.config.reference` after adding or changing a key: it rewrites the table
between the README's markers (tests/config/test_config.py fails until you do).
"""

from __future__ import annotations

from pathlib import Path

from digest.config.keys import TABLES
from digest.config.schema import reference

START, END = "<!-- keys: start (python -m digest.config.reference writes this) -->", "<!-- keys: end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def reference_table() -> str:
    """The Markdown tables of every key of every table, in declaration order."""
    return "\n".join(line for header, cls in TABLES for line in ["", *reference(cls, header)]).strip("\n")


def readme_with_reference(readme: str, table: str) -> str:
    """`readme` with the text between the START and END markers replaced by `table`."""
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{table}\n{END}{after}"


if __name__ == "__main__":  # rewrite the README's key reference from the declarations
    README.write_text(readme_with_reference(README.read_text(encoding="utf-8"), reference_table()), encoding="utf-8")
    print(f"rewrote the key reference in {README}")
