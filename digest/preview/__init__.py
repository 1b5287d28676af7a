"""`digest preview`: the edition in a browser, rebuilt as the editor saves, and the desk that edits its draft.

Layered without a cycle: builds.py (the Previewer) ← desk.py (the draft's changes) ← http.py
(what is served and its guards) ← server.py (the watcher, composing them into a server).
"""
