"""Every kind of job the worker knows, and the function that does it (given a ``ClaimedJob``).

A handler may be run more than once for one job (a worker died, or something after the email
failed): what it sends goes through ``courseware.core.mail.deliver``, which sends each message
once; what it writes is committed with the job's "done", or rolled back with its failure.
"""

from __future__ import annotations

from courseware.auth.services import send_reset_link
from courseware.core.mail import send_queued_mail
from courseware.manage.reminders import email_reminder
from courseware.notifications.services import email_digest, email_notification
from courseware.xapi.forwarding import forward_batch

HANDLERS = {
    "mail.send": send_queued_mail,
    "notification.email": email_notification,
    "notification.digest": email_digest,
    "reminder.email": email_reminder,
    "password.reset": send_reset_link,
    "xapi.forward": forward_batch,
}
