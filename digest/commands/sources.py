"""`digest sources add | list | check | import | export`: the member list in sources.toml."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.commands.options import config_option, dated

if TYPE_CHECKING:
    from digest.sources.discover import Candidate


@click.group("sources")
def sources() -> None:
    """Add members by their home page, list and check sources, move the list in and out as OPML."""


# for looking at sources: the day their events are counted from
date_option = dated("Count events from this day (default: today in the newsletter's timezone).")


@sources.command("add")
@click.argument("url")
@click.option("--name", help="The source's name (default: the page's title); with several, each adds what it is.")
@click.option("--member", help="The member these sources belong to: names come from it, and a comment says so.")
@click.option("--tags", multiple=True, metavar="TAG[,TAG…]", help="Tags for the new sources (repeat, or separate with commas).")
@click.option("--yes", "-y", is_flag=True, help="Add everything found without asking.")
@date_option
@config_option
@click.option("-v", "--verbose", count=True, help="Also list every address tried that gave nothing.")
def add(url: str, name: str | None, member: str | None, tags: tuple[str, ...], yes: bool, edition: date | None,
        config_path: Path, verbose: int) -> None:
    """Find what to read on a member's page (feeds, platform feeds, calendars, schema.org data) and add it."""
    from digest.config.load import load_config
    from digest.edition.pipeline import today
    from digest.exceptions import DigestError
    from digest.sources.discover import discover, window_from
    from digest.sources.edit import NewSource, add_sources

    config = load_config(config_path)
    url = url if "://" in url else f"https://{url}"
    tz = config.newsletter.tz
    found = discover(url, tz=tz, window=window_from(edition or today(config), tz),
                     summary_length=config.newsletter.summary_length)
    click.echo(f"{found.url}" + (f" ({found.title})" if found.title else ""))
    if found.platforms:
        click.echo(f"  built with: {', '.join(found.platforms)}")
    for number, candidate in enumerate(found.found, 1):
        click.echo(f"  {number}. {candidate.url}\n     {candidate.describe()} — {candidate.how}")
    if not found.found:
        tried = "\n".join(f"  tried {line}" for line in found.tried) or "  (the page suggests nothing to try)"
        raise DigestError(f"{found.url}: found no feed, calendar or schema.org events or posts digest can read:\n"
                          f"{tried}\nask the member for their RSS, Atom or iCalendar address")
    for line in found.tried if verbose else ():
        click.echo(f"  (tried {line})")
    chosen = found.found if yes else _choose(found.found)
    member_name = member or name or found.title or found.url.split("/")[2]
    tag_list = tuple(dict.fromkeys(t.strip() for group in tags for t in group.split(",") if t.strip()))
    names = [_name(c, member_name, name, len(chosen)) for c in chosen]
    new = [NewSource(named, c.url, tag_list, f"{member or found.title or found.url}: {c.how}",
                     member=member_name if named != member_name else "")  # readers see the member, never "… events"
           for named, c in zip(names, chosen, strict=True)]
    added, refused = add_sources(config.path, new)
    for source in added:
        click.echo(f"added {source.name!r}: {source.url}")
    for reason in refused:
        click.echo(f"not added: {reason}")
    if not added and not refused:
        click.echo("nothing added")


def _choose(found: list[Candidate]) -> list[Candidate]:
    """Ask on a terminal which to add; elsewhere there is no one to ask."""
    from digest.exceptions import DigestError

    if not _interactive():
        raise DigestError(f"nothing added: not a terminal to ask on — pass --yes to add all {len(found)}")
    numbers = " ".join(str(n) for n in range(1, len(found) + 1))
    answer = click.prompt("Add which? (numbers, 'all' or 'none')", default=numbers)
    if answer.strip().lower() == "all":
        return found
    picked: list[Candidate] = []
    for word in answer.replace(",", " ").split():
        if word.lower() == "none":
            return []
        if not word.isdigit() or not 1 <= int(word) <= len(found):
            raise DigestError(f"{word!r} is not one of the numbers 1–{len(found)}")
        if found[int(word) - 1] not in picked:
            picked.append(found[int(word) - 1])
    return picked


