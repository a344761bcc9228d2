"""Great-circle distances, and the nearest-point index the whole logistics feature stands on.

Points become 3-D unit vectors; a k-d tree (SciPy's cKDTree) over them finds the k nearest by chord
length, which orders points exactly as great-circle distance does; a chord c is 2R·asin(c/2) km.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
# Vietnam with its islands, generously: a point outside is a typo, not a farm.
VIETNAM_BOUNDS = {"lat": (7.0, 24.0), "lon": (101.0, 118.0)}


def unit_vectors(lat, lon) -> np.ndarray:
    lat, lon = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def chord_to_km(chord):
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.asarray(chord) / 2, 1.0))


def haversine_km(lat1, lon1, lat2, lon2):
    """Brute-force great-circle distance (NumPy broadcasting): the reference the index must equal."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def inside_vietnam(lat: float, lon: float) -> bool:
    return (VIETNAM_BOUNDS["lat"][0] <= lat <= VIETNAM_BOUNDS["lat"][1]
            and VIETNAM_BOUNDS["lon"][0] <= lon <= VIETNAM_BOUNDS["lon"][1])


class PointIndex:
    """Active service points by position: `nearest(lat, lon, k)` -> [(row, km)], nearest first."""

    def __init__(self, ids, lats, lons, version: int = 0):
        self.ids = np.asarray(ids)
        self.lats, self.lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        self.version = version
        self.tree = cKDTree(unit_vectors(self.lats, self.lons)) if len(self.ids) else None

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(self, lat: float, lon: float, k: int = 5, max_km: float | None = None) -> list[tuple[int, float]]:
        if self.tree is None or k <= 0:
            return []
        k = min(k, len(self.ids))
        bound = math.inf if max_km is None else 2 * math.sin(max_km / (2 * EARTH_RADIUS_KM)) + 1e-12
        # One point: plain math is several times quicker than building NumPy arrays for it.
        phi, lam = math.radians(lat), math.radians(lon)
        vector = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
        chords, rows = self.tree.query(vector, k=[*range(1, k + 1)], distance_upper_bound=bound)
        size, to_km = len(self.ids), 2 * EARTH_RADIUS_KM
        return [(row, to_km * math.asin(min(chord / 2, 1.0)))
                for row, chord in zip(rows.tolist(), chords.tolist(), strict=True) if row < size]

    def nearest_many(self, lats, lons, k: int) -> tuple[np.ndarray, np.ndarray]:
        """For a batch of places: rows (n x k) and km (n x k), nearest first (vectorised, every core)."""
        chords, rows = self.tree.query(unit_vectors(lats, lons), k=k, workers=-1)
        return rows.reshape(len(lats), -1), chord_to_km(chords).reshape(len(lats), -1)
