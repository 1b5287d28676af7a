"""UTM tagging: off by default; members' links only; never mailto:, merge tags or links already tagged."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.config.keys import Config, Utm
from digest.config.load import parse_config
from digest.edition.group import group
from digest.exceptions import ConfigError
from digest.model import Filled, Post
from digest.render.email import Rendered, render_views
from digest.render.utm import tag_url
from digest.render.views import section_views

CONFIG = '''[newsletter]
title = "Network"
intro = "See [our site](https://network.example.org/)."
footer = "[Contact us](https://network.example.org/contact)"
esp = "mailchimp"
{utm}

[[sections]]
title = "News"
kind = "posts"

[[sections]]
title = "Get involved"
kind = "text"
body = "Read [the guide](https://network.example.org/guide)."

[[sources]]
name = "A"
url = "https://a.example.org/feed"
'''
EDITION = date(2024, 10, 1)
BLURB = ('<p><a href="https://a.example.org/report?id=7&amp;x=1">Report</a> '
         '<a href="mailto:hi@a.example.org">Mail us</a> '
         '<a href="https://a.example.org/?ref=*|UNIQID|*">Merge</a> '
         '<a href="https://a.example.org/tagged?utm_source=theirs">Tagged</a></p>')
UTM = '[newsletter.utm]\nsource = "network-digest"\ncampaign = "digest-{date}"'
TAGS = "utm_source=network-digest&utm_medium=email&utm_campaign=digest-2024-10-01"



def render(config: Config, edition: date, filled: list[Filled]) -> Rendered:
    """A grouping rendered as a build renders it: as views."""
    return render_views(config, edition, section_views(filled, config))

def rendered(utm: str = "") -> Rendered:
    config = parse_config(CONFIG.replace("{utm}", utm), Path("sources.toml"))
    post = Post(id="1", source="A", title="Our report", url="https://a.example.org/report#top",
                published=datetime(2024, 9, 20, tzinfo=UTC), summary_html=BLURB)
    return render(config, EDITION, group([post], config, EDITION))


def hrefs(html: str) -> list[str]:
    return [str(h) for h in lxml_html.document_fromstring(html).xpath("//a/@href")]


def test_off_by_default() -> None:
    out = rendered()
    assert "utm_" not in out.html.replace("utm_source=theirs", "") and "utm_" not in out.text.replace("utm_source=theirs", "")


def test_members_links_only() -> None:
    out = rendered(UTM)
    assert [h for h in hrefs(out.html) if not h.startswith("#")] == [  # not the contents list's jumps
        "https://network.example.org/",  # the intro: the network's own words
        f"https://a.example.org/report?{TAGS}#top",  # the item's title link
        f"https://a.example.org/report?id=7&x=1&{TAGS}",  # a link in its blurb
        "mailto:hi@a.example.org",
        # a member's merge tag is defused (percent-encoded) by the sanitiser, so it is an ordinary link
        f"https://a.example.org/?ref=%2A%7CUNIQID%7C%2A&{TAGS}",
        "https://a.example.org/tagged?utm_source=theirs",
        "https://network.example.org/guide",  # a text section
        "https://network.example.org/contact",  # the footer
        "*|ARCHIVE|*",
        "*|UNSUB|*",
    ]
    assert f"  https://a.example.org/report?{TAGS}#top\n" in out.text


def test_the_web_version_is_not_tagged() -> None:
    assert "utm_source=network-digest" not in rendered(UTM).web


def test_defaults_when_the_table_is_empty() -> None:
    assert "https://a.example.org/report?utm_source=newsletter&utm_medium=email&utm_campaign=digest-2024-10-01#top" \
        in hrefs(rendered("[newsletter.utm]").html)


@pytest.mark.parametrize(("url", "tagged"), [
    ("https://x.org/a", "https://x.org/a?utm_source=s&utm_medium=m&utm_campaign=c+2024-10-01"),
    ("https://x.org/a?b=1#frag", "https://x.org/a?b=1&utm_source=s&utm_medium=m&utm_campaign=c+2024-10-01#frag"),
    ("http://x.org", "http://x.org?utm_source=s&utm_medium=m&utm_campaign=c+2024-10-01"),
    ("mailto:a@x.org", "mailto:a@x.org"),
    ("tel:+441234", "tel:+441234"),
    ("{{ unsubscribe_url }}", "{{ unsubscribe_url }}"),
    ("https://x.org/{$url}", "https://x.org/{$url}"),
    ("https://x.org/a?UTM_Source=mine", "https://x.org/a?UTM_Source=mine"),
])
def test_tag_url(url: str, tagged: str) -> None:
    assert tag_url(url, Utm(source="s", medium="m", campaign="c {date}"), EDITION) == tagged


def test_only_date_is_filled_in() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(CONFIG.replace("{utm}", UTM.replace("digest-{date}", "{month}")), Path("sources.toml"))
    assert str(error.value) == ("sources.toml: newsletter.utm.campaign (line 8): {month} is not filled in: "
                                "only {date} can be used here")


def test_utm_must_be_a_table() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(CONFIG.replace("{utm}", 'utm = "on"'), Path("sources.toml"))
    assert str(error.value) == "sources.toml: newsletter.utm (line 6): must be a table, not 'on'"
