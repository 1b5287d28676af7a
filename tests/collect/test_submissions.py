"""Members' submissions: a Google Forms export and a folder of saved emails wait for the editor, and only
what is approved reaches a build — credited, sanitised, without the sender's address or phone.

Fixtures: tests/fixtures/submissions/ (google-forms.csv as Google Forms exports an en-GB form's
responses; emails/*.eml written by hand, one of them hostile); the .msg is written by tests/msgfile.py.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html

from digest.collect.readers.form import read_form
from digest.collect.readers.spec import ReadContext
from digest.collect.store import Store
from digest.collect.submissions import FLOOD, Submissions
from digest.model import Event, Post
from tests.conftest import FIXTURES
from tests.msgfile import outlook_msg
from tests.network import digest

DATE = "2024-10-01"
SENDERS = ("jane.doe@example.org", "sam@example.net", "spam@example.com", "priya.shah@example.org", "mallory@example.com",
           "tom@example.org")
PHONES = ("07700", "0113 496", "7946 0000")
CONFIG = """[newsletter]
title = "Network Digest"
timezone = "Europe/London"
language = "en-GB"

[[sections]]
title = "News"
kind = "posts"

[[sections]]
title = "Members' news"
kind = "posts"
tags = ["members"]

[[sections]]
title = "Coming up"
kind = "events"

[[sources]]
name = "Share your news form"
url = "google-forms.csv"

[[sources]]
name = "Emailed stories"
url = "emails"
"""


@pytest.fixture
def network(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "submissions" / "google-forms.csv", tmp_path)
    shutil.copytree(FIXTURES / "submissions" / "emails", tmp_path / "emails")
    (tmp_path / "sources.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "sources.toml"


def build(config: Path) -> dict[str, str]:
    result = digest("build", "-c", config, "--date", DATE, "-q")
    assert result.exit_code == 0, result.output
    folder = config.parent / "build" / DATE
    return {name: (folder / name).read_text(encoding="utf-8")
            for name in ("newsletter.html", "newsletter.txt", "newsletter.mjml", "web.html")}


def ids(config: Path) -> dict[str, str]:
    """Each submission's title → id, from the store."""
    with Store.beside(config) as store:
        return {s.item.title: s.id for s in Submissions(store).listing(statuses=("pending", "held", "approved",
                                                                                 "rejected"))}


TITLES = ("Our new allotment is open", "Coffee morning", "Buy cheap things", "Riverside walk and talk group is back",
          "Free training day")


def test_submissions_wait_until_approved_then_show_credited_clean_and_without_addresses(network: Path) -> None:
    outputs = build(network)
    for text in outputs.values():
        assert not any(title in text for title in TITLES)  # pending: in no output
    listed = digest("submissions", "list", "-c", network)
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert len([line for line in lines if line.startswith("*")]) == 5  # all new
    found = ids(network)
    assert f"*{found['Our new allotment is open'][:8]}  pending   2024-09-20 09:14  Share your news form: 'Our new " \
           "allotment is open' from Jane Doe, Hillside Carers <jane.doe@example.org>" in lines
    assert "           attached (not sent): walk.jpg (1 KB)" in lines
    assert digest("submissions", "list", "-c", network).output.count("*") == 0  # looked: nothing new since

    approved = digest("submissions", "approve", found["Our new allotment is open"][:6], found["Free training day"],
                      "-c", network)
    assert approved.exit_code == 0, approved.output
    assert approved.output.splitlines() == [f"approved {found['Our new allotment is open'][:8]} 'Our new allotment is open'",
                                            f"approved {found['Free training day'][:8]} 'Free training day'"]
    outputs = build(network)
    html, text = outputs["newsletter.html"], outputs["newsletter.txt"]
    assert "Our new allotment is open" in html and "Free training day" in html
    assert "Shared by Jane Doe, Hillside Carers" in html and "Shared by Jane Doe, Hillside Carers" in text
    assert "Shared by Mallory" in html
    assert not any(title in html for title in TITLES[1:4])  # still pending, or never approved
    for name, output in outputs.items():
        assert not any(address in output for address in SENDERS), name
        assert not any(phone in output for phone in PHONES), name
        assert "(email address removed)" in output and "(phone number removed)" in output
    for page in (html, outputs["web.html"]):
        tree = lxml_html.document_fromstring(page)
        assert not tree.xpath("//script")
        assert not [a for el in tree.iter() for a in el.attrib if a.lower().startswith("on")]  # no onerror=, onclick=
        assert not [h for h in tree.xpath("//@href") if h.strip().lower().startswith("javascript:")]
        assert "javascript:" not in page and "onerror" not in page


