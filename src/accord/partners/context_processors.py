from django.conf import settings


def accord(request) -> dict:
    """Every page knows the signed-in partner's channel manager (the "your channel manager" card)."""
    user = getattr(request, "user", None)
    context = {"LANGUAGES_AVAILABLE": settings.LANGUAGES}
    if user is not None and user.is_authenticated and user.partner_id:
        from accord.partners.selectors import channel_manager_of

        context["channel_manager"] = channel_manager_of(user)
    return context
