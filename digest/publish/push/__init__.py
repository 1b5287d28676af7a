"""`digest push`: the edition into an email service as a draft, never sent.

One module per service (listmonk.py, buttondown.py, mailchimp.py, brevo.py), each a Service
(service.py) listed in registry.py; client.py talks HTTP (retries, failures as sentences);
record.py keeps each draft's id beside the edition's draft; run.py puts them together.
Nothing is re-exported here: the modules import each other, so each is imported by its own name.
"""
