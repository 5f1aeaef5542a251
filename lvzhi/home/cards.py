"""The start page's own card: the entries every account has (HomeConfig.home_cards)."""


def entries(user):
    """Every user's own entries, last on the page: their file and duty record for a member, the library
    and the password for everyone. So no role opens an empty start page."""
    if not user.is_authenticated:
        return None
    return {"member": getattr(user, "member", None)}
