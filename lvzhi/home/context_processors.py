from django.utils.functional import SimpleLazyObject

from . import registry


def menu(request):
    """The signed-in user's menu bar (lvzhi.home.registry.menu_for), built only if a page draws it:
    some entries cost a query (a unit's head decides leave without any permission)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu": SimpleLazyObject(lambda: registry.menu_for(user))}
