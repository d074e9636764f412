"""The service catalog: categories, services, notices (申报须知) and the forms they use."""

from __future__ import annotations

from kiosk.catalog.models import (
    DOCUMENT_TYPES,
    Catalog,
    CatalogError,
    Category,
    Material,
    Notice,
    Service,
    catalog_schema,
)

__all__ = ["DOCUMENT_TYPES", "Catalog", "CatalogError", "Category", "Material", "Notice", "Service",
           "catalog_schema"]
