class NorwegianByDefaultMiddleware:
    """Norwegian bokmål unless the user has chosen English with the language switcher.

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, and staff on an
    English-language browser would get a half-English public-sector service they did not ask for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
