"""REST API routes of the supplies app, mounted under /api/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .api import BalanceViewSet, ItemViewSet, MovementViewSet, StoreViewSet, TransferViewSet

router = SimpleRouter()
router.register("supply-items", ItemViewSet, basename="supply-item")
router.register("stores", StoreViewSet, basename="store")
router.register("stock-balances", BalanceViewSet, basename="stock-balance")
router.register("stock-movements", MovementViewSet, basename="stock-movement")
router.register("stock-transfers", TransferViewSet, basename="stock-transfer")
urlpatterns = [  # before the router's (its stock-balances/<pk>/ would take import-opening)
    path("stores/<int:pk>/dispatch/", api.DispatchView.as_view(), name="store-dispatch"),
    path("stores/<int:pk>/supply-requests/", api.SupplyRequestCreateView.as_view(), name="store-supply-request"),
    path("supply-requests/<int:pk>/decision/", api.SupplyRequestDecideView.as_view(), name="supply-request-decide"),
    path("supply-shortfalls/<int:pk>/resolve/", api.ShortfallResolveView.as_view(), name="supply-shortfall-resolve"),
    path("stock-balances/import-opening/", api.OpeningImportView.as_view(), name="stock-opening-import"),
    *router.urls,
]

# Every UI write and the API route that makes it (tests/core/test_api_writes.py; docs/api.md). The store page's four
# forms: receipt and lot actions (issue, return, disposal, count) → stock-movement-list (POST /api/stock-movements/),
# dispatch → store-dispatch, supply request → store-supply-request.
UI_WRITES = {
    "supplies:store": "stock-movement-list",
    "supplies:shortfalls": "supply-shortfall-resolve",
    "supplies:reverse": "stock-movement-reverse",
    "supplies:transfer": "stock-transfer-receive",
    "supplies:decide": "supply-request-decide",
    "supplies:import": "stock-opening-import",
}
