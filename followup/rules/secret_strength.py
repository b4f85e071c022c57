"""Whether a configured secret key is strong enough to sign sessions and response links.

A response link shows a signature made with the key, so a weak key can be found offline by
guessing (a dictionary, every short string) and then used to forge a sign-in cookie. The
rule is measurable:
- at least 32 characters;
- not repetitive: at least 90% of its three-character pieces differ from each other (a
  word or password repeated to length fails; a random key of 32 characters or more passes
  all but never);
- at least 128 bits by a character-class estimate: length × log2 of the size of the classes
  it uses (lower case 26, upper case 26, digits 10, anything else 33).
A key made by `secrets.token_urlsafe(48)` (64 characters) gives about 380 bits. No such rule
sees that a long passphrase of dictionary words is guessable: make keys with the command.
"""

import math
import string

MIN_LENGTH = 32
MIN_DIFFERENT_PIECES = 0.9
MIN_BITS = 128
HOW_TO_MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"

_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
_OTHER_SIZE = 33  # printable ASCII punctuation and space


def estimated_bits(key: str) -> float:
    """Length × log2(size of the character classes the key uses)."""
    pool = sum(len(chars) for chars in _CLASSES if any(c in chars for c in key))
    if any(not any(c in chars for chars in _CLASSES) for c in key):
        pool += _OTHER_SIZE
    return len(key) * math.log2(pool) if pool else 0.0


def different_pieces(key: str) -> float:
    """The share of its three-character pieces that occur once only, from 0 to 1."""
    pieces = [key[i : i + 3] for i in range(len(key) - 2)]
    return len(set(pieces)) / len(pieces) if pieces else 0.0


def weakness(key: str) -> str | None:
    """Why the key is too weak, in Dutch for the operator; None when it is strong enough."""
    if len(key) < MIN_LENGTH:
        return f"{len(key)} tekens, minstens {MIN_LENGTH} nodig"
    if (share := different_pieces(key)) < MIN_DIFFERENT_PIECES:
        return (
            f"herhaalt zich: {share:.0%} van de stukjes van drie tekens is verschillend, "
            f"minstens {MIN_DIFFERENT_PIECES:.0%} nodig"
        )
    if (bits := estimated_bits(key)) < MIN_BITS:
        return f"ongeveer {bits:.0f} bits toeval, minstens {MIN_BITS} nodig"
    return None
