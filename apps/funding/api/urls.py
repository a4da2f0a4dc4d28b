from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("funding/standards", views.FundingStandardViewSet, basename="funding-standard")
router.register("funding/budgets", views.BudgetViewSet, basename="funding-budget")
router.register("funding/allocations", views.AllocationViewSet, basename="funding-allocation")
router.register("funding/expenses", views.ExpenseViewSet, basename="funding-expense")
router.register("funding/execution", views.ExecutionViewSet, basename="funding-execution")
urlpatterns = router.urls
