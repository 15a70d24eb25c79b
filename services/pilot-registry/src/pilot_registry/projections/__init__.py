"""The registry's read models: one row per programme, organisation, pilot object, finding and pilot, plus the
deemed-audit credits by credit code; written with the events that change them."""

from pilot_registry.projections.registry_views import REGISTRY_VIEWS, tables

__all__ = ["REGISTRY_VIEWS", "tables"]
