"""Template tags of the partner portal."""

import math
from datetime import timedelta

from django import template

from accord.partners import selectors
from accord.partners.models import User

register = template.Library()


@register.simple_tag
def partner_team_contact() -> User | None:
    """Whom a partner without a channel manager can write to instead: the vendor's first admin."""
    return selectors.partner_team_contact()


@register.filter
def minutes(duration: timedelta) -> int:
    """A lock-out or other pause in whole minutes, rounded up, for sentences like “in 15 minutes”."""
    return math.ceil(duration.total_seconds() / 60)
