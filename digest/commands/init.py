"""`digest init DIR`: a starter sources.toml with every key shown, and a copy of the theme."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from digest.exceptions import DigestError

STARTER = '''# sources.toml: your network's newsletter. Every key is shown; optional ones are commented out.

[newsletter]
title = "Our Network Digest"          # required: the newsletter's name
timezone = "Europe/London"            # IANA name: dates and event times are shown in it (default "UTC")
language = "en-GB"                    # dates in this language; becomes <html lang> (default "en"; Welsh: "cy")
intro = """
A few words from the editor, in **Markdown**.
"""
# preheader = "The one line shown after the subject in the inbox"
# logo = "https://example.org/logo.png"   # an absolute image URL
# accent = "#1d5a8c"                       # your brand colour (it is darkened if too light to read)
why = "You get this email because you are a member of our network."   # the footer's "why you get this" line
# address = "Our Network, 1 Example Street, London N1 0AA"              # postal address for the footer
# footer = "More Markdown for the footer"
# esp = "none"                           # mailchimp | buttondown | brevo | listmonk | campaign-monitor |
#                                        # mailerlite | none: that service's unsubscribe/view-online tags
# subject = "{title} – {date}"           # subject line of `digest send` test emails
# url = "https://example.org/digest/"    # where you publish archive/ (web versions and an Atom feed)
# summary_length = 280                   # characters of each item's blurb
# templates = "templates"                # a theme folder of your own (copied here by `digest init`)

# [newsletter.utm]                       # optional: tag members' links for their analytics
# source = "newsletter"
# medium = "email"
# campaign = "digest-{date}"

[[sections]]                              # sections are rendered in this order
title = "What else have we been up to?"
kind = "posts"                            # posts | events | text
days_back = 31                            # posts published in the 31 days before the edition date
# match = "(?i)research"                 # only items whose title matches this regular expression
# sources = ["Member name"]              # only items from these sources
# tags = ["london"]                      # only items whose source tags or categories include one of these
# limit = 10                             # at most this many items
# images = false                         # true: show each item's picture
# repeat = false                         # may items sent in an earlier edition appear again? (events: yes)

[[sections]]
title = "Coming up"
kind = "events"
days_ahead = 62                           # events starting in the 62 days from the edition date

[[sections]]
title = "Share your stories and get involved"
kind = "text"
body = """
Tell us what you have been up to: [email us](mailto:hello@example.org).
"""

[[sources]]
name = "A member"                         # required, unique: shown in the newsletter
url = "https://example.org/feed/"         # RSS, Atom, JSON Feed or iCalendar; or a file path relative to this file
# tags = ["london"]
'''


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path), default=Path("."))
@click.option("--force", is_flag=True, help="Overwrite an existing sources.toml.")
def init(directory: Path, force: bool) -> None:
    """Create DIRECTORY/sources.toml (commented, every key shown) and a copy of the default templates."""
    from digest.config import DEFAULT_TEMPLATES

    target = directory / "sources.toml"
    if target.exists() and not force:
        raise DigestError(f"{target} already exists: edit it, or pass --force to replace it")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(STARTER, encoding="utf-8")
        shutil.copytree(DEFAULT_TEMPLATES, directory / "templates", dirs_exist_ok=True)
    except OSError as exc:
        raise DigestError(f"cannot write to {directory} ({exc.strerror or exc}): choose a folder you can write to") from None
    click.echo(f"wrote {target} and {directory / 'templates'}/")
    click.echo(f"next: list your members in {target}, add templates = \"templates\" under [newsletter] to use "
               "your copy of the theme, then run: digest build --config " + str(target))
