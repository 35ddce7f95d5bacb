"""Headless preview in both APIs: ``/api/v2/preview/`` (``api.v2.preview``) and
``/api/v3/preview/`` (``api.v3.preview``) give the previewed page to the token's holder.

A frontend's preview route receives ``?token=…`` from the admin (``preview.tokens``) and fetches
the page here. The JSON is exactly what that API's detail endpoint gives for the page type
(same serializer in v2, same schema in v3), so the frontend renders it with its normal code;
the header ``Ukiyo-Preview: true`` says it is a preview. A missing, malformed, tampered or
expired token, or one used for another page type or language, gets a problem JSON and never
the draft.

Every answer is ``Cache-Control: private, no-store``: the URL carries no ``Authorization``
header, yet what it returns is unpublished and must never sit in a shared cache.
"""

PREVIEW_HEADER = "Ukiyo-Preview"
NO_STORE = "private, no-store"


def as_preview(response):
    response["Cache-Control"] = NO_STORE
    return response
