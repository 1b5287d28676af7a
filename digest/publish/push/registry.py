"""The email services `digest push` can put a draft into, by the name --esp gives: one module each."""

from __future__ import annotations

from digest.publish.push.brevo import Brevo
from digest.publish.push.buttondown import Buttondown
from digest.publish.push.listmonk import Listmonk
from digest.publish.push.mailchimp import Mailchimp
from digest.publish.push.service import Service

SERVICES: dict[str, type[Service]] = {service.name: service for service in (Listmonk, Buttondown, Mailchimp, Brevo)}
