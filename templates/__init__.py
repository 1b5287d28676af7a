"""The default theme, shipped inside the wheel as the package `digest.theme` (see pyproject.toml).

`digest init` copies the templates beside a network's sources.toml (without this file); a network
switches its copy on with `templates = "templates"` under [newsletter].
"""
