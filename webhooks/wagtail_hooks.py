from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import WebhookDelivery
from .views import DeliveryLogPermissionPolicy, WebhookDeliveryViewSet, WebhookViewSet

# Before the viewsets exist, or Wagtail falls back to the model's own permissions.
register_permission_policy(WebhookDelivery, DeliveryLogPermissionPolicy(), exact_class=True)


@hooks.register("register_admin_viewset")
def register_webhook_viewsets():
    return [WebhookViewSet(), WebhookDeliveryViewSet()]
