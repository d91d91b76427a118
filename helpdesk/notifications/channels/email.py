"""Email over SMTP (smtplib, with a timeout on the connection and every command; MAIL_* settings).

Flask-Mail is not used: it opens its SMTP connection without a timeout, so a server that accepts and
then says nothing would hold the worker for good. The Message-ID is made from the outbox row's key, so
a message sent twice after a worker crash carries the same id (mail clients and many servers fold those).
"""

from __future__ import annotations

import base64
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from helpdesk.notifications.channels import Delivery, DeliveryError

log = logging.getLogger(__name__)


class EmailSender:
    def __init__(
        self,
        server: str,
        port: int,
        sender: str,
        *,
        use_tls: bool = False,
        use_ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        suppress: bool = False,
        timeout: float = 10,
    ):
        self.server, self.port, self.sender = server, port, sender
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self.suppress = suppress
        self.timeout = timeout

    @classmethod
    def from_config(cls, config) -> EmailSender:
        return cls(
            config.get("MAIL_SERVER") or "localhost",
            int(config.get("MAIL_PORT") or 25),
            config.get("MAIL_DEFAULT_SENDER") or "helpdesk@localhost",
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            suppress=bool(config.get("MAIL_SUPPRESS_SEND")),
            timeout=float(config.get("SMTP_TIMEOUT", 10)),
        )

    def build(self, delivery: Delivery) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = delivery.address
        message["Subject"] = delivery.subject
        message["Date"] = formatdate(usegmt=True)
        domain = self.sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<{delivery.key}@{domain}>"
        message.set_content(delivery.body)
        for attachment in delivery.payload.get("attachments") or ():
            maintype, _, subtype = attachment["content_type"].partition("/")
            message.add_attachment(
                base64.b64decode(attachment["data"]),
                maintype=maintype,
                subtype=subtype,
                filename=attachment["filename"],
            )
        return message

    def send(self, delivery: Delivery) -> str | None:
        message = self.build(delivery)
        if self.suppress:
            log.info("MAIL_SUPPRESS_SEND: not sending %r to %s", delivery.subject, delivery.address)
            return "Not sent: MAIL_SUPPRESS_SEND is on."
        smtp_class = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        try:
            with smtp_class(self.server, self.port, timeout=self.timeout) as smtp:
                if self.use_tls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {exc.recipients}"[:500], permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            raise DeliveryError(f"SMTP {exc.smtp_code} {text}"[:500], permanent=exc.smtp_code >= 500) from exc
        except TimeoutError as exc:
            raise DeliveryError(f"the mail server did not answer within {self.timeout:g} s", unreachable=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            if "timed out" in str(exc):  # smtplib reports a read timeout as "Connection unexpectedly closed"
                raise DeliveryError(
                    f"the mail server did not answer within {self.timeout:g} s", unreachable=True
                ) from exc
            raise DeliveryError(f"cannot reach the mail server: {exc}"[:500], unreachable=True) from exc
        return None
