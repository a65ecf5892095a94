"""OpenAPI pieces for drf-spectacular: the bearer security scheme for API keys, and the known embete slugs."""

from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from organisations.models import Embete


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiNokkel"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Personlig API-nøkkel fra siden «API-nøkler»: `Authorization: Bearer <nøkkel>`.",
        }


def add_embete_enum(result, generator, request, public):
    """Postprocessing hook: list the embete slugs in the `embete` parameter, so clients (and the property-based
    test) know the valid values. Without a database (offline generation) the pattern alone stays."""
    try:
        slugs = sorted(Embete.objects.values_list("slug", flat=True))
    except DatabaseError:
        return result
    if not slugs:
        return result
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for param in operation.get("parameters", []):
                if param.get("name") == "embete" and param.get("in") == "query":
                    param["schema"] = {"type": "string", "enum": slugs}
    return result
