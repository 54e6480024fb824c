
from .views import public

app_name = "consultation_public"
urlpatterns = [*public.urlpatterns]
