from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Signed-in users get their saved language unless they picked one with the switcher (cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.language
                and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
                and user.language in dict(settings.LANGUAGES)):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