def test_a_rejected_submission_never_comes_back(network: Path) -> None:
    build(network)
    spam = ids(network)["Buy cheap things"]
    rejected = digest("submissions", "reject", spam, "--reason", "spam", "-c", network)
    assert rejected.output.splitlines() == [f"rejected {spam[:8]} 'Buy cheap things'"]
    sheet = network.parent / "google-forms.csv"
    with sheet.open("a", encoding="utf-8") as out:  # a new response: the sheet is read again
        out.write("25/09/2024 08:00:00,amir@example.org,Amir Khan,Leeds Voices,Choir practice,We sing on Fridays,,,,\n")
    outputs = build(network)
    assert "Buy cheap things" not in outputs["newsletter.html"]
    approving = digest("submissions", "approve", spam, "-c", network)
    assert approving.exit_code == 2
    assert approving.output.splitlines()[-1] == ("Error: 'Buy cheap things' was rejected: it stays out (rejected "
                                                 "submissions never come back)")
    listed = digest("submissions", "list", "--all", "-c", network).output
    assert f" {spam[:8]}  rejected" in listed and "           rejected: spam" in listed
    assert "'Choir practice' from Amir Khan, Leeds Voices <amir@example.org>" in listed
    assert "Buy cheap things" not in digest("submissions", "list", "-c", network).output


def test_the_editor_chooses_the_section_and_a_draft_follows_approvals_and_rejections(network: Path) -> None:
    build(network)
    found = ids(network)
    assert digest("draft", "-c", network, "--date", DATE).exit_code == 0
    draft = network.parent / "editions" / f"{DATE}.md"
    done = digest("submissions", "approve", found["Our new allotment is open"], "--section", "Members' news",
                  "--date", DATE, "-c", network)
    assert done.output.splitlines() == [f"approved {found['Our new allotment is open'][:8]} 'Our new allotment is open' "
                                        f"into \"Members' news\" (added to {DATE}.md)"]
    members = draft.read_text().split("## Members' news")[1].split("## Coming up")[0]
    assert "### [Our new allotment is open](https://hillside.example.org/allotment)" in members
    assert "Shared by Jane Doe, Hillside Carers" in members and "jane.doe@" not in draft.read_text()
    assert "Our new allotment is open" in build(network)["newsletter.html"]  # the draft's build
    wrong = digest("submissions", "approve", found["Coffee morning"], "--section", "News", "-c", network)
    assert wrong.exit_code == 2
    assert wrong.output.splitlines()[-1] == "Error: no events section is called 'News': choose one of 'Coming up'"
    gone = digest("submissions", "reject", found["Our new allotment is open"], "--date", DATE, "-c", network)
    assert gone.output.splitlines() == [f"rejected {found['Our new allotment is open'][:8]} 'Our new allotment is open' "
                                        f"(taken out of {DATE}.md)"]
    assert "Our new allotment is open" not in draft.read_text().split("digest offered")[0]
    assert "Our new allotment is open" not in build(network)["newsletter.html"]


def test_without_a_draft_the_chosen_section_wins_over_the_rules(network: Path) -> None:
    build(network)
    walk = ids(network)["Riverside walk and talk group is back"]
    assert digest("submissions", "approve", walk, "-s", "Members' news", "-c", network).exit_code == 0
    html = build(network)["newsletter.html"]
    members = html.split("Members&#39; news")[-1] if "Members&#39; news" in html else html.split("Members’ news")[-1]
    assert "Riverside walk and talk group is back" in members  # not in "News", the first posts section
    assert "Shared by Priya Shah, Riverside Mental Health Forum" in html


def test_an_unknown_id_is_a_sentence(network: Path) -> None:
    build(network)
    result = digest("submissions", "approve", "ffff0000", "-c", network)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: no submission has an id starting 'ffff0000': `digest submissions "
                                              "list --all` lists them")


