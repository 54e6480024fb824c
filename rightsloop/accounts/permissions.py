"""Guard views by capability; object-level access lives in each app's queries.py."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def requires(*capabilities: str):
    """Refuse the view unless the signed-in viewer's role grants one of the capabilities."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            viewer = getattr(request, "viewer", None)
            if viewer is None:
                raise PermissionDenied(_("Your account is not a member of any organisation."))
            if not any(viewer.can(capability) for capability in capabilities):
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        wrapper.required_capabilities = capabilities
        return wrapper

    return decorator
