"""The member list in sources.toml: find what to read on a member's page, add it, check it, move it in and out as OPML."""
