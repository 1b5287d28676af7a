"""An edition out of digest's hands: its web version in archive/ (archive.py) and test sends over SMTP (send.py)."""
