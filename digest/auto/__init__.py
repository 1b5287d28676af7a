"""The month running itself, above edition/ and publish/ (it drafts editions and mails through publish's SMTP client).

`digest auto` drafts on the network's day and mails the editors (run.py, its notes in notes.py); `digest members`
keeps the ledger of what each member gave (ledger.py) and tells members whose feeds fail (notify.py, in the words
of troubles.py); records.py is what they remember in the store, lock.py keeps two runs from overlapping and
mail.py sends through [schedule.smtp]. Nothing is re-exported: `digest members` must not load the pipeline.
"""
