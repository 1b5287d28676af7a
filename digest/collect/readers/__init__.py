"""The readers: one module per format (feed, jsonfeed, ical, csv, page), each declaring its READER.

readers/spec.py says what a reader is; readers/registry.py picks one for a body (`detect`,
`read`). Nothing is imported here: every reader module imports its siblings, so a package
that re-exported the registry would import itself through them.
"""
