from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Chinese unless the user picked another language (the set_language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with an
    English browser would get English; lvzhi defaults to zh-hans and switches only on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
