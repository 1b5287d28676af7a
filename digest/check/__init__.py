"""Lint the newsletter's HTML for what goes wrong in inboxes, before it is sent.

Everything here is static: no browser, no network. Findings and their severity
(errors are what breaks the email for every reader; warnings are worth a look):

  error   size             over 102 KB as sent: Gmail clips the message ("[Message clipped]")
  warning size             over 90 KB as sent: close to that limit (both name the biggest section)
  error   parse            nothing to parse
  error   lang             <html> without lang: screen readers guess the language
  error   title            no or empty <title>: shown by web views and some previews
  warning preheader        no hidden preview text before the first visible text
  error   script           <script> (JSON-LD email markup is allowed): stripped, spam signal
  warning stylesheet       <link rel=stylesheet> or @import: most clients drop external CSS
  warning webfont          @font-face url(), Google Fonts: a request most clients ignore
  error   link-empty       href="" or "#": the link goes nowhere
  error   link-javascript  javascript: links are blocked everywhere
  error   link-relative    no base URL in an inbox, so a relative link is dead
  warning link-scheme      absolute but not http(s)/mailto/tel, clients may not open it
  warning link-text        "click here"/"read more"… alone, or no text at all
  error   img-src          missing, relative or data: src: the image never shows
  error   img-alt          no alt attribute (alt="" is fine: it marks decoration)
  warning img-width        no width attribute: Outlook shows the image at full size
  warning h1               not exactly one <h1>
  warning heading-order    a skipped heading level (h1 then h3)
  warning contrast         text under 4.5:1 against its known background (WCAG AA)
  warning font-size        visible text under 14px
  warning unsubscribe      no unsubscribe link or merge tag (UK PECR, CAN-SPAM)
  warning address          no postal address: no postcode, <address> or address merge tag (CAN-SPAM)
  warning caniemail        a feature that a default client does not support at all

"As sent" is the HTML with the email service's tracked links, its extras and quoted-printable
encoding (budget.py). Anchor links of a contents list (inside role="navigation") are not a
caniemail finding: where a client ignores them the list still names every section.

Links may also be ESP merge tags (*|UNSUB|*, {{ unsubscribe_url }}, {$unsubscribe},
[unsubscribe], %unsubscribe_url%): the ESP fills them in when sending.
Outlook-only markup in <!--[if mso]> comments is removed before anything is looked at.

The parts: lint.py runs the rules (check_html); finding.py holds what every rule reports (Finding)
and the size budget (GMAIL_CLIP); document.py parses the email and holds what rules share, css.py
reads CSS with tinycss2, rules.py holds the rules on the document, budget.py the size against
the clip, caniemail.py the rules on caniemail.com's data. This module re-exports finding.py only, so
`import digest.check` loads no parser: the checker itself is `digest.check.lint`.
"""

from digest.check.finding import GMAIL_CLIP, Finding, summarise

__all__ = ["GMAIL_CLIP", "Finding", "summarise"]
