from django.db import models
from django.utils.translation import gettext_lazy as _


class MachineTranslationReview(models.Model):
    """No table: the holder of the permission to publish unreviewed machine translation.

    Django attaches a permission to a model; this one only names the right
    (``translations.publish_unreviewed_machine_translation``, see ``translations.review``).
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "publish_unreviewed_machine_translation",
                _("Can publish unreviewed machine translations"),
            )
        ]
        verbose_name = _("machine translation review")

    def __str__(self):
        return str(self._meta.verbose_name)
