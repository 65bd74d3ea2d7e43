"""The app's URLs plus two bench-only views, both through the whole middleware stack:

- /__bench__/bare: a constant response, the ceiling for a Django request here.
- /__bench__/auth: the same constant after loading the signed-in user (the session
  and user queries every learner request pays), to show how much of a real view's
  cost is authentication alone.
"""

from django.http import HttpResponse
from django.urls import path

from trainer.urls import urlpatterns as app_urlpatterns

BODY = b"ok\n"


def bare(request):
    return HttpResponse(BODY, content_type="text/plain")


def auth(request):
    return HttpResponse(BODY if request.user.is_authenticated else b"anonymous\n", content_type="text/plain")


urlpatterns = [
    path("__bench__/bare", bare, name="bench_bare"),
    path("__bench__/auth", auth, name="bench_auth"),
    *app_urlpatterns,
]
