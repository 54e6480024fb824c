"""Staff pages of consensus building; each area keeps its own routes beside its views."""

from .views import claims, exercises, polis, results, voting

app_name = "consensus"

urlpatterns = claims.urlpatterns + exercises.urlpatterns + voting.urlpatterns + results.urlpatterns + polis.urlpatterns
