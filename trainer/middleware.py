"""Small middleware of our own."""

from django.utils.cache import patch_vary_headers


class VaryOnHtmxMiddleware:
    """Pages that answer htmx with a fragment (the library filter, the dashboard
    matrix) share their URL with the whole page (hx-push-url), so a browser or
    proxy cache must keep the two apart: without `Vary: HX-Request`, going Back
    after a filter showed the cached bare fragment. Set on every response, so a
    new partial view cannot forget it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response