def _interactive() -> bool:
    return sys.stdin.isatty()


def _name(candidate: Candidate, member: str, name: str | None, count: int) -> str:
    """The new source's name: the member's (or --name) alone, or with what it is when adding several."""
    base = name or member
    if count == 1:
        return base
    what = "events" if candidate.quiet_calendar or (candidate.events and not candidate.posts) else \
        "news" if candidate.posts and not candidate.events else "news and events"
    return f"{base} {what}"


@sources.command("list")
@config_option
def list_sources(config_path: Path) -> None:
    """Each source: its name, address and tags, and how its last fetch went."""
    from digest.collect.store import Store
    from digest.config.load import load_config

    config = load_config(config_path)
    store_path = config.workspace.store
    states = {}
    if store_path.exists():
        with Store(store_path) as store:
            states = store.states()
    for source in config.sources:
        tags = f"  [{', '.join(source.tags)}]" if source.tags else ""
        state = states.get(source.name)
        last = "" if state is None else f"  last error: {state.last_error}" if state.last_error else \
            f"  last ok {state.ok_at}" if state.ok_at else ""
        click.echo(f"{source.name}: {source.url}{tags}{last}")
    click.echo(f"{len(config.sources)} source{'s' if len(config.sources) != 1 else ''}")


@sources.command("check")
@date_option
@config_option
def check(edition: date | None, config_path: Path) -> None:
    """Fetch every source now: ok, moved, gone, empty or failed, with what to do. Exit 1 unless all are ok."""
    from digest.config.load import load_config
    from digest.edition.pipeline import today
    from digest.sources.check import check_sources

    config = load_config(config_path)
    lines, ok = check_sources(config, edition or today(config))
    for line in lines:
        click.echo(line)
    click.echo(f"{ok} of {len(lines)} ok")
    if ok < len(lines):
        sys.exit(1)


@sources.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tags", multiple=True, metavar="TAG[,TAG…]", help="Tags to add to every imported source.")
@config_option
def import_opml(opml_file: Path, tags: tuple[str, ...], config_path: Path) -> None:
    """Add the feeds an OPML file lists (from a feed reader or `digest sources export`)."""
    from digest.config.load import load_config
    from digest.sources.edit import NewSource, add_sources
    from digest.sources.opml import read_opml

    config = load_config(config_path)
    extra = tuple(t.strip() for group in tags for t in group.split(",") if t.strip())
    listed = [NewSource(s.name, s.url, tuple(dict.fromkeys((*s.tags, *extra))))
              for s in read_opml(opml_file.read_bytes(), str(opml_file))]
    added, refused = add_sources(config.path, listed)
    for reason in refused:
        click.echo(f"not added: {reason}")
    click.echo(f"added {len(added)} of the {len(listed)} feeds in {opml_file.name}")


@sources.command("export")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of to the terminal.")
@config_option
def export_opml(out: Path | None, config_path: Path) -> None:
    """Write the sources as OPML, for a feed reader or another network."""
    from digest.config.load import load_config
    from digest.sources.opml import export_opml as opml
    from digest.write import write_atomic

    config = load_config(config_path)
    text = opml(config)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text)
        click.echo(f"wrote {len(config.sources)} sources to {out}", err=True)
    local = [source for source in config.sources if not source.is_remote]
    if local:
        where = local[0].url.rsplit("/", 1)[0] + "/…" if len(local) > 1 else local[0].url
        click.echo(f"note: {len(local)} source{'s are files' if len(local) > 1 else ' is a file'} on this computer "
                   f"({where}): other tools cannot read {'them' if len(local) > 1 else 'it'}", err=True)
