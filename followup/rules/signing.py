"""Short MACs for what this service hands out and must recognise later (response links,
CSRF tokens): HMAC-SHA256 under the installation's secret key, 128 bits, URL-safe.
Each use has a purpose of its own, so a MAC made for one is never valid for another."""

import base64
import hashlib
import hmac

MAC_LENGTH = 22  # characters: 16 bytes in unpadded URL-safe base64


def mac(secret: str, purpose: str, text: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{text}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def mac_matches(secret: str, purpose: str, text: str, given: str) -> bool:
    return hmac.compare_digest(given.encode(), mac(secret, purpose, text).encode())
