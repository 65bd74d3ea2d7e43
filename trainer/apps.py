from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class TrainerConfig(AppConfig):
    name = "trainer"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from trainer.names import keep_shown_name

        post_save.connect(keep_shown_name, sender=settings.AUTH_USER_MODEL, dispatch_uid="trainer.keep_shown_name")
