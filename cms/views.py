from django.http import JsonResponse
from django.views.defaults import server_error as html_server_error


def server_error(request, template_name="500.html"):
    """A 500 for API clients is JSON; for readers it is the site's error page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"message": "Internal server error."}, status=500)
    return html_server_error(request, template_name=template_name)
