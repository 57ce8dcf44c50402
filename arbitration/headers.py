"""Pages for a signed-in person carry their dispute's private data: no cache keeps them.

Every response to a signed-in request that did not choose its own caching gets
``Cache-Control: private, no-store`` (evidence files keep their own ``private, max-age``).
"""

from django.utils.cache import patch_cache_control


class PrivatePages:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
