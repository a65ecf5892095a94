from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from accounts.permissions import get_active_role

from . import selectors


@login_required
def home(request):
    """The start page of the active role."""
    role = get_active_role(request.user)
    context = selectors.start_page(request.user, role)
    return render(request, context.pop("template"), context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
