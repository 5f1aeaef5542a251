"""TODO (moderation helper)"""


def waiting(user):
    return None
