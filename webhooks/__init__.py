"""Signed webhooks: the event log platforms poll, and its deliveries to their endpoints."""
