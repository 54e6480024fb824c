from .agreement_urls import urlpatterns as agreement_patterns
from .rating_urls import urlpatterns as rating_patterns

app_name = "relationships"
urlpatterns = [*agreement_patterns, *rating_patterns]
