"""The build report: what happened to each source and section, in words an editor can act on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digest.check import GMAIL_CLIP, Finding
from digest.collect.run import SourceReport
from digest.model import Filled


@dataclass(frozen=True)
class SectionCount:
    """One line of the report's sections: what a section shows, and what it matched before its limit."""

    title: str
    kind: str
    count: int
    matched: int = 0
    limit: int | None = None

    @classmethod
    def of(cls, box: Filled) -> SectionCount:
        return cls(box.section.title, box.section.kind, len(box.items), box.matched, box.section.limit)


@dataclass(frozen=True)
class Report:
    """How an edition was made, assembled once by build_edition; writing adds only the output paths."""

    sources: tuple[SourceReport, ...]
    sections: tuple[SectionCount, ...]
    html_bytes: int = 0
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    check_summary: str = ""
    check_findings: tuple[Finding, ...] = ()  # every finding of `digest check` on the HTML, errors first
    draft: Path | None = None  # the draft the edition was built from, None: from the feeds

    @property
    def item_count(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def check_lines(self) -> tuple[str, ...]:
        """Each finding as `digest check` prints it."""
        return tuple(f"{f.severity:<7} {f.code}: {f.message}" for f in self.check_findings)

    @property
    def check_errors(self) -> int:
        return sum(f.severity == "error" for f in self.check_findings)

    def problems(self) -> list[str]:
        """Every problem of the build, each naming its source or cause: `digest check`'s findings
        (errors first, the footer's among them), then the build's own warnings."""
        out = [f"digest check: {f.message}" for f in self.check_findings] + list(self.warnings)
        for s in self.sources:
            if s.status in ("failed", "stale"):
                out.append(f"{s.name}: {s.status}: {s.reason}")
            if s.moved_to:
                out.append(f"{s.name}: the feed has moved permanently: use {s.moved_to} in sources.toml")
            out.extend(f"{s.name}: {p}" for p in s.problems)
        if self.html_bytes > GMAIL_CLIP and not self.check_summary:  # a checked build's size finding says it
            out.append(f"newsletter.html is {self.html_bytes / 1024:.1f} KB: Gmail clips emails over 102 KB — "
                       "lower a section's limit or shorten summary_length")
        for box in self.sections:
            if box.kind != "text" and not box.count:
                out.append(f"section {box.title!r} is empty this edition")
        return out


def _status(s: SourceReport) -> str:
    if s.status in ("stale", "failed"):
        return f"{s.status}: {s.reason}"
    return s.status


def format_report(report: Report, outputs: dict[str, Path] | None = None, *, verbose: bool = False) -> str:
    """A plain table: sources, sections, outputs, then every problem, `digest check`'s findings among them
    (verbose: with each finding's code, as `digest check` prints it)."""
    width = max([len(s.name) for s in report.sources] + [6])
    lines = [f"{'Source':<{width}}  {'found':>5}  {'used':>4}  status"]
    for s in report.sources:
        lines.append(f"{s.name:<{width}}  {s.found:>5}  {s.used:>4}  {_status(s)}")
    lines.append("")
    swidth = max([len(b.title) for b in report.sections] + [7])
    lines.append(f"{'Section':<{swidth}}  items")
    for box in report.sections:
        count = "text" if box.kind == "text" else str(box.count)
        if box.matched > box.count:
            count += f" (of {box.matched}, limit {box.limit})"
        lines.append(f"{box.title:<{swidth}}  {count}")
    lines.append("")
    for name, path in (outputs or {}).items():
        size = path.stat().st_size if path.exists() else 0
        note = ""
        if name == "newsletter.html" and report.item_count:
            note = f"  ({size / report.item_count:.0f} B per item; Gmail clips at 102 KB)"
        lines.append(f"wrote {path} ({size / 1024:.1f} KB){note}")
    if report.check_summary:
        lines.append(f"digest check: {report.check_summary}" + (" (listed below)" if report.check_findings else ""))
        if verbose:
            lines.extend(f"  {line}" for line in report.check_lines)
    problems = report.problems()
    if problems:
        errors, warnings = report.check_errors, len(problems) - report.check_errors
        counted = f"{warnings} warning{'s' if warnings != 1 else ''}"
        lines.append("")
        lines.append((f"{errors} error{'s' if errors != 1 else ''} and {counted}" if errors else counted) + ":")
        lines.extend(f"  - {'error: ' if i < errors else ''}{p}" for i, p in enumerate(problems))
    lines.append(f"done in {report.seconds:.2f} s")
    return "\n".join(lines)
