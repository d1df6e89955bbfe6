"""Background work for commerce: tasks take ids, load rows and call services or send mail."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


@task
def notify_notice_subscribers(notice_id: int) -> int:
    """Mail each partner user subscribed to the notice's product, in their own language; returns how many."""
    from accord.commerce.models import NoticeSubscription, ProductNotice

    notice = ProductNotice.objects.select_related("product").get(pk=notice_id)
    link = settings.ACCORD_BASE_URL.rstrip("/") + reverse("portal:commerce_notice_list")
    sent = 0
    for subscription in (NoticeSubscription.objects.filter(product=notice.product, user__is_active=True)
                         .select_related("user").order_by("pk")):
        user = subscription.user
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("[%(sku)s] %(kind)s: %(title)s") % {"sku": notice.product.sku,
                                                             "kind": notice.get_kind_display(),
                                                             "title": notice.title}
            lines = [notice.body]
            if notice.affected_versions:
                lines.append(_("Affected versions: %(versions)s") % {"versions": notice.affected_versions})
            if notice.workaround:
                lines.append(_("Workaround: %(workaround)s") % {"workaround": notice.workaround})
            lines.append(_("All notices: %(link)s") % {"link": link})
            lines.append(_("You receive this because you subscribed to notices for %(sku)s in the partner portal.")
                         % {"sku": notice.product.sku})
            send_mail(subject[:200], "\n\n".join(lines), None, [user.email])
        sent += 1
    return sent
