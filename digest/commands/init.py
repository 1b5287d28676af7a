"""`digest init DIR`: a starter sources.toml with every key shown, and a copy of the theme."""

from __future__ import annotations

import re
from pathlib import Path

import click

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
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--force", is_flag=True,
              help="Replace an existing sources.toml and theme (the old ones are kept as *.bak-<time>).")
def init(directory: Path, force: bool) -> None:
    """Create DIRECTORY/sources.toml (commented, every key shown) and a copy of the default theme.

    The copy in DIRECTORY/templates/ is switched on in the new sources.toml (templates =
    "templates"), so your edits to it take effect. DIRECTORY is created if it does not exist.
    """
    from digest.scaffold import scaffold

    made = scaffold(directory, starter(), force=force)
    for kept in made.kept:
        click.echo(f"kept your edited {kept.name.split('.bak-')[0]} as {kept}")
    click.echo(f"wrote {made.config} and {made.theme}/")
    click.echo(f"next: list your members in {made.config}, then run: digest build -c {made.config}")


def starter() -> str:
    """The starter sources.toml with the copied theme switched on."""
    text, found = re.subn(r'^# (templates = "templates")( *#.*)?$', r"\1   # your copy of the theme: edit it freely",
                          STARTER, count=1, flags=re.M)
    if not found:  # the starter must switch the copy on, or the copy would be a trap
        raise AssertionError("the starter sources.toml has no commented templates line")
    return text
