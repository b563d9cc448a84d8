"""Views, one module per area; each keeps its own ``urlpatterns``. Views stay thin: they fetch
through :func:`callgrade.web.access.access`, call a selector or service and render."""
