class NorwegianByDefaultMiddleware:
    """Norwegian bokmål unless the user has chosen another language with the language switcher (pages; the API
    follows Accept-Language).

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, and staff on an
    English-language browser would get a half-English public-sector service they did not ask for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API (/api/) answers programs, which have no language switcher: there Accept-Language is followed
        # (and a session user's remembered language, accounts.middleware), so a 400 or 429 reads in the caller's
        # language.
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Turns off browser features the app never uses (camera, microphone, location …), so injected content could
    not use them either."""

    POLICY = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.POLICY)
        return response


class QueryCountHeaderMiddleware:
    """Benchmarks only (LAERINGSNETT_QUERY_COUNT_HEADER=true): adds X-Query-Count, the number of SQL statements
    the request ran, so bench/run.py can show that the count does not grow with the data. Off in production."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
