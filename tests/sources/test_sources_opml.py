"""OPML in and out: export then import gives the same sources; a feed reader's folders become tags."""

from __future__ import annotations

from pathlib import Path

from digest.config.load import load_config
from tests.conftest import config_toml
from tests.network import digest

EMPTY = config_toml(title="New network", sources=[])


def sources_of(path: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(s.name, s.url, s.tags) for s in load_config(path).sources]


def test_export_then_import_gives_the_same_sources(sample_network: Path, tmp_path: Path) -> None:
    exported = tmp_path / "members.opml"
    result = digest("sources", "export", "-c", sample_network, "-o", exported)
    assert result.exit_code == 0, result.output
    assert "wrote 9 sources to" in result.output
    other = tmp_path / "other" / "sources.toml"
    other.parent.mkdir()
    other.write_text(EMPTY, encoding="utf-8")
    imported = digest("sources", "import", exported, "-c", other)
    assert imported.exit_code == 0, imported.output
    assert imported.output == "added 9 of the 9 feeds in members.opml\n"
    assert sources_of(other) == sources_of(sample_network)
    assert len(sources_of(other)) == 9 and sources_of(other)[0] == (
        "Co-Production Collective", "examples/feeds/coproduction-collective.xml", ("london", "research"))
    again = digest("sources", "import", exported, "-c", other)  # nothing is added twice
    assert again.output.splitlines()[-1] == "added 0 of the 9 feeds in members.opml"
    assert sources_of(other) == sources_of(sample_network)


def test_export_to_the_terminal_is_opml_and_names_local_files(sample_network: Path) -> None:
    result = digest("sources", "export", "-c", sample_network)
    assert result.exit_code == 0
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n  <head>\n'
                                    "    <title>Co-Production Network Digest</title>\n")
    assert ('    <outline type="rss" text="SCIE" title="SCIE" xmlUrl="examples/feeds/scie.atom" category="national"/>'
            in result.stdout)
    assert result.stderr.splitlines()[-1] == ("note: 9 sources are files on this computer (examples/feeds/…): "
                                              "other tools cannot read them")


def test_a_feed_readers_folders_become_tags(tmp_path: Path) -> None:
    opml = tmp_path / "feedly.opml"
    opml.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Feedly</title></head><body>
  <outline text="Leeds" title="Leeds">
    <outline type="rss" text="Hillside Carers" title="Hillside Carers" xmlUrl="https://hillside.example.org/feed/" htmlUrl="https://hillside.example.org/"/>
    <outline text="Councils"><outline type="rss" text="Leeds City Council &amp; partners"
      xmlUrl="https://leeds.example.gov.uk/news.rss" category="/council"/></outline>
  </outline>
  <outline type="rss" xmlUrl="https://untitled.example.org/atom.xml"/>
</body></opml>""", encoding="utf-8")
    config = tmp_path / "sources.toml"
    config.write_text(EMPTY, encoding="utf-8")
    result = digest("sources", "import", opml, "-c", config, "--tags", "imported")
    assert result.exit_code == 0, result.output
    assert sources_of(config) == [
        ("Hillside Carers", "https://hillside.example.org/feed/", ("Leeds", "imported")),
        ("Leeds City Council & partners", "https://leeds.example.gov.uk/news.rss", ("Leeds", "Councils", "council", "imported")),
        ("https://untitled.example.org/atom.xml", "https://untitled.example.org/atom.xml", ("imported",)),
    ]


def test_not_opml_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(EMPTY, encoding="utf-8")
    (tmp_path / "feed.xml").write_text("<rss version='2.0'><channel/></rss>", encoding="utf-8")
    (tmp_path / "broken.opml").write_text("<opml><body><outline", encoding="utf-8")
    result = digest("sources", "import", tmp_path / "feed.xml", "-c", config)
    assert (result.exit_code, result.output) == (
        2, f"Error: {tmp_path / 'feed.xml'}: is XML but not OPML (no <opml><body>): export the subscription list as OPML\n")
    result = digest("sources", "import", tmp_path / "broken.opml", "-c", config)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {tmp_path / 'broken.opml'}: is not readable OPML (")
    assert result.output.endswith("): export it again from the feed reader\n")


def test_xml_entities_in_opml_are_not_expanded(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(EMPTY, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("password", encoding="utf-8")
    opml = tmp_path / "xxe.opml"
    opml.write_text(f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file://{secret}">]>'
                    '<opml version="2.0"><body><outline text="&x;" xmlUrl="https://x.example.org/feed"/></body></opml>')
    result = digest("sources", "import", opml, "-c", config)
    assert "password" not in config.read_text() + result.output
    assert result.exit_code == 2
    assert "is not readable OPML (Attribute references external entity 'x'" in result.output
