"""Buyer and merchant pages (htmx). Thin adapters: parse input, call one service, render."""
