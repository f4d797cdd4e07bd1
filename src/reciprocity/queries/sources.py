"""Datasets and their vintages: dates, checksums, row counts, credit lines."""

from __future__ import annotations

import pandas as pd

from reciprocity.store.db import Store


def sources(store: Store) -> pd.DataFrame:
    """One row per vintage with its dataset's publisher and credit line."""
    vintages = store.vintages()
    if vintages.empty:
        return vintages
    datasets = store.datasets().rename(columns={"title": "dataset_title"})
    return vintages.merge(datasets, on="dataset", how="left")
