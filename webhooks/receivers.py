from django.dispatch import receiver

from events.models import published

from . import tasks


@receiver(published)
def fan_out(sender, event_ids, **kwargs) -> None:
    """Enqueue the fan-out of newly committed events (a lost message is caught by the sweep)."""
    tasks.dispatch_events.delay(event_ids)