def test_an_outlook_msg_in_the_folder_is_a_submission_with_its_attachment_listed(network: Path) -> None:
    headers = ("From: Tom Jones <tom@example.org>\r\nSubject: Cake sale at the hub\r\n"
               "Date: Wed, 25 Sep 2024 12:00:00 +0100\r\nMessage-ID: <cake@example.org>\r\n\r\n")
    (network.parent / "emails" / "cake.msg").write_bytes(outlook_msg(
        subject="Cake sale at the hub", body="Our cake sale raises money for the hub.\nSee https://hub.example.org/cakes\n\n"
        "Call Tom on 07700 900789.", sender="Tom Jones", address="tom@example.org", headers=headers,
        attachment=("poster.pdf", b"%PDF-1.4 " + b"x" * 3000)))
    build(network)
    cake = ids(network)["Cake sale at the hub"]
    listed = digest("submissions", "list", "-c", network).output
    assert (f"*{cake[:8]}  pending   2024-09-25 12:00  Emailed stories: 'Cake sale at the hub' from Tom Jones "
            "<tom@example.org>\n           attached (not sent): poster.pdf (3 KB)") in listed
    assert digest("submissions", "approve", cake, "-c", network).exit_code == 0
    html = build(network)["newsletter.html"]
    assert 'href="https://hub.example.org/cakes"' in html and "Shared by Tom Jones" in html
    assert "tom@example.org" not in html and "07700" not in html and "poster.pdf" not in html


def test_a_flood_from_one_form_is_held_with_a_warning(network: Path) -> None:
    rows = "".join(f"24/09/2024 10:{i // 60:02d}:{i % 60:02d},bot{i}@example.com,Bot,,Offer {i},Cheap,,,,\n"
                   for i in range(FLOOD + 5))
    sheet = network.parent / "google-forms.csv"
    sheet.write_text(sheet.read_text() + rows, encoding="utf-8")
    result = digest("build", "-c", network, "--date", DATE)
    assert result.exit_code == 0
    assert ("  - Share your news form: 105 submissions arrived on 2024-09-24: 100 or more in a day looks like a flood "
            "(a bot or a spam list), so the new ones are held — look at them with `digest submissions list --held` "
            "before approving any") in result.output
    held = digest("submissions", "list", "--held", "-c", network).output.splitlines()
    assert len(held) == FLOOD + 5 and all("  held  " in line for line in held)
    assert "'Our new allotment is open'" in digest("submissions", "list", "-c", network).output  # other days: pending


# --- reading forms ---------------------------------------------------------------------------------------

def context(language: str = "en-GB", columns: tuple[tuple[str, str], ...] = ()) -> ReadContext:
    tz = ZoneInfo("Europe/London")
    return ReadContext("Form", None, 280, tz, (datetime(2024, 10, 1, tzinfo=tz), datetime(2024, 12, 1, tzinfo=tz)),
                       language, columns)


@pytest.mark.parametrize(("tool", "sheet"), [
    ("Microsoft Forms", 'ID,Start time,Completion time,Email,Name,Your organisation,Headline,Tell us your news\n'
                        '1,9/30/24 9:58:01,9/30/24 10:03:12,anonymous,Jo Bloggs,Hull Circle,Circle turns ten,"We had cake."\n'),
    ("Tally", "Submission ID,Respondent ID,Submitted at,Name,Email,Organisation,Title,Story\n"
              "mKp1,3xQ,2024-09-30 09:03:12,Jo Bloggs,jo@example.org,Hull Circle,Circle turns ten,We had cake.\n"),
    ("Jotform", "Submission Date,Name,E-mail,Organisation name,Story title,Your story\n"
                '"Sep 30, 2024 10:03 am",Jo Bloggs,jo@example.org,Hull Circle,Circle turns ten,We had cake.\n'),
])
def test_each_form_tools_export_is_recognised(tool: str, sheet: str) -> None:
    read = read_form(sheet.encode(), context("en-US" if tool == "Microsoft Forms" else "en-GB"))
    assert read.problems == [] and len(read.items) == 1
    post = read.items[0]
    assert isinstance(post, Post) and post.title == "Circle turns ten"
    assert post.summary_html == "<p>We had cake.</p><p><em>Shared by Jo Bloggs, Hull Circle</em></p>"
    sender = read.senders[post.id]
    assert (sender.name, sender.organisation) == ("Jo Bloggs", "Hull Circle")
    assert sender.received is not None and sender.received.date().isoformat() == "2024-09-30"
    assert sender.received.hour in (9, 10)


