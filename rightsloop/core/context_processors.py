from .registry import site


def navigation(request):
    viewer = getattr(request, "viewer", None)
    return {
        "viewer": viewer,
        "menu": site.menu_for(viewer) if viewer else [],
        "memberships": getattr(request, "memberships", []),
    }
