from django.utils.functional import SimpleLazyObject

from trainer.models import is_instructor


def roles(request):
    # Lazy: only pages that show instructor links pay for the query.
    return {"is_instructor": SimpleLazyObject(lambda: is_instructor(request.user))}
