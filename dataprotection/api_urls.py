"""No REST endpoints yet: the registers are handled on their pages (mounted under /api/ like every domain app)."""
urlpatterns = []
