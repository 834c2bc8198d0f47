"""App config for campaigns."""

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from campaigns.memo import forget
        from campaigns.models import Question

        def questions_changed(sender: type, instance: Question, **kwargs: object) -> None:
            forget(("questions", instance.campaign_id))

        post_save.connect(questions_changed, sender=Question, weak=False)
        post_delete.connect(questions_changed, sender=Question, weak=False)
