"""settings views"""

urlpatterns: list = []
