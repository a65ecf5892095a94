from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent


def events_for(obj):
    ct = ContentType.objects.get_for_model(obj)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("aktor")
