"""The platform REST API (``/api/v1/``): thin DRF adapters over the services."""
