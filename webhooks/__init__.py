"""Carrier-facing HTTP edge: signature check, parse, call a service, answer."""