def test_columns_mapping_and_day_first_dates_and_an_event_date() -> None:
    sheet = ("Amser,Enw,Beth yw eich newyddion?,Pryd,Faint o'r gloch,Ble\n"
             '01/10/2024 09:00:00,Siân,"Te a sgwrs",05/11/2024,2pm,"Neuadd y Dref"\n')
    columns = (("date", "Pryd"), ("name", "Enw"), ("place", "Ble"), ("story", "Beth yw eich newyddion?"),
               ("time", "Faint o'r gloch"), ("timestamp", "Amser"))
    read = read_form(sheet.encode(), context("cy", columns))
    assert read.problems == []
    event = read.items[0]
    assert isinstance(event, Event) and event.title == "Te a sgwrs"  # no title: the story's first words
    assert event.start.isoformat() == "2024-11-05T14:00:00+00:00" and event.location == "Neuadd y Dref"
    assert read.senders[event.id].received.isoformat() == "2024-10-01T09:00:00+01:00"  # type: ignore[union-attr]
    missing = read_form(sheet.encode(), context("cy", (("story", "Your news"),)))
    assert missing.problems[0] == ("columns.story = 'Your news' names no column of the sheet: its columns are 'Amser', "
                                   "'Enw', 'Beth yw eich newyddion?', 'Pryd', \"Faint o'r gloch\", 'Ble'")


def test_month_first_in_american_english() -> None:
    sheet = "Timestamp,Title,Story,Event date,Event time\n10/2/2024 9:00:00,Picnic,Bring food,10/5/2024,12:30\n"
    event = read_form(sheet.encode(), context("en-US")).items[0]
    assert isinstance(event, Event) and event.start.isoformat() == "2024-10-05T12:30:00+01:00"
    event = read_form(sheet.encode(), context("en-GB")).items[0]
    assert isinstance(event, Event) and event.start.isoformat() == "2024-05-10T12:30:00+01:00"


@pytest.mark.parametrize(("keys", "line"), [
    ('columns = { story = "" }', "sources[1].columns (line 11): story = '': give the column's heading as text in quotes, "
                                 "e.g. story = \"Your story\""),
    ('columns = { body = "Your news" }', "sources[1].columns (line 11): 'body' is not a submission field: use timestamp, "
                                         "name, email, phone, organisation, title, story, link, date, time, end, place "
                                         "(e.g. story = \"Tell us your news\")"),
])
def test_a_wrong_columns_mapping_says_how_to_fix_it(tmp_path: Path, keys: str, line: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[newsletter]\ntitle = "T"\n\n[[sections]]\ntitle = "News"\nkind = "posts"\n\n'
                    f'[[sources]]\nname = "Form"\nurl = "form.csv"\n{keys}\n', encoding="utf-8")
    result = digest("build", "-c", path)
    assert result.exit_code == 2
    assert re.sub(r"^Error: \S+: ", "", result.output.strip()) == line


def test_a_password_in_an_imap_address_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[newsletter]\ntitle = "T"\n\n[[sections]]\ntitle = "News"\nkind = "posts"\n\n'
                    '[[sources]]\nname = "Mail"\nurl = "imaps://news:secret@mail.example.org/Stories"\n', encoding="utf-8")
    result = digest("build", "-c", path)
    assert result.exit_code == 2
    assert result.output.strip().endswith("sources[1].url (line 10): has a password in it: take it out, and set "
                                          "DIGEST_IMAP_PASSWORD when you run digest instead")


def test_sources_check_reads_a_form_and_a_folder_of_emails_as_a_build_would(network: Path) -> None:
    result = digest("sources", "check", "-c", network, "--date", DATE)
    assert result.exit_code == 0
    assert result.output.splitlines() == ["Share your news form: ok: form, 2 posts, newest 2024-09-22, 1 event, next 2024-10-15",
                                          "Emailed stories: ok: mail, 2 posts, newest 2024-09-24", "2 of 2 ok"]
