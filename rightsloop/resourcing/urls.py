app_name = "resourcing"
urlpatterns: list = []
