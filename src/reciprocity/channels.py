"""The channels through which technology moves, and what each one measures."""

from __future__ import annotations

from dataclasses import dataclass

from reciprocity.errors import NotFoundError


@dataclass(frozen=True)
class Channel:
    """A channel: whether it has a direction, its units, and the sources that feed it."""

    name: str
    description: str
    directed: bool
    units: tuple[str, ...]
    sources: tuple[str, ...]


UNITS = {
    "tiv_millions": "millions of SIPRI trend-indicator values (a volume of military "
                    "capability transferred, not money)",
}

CHANNELS: dict[str, Channel] = {
    c.name: c for c in (
        Channel("arms", "Deliveries of major conventional arms, incl. licensed production "
                "(flow runs supplier → recipient).", True, ("tiv_millions",), ("sipri",)),
    )
}


def get(name: str) -> Channel:
    """The channel called ``name``."""
    try:
        return CHANNELS[name]
    except KeyError:
        raise NotFoundError(
            f"unknown channel {name!r}; expected one of {sorted(CHANNELS)}") from None


def is_directed(name: str) -> bool:
    """True for directed channels; unknown channels are treated as directed."""
    channel = CHANNELS.get(name)
    return True if channel is None else channel.directed
