"""REST API routes of the supplies app, mounted under /api/."""
from rest_framework.routers import SimpleRouter

from .api import BalanceViewSet, ItemViewSet, MovementViewSet, StoreViewSet, TransferViewSet

router = SimpleRouter()
router.register("supply-items", ItemViewSet, basename="supply-item")
router.register("stores", StoreViewSet, basename="store")
router.register("stock-balances", BalanceViewSet, basename="stock-balance")
router.register("stock-movements", MovementViewSet, basename="stock-movement")
router.register("stock-transfers", TransferViewSet, basename="stock-transfer")
urlpatterns = router.urls
