"""System checks of settings that would otherwise fail only at the first request that reads them."""

import ipaddress

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs, **kwargs):
    errors = []
    for proxy in settings.LVZHI_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            errors.append(
                checks.Error(
                    f"LVZHI_TRUSTED_PROXIES: {proxy!r} is not an address or network.",
                    hint="List addresses or networks (10.0.0.0/8), separated by commas.",
                    id="lvzhi.E003",
                )
            )
    return errors
