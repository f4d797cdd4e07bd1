"""The classic register's deals matched to the per-delivery-year export's, and the comment
reading of licensed production measured against SIPRI's own ``Local production`` flag.

The classic export has no deal id, so deals are matched on what both layouts hold, in passes
from the strictest key to looser ones; each pass takes only pairs unique on both sides:

1. supplier, recipient, order year, designation and delivery years (up to the per-year
   export's last year);
2. supplier, recipient, order year and designation;
3. supplier, recipient, order year and delivery years (SIPRI renames designations between
   releases, e.g. ``F-35A`` → ``F-35A Lightning-2``);
4. supplier, recipient, designation and delivery years (order year revised).

Designations are compared without case, spaces and punctuation. Used by the test that holds
the reading to SIPRI's flag and by docs/methods.md ("Licensed production").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

PASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("order year, designation and delivery years",
     ("supplier_code", "recipient_code", "order_year", "design_key", "years_key")),
    ("order year and designation",
     ("supplier_code", "recipient_code", "order_year", "design_key")),
    ("order year and delivery years",
     ("supplier_code", "recipient_code", "order_year", "years_key")),
    ("designation and delivery years",
     ("supplier_code", "recipient_code", "design_key", "years_key")),
)


def _design_key(designation: pd.Series) -> pd.Series:
    return designation.fillna("").map(lambda d: re.sub(r"[^a-z0-9]", "", d.lower()))


def per_year_deals(records: pd.DataFrame) -> pd.DataFrame:
    """One row per deal of the per-delivery-year export's records (``sipri_transfers`` rows)."""
    deals = records.groupby("deal_id", sort=True).agg(
        supplier_code=("supplier_code", "first"), recipient_code=("recipient_code", "first"),
        order_year=("order_year", "first"), designation=("designation", "first"),
        local_production=("local_production", "max"),
        local_production_rows=("local_production", "sum"),
        rows=("local_production", "size"),
        tiv_delivered=("tiv_delivered", "sum"),
        years=("delivery_years", lambda y: sorted({int(v) for v in y.dropna()})),
    ).reset_index()
    deals["design_key"] = _design_key(deals["designation"])
    deals["years_key"] = deals["years"].map(lambda ys: ";".join(map(str, ys)))
    return deals


def match_deals(classic: pd.DataFrame, per_year: pd.DataFrame) -> pd.DataFrame:
    """Pairs (``record_id`` of the classic record, ``deal_id``) with the pass that matched them.

    ``classic`` and ``per_year`` are ``sipri_transfers`` rows of one vintage each.
    """
    deals = per_year_deals(per_year)
    last_year = max(max(ys) for ys in deals["years"] if ys)
    rec = classic.loc[:, ["record_id", "supplier_code", "recipient_code", "order_year",
                          "designation", "delivery_years"]].copy()
    rec["design_key"] = _design_key(rec["designation"])
    rec["years_key"] = rec["delivery_years"].fillna("").map(lambda text: ";".join(
        sorted({y for y in re.split(r"\s*;\s*", text) if y and int(y) <= last_year})))
    rec = rec[rec["years_key"] != ""]
    found: list[pd.DataFrame] = []
    for label, key in PASSES:
        left = rec[~rec["record_id"].isin(_taken(found, "record_id"))]
        right = deals[~deals["deal_id"].isin(_taken(found, "deal_id"))]
        left = left[~left.duplicated(list(key), keep=False)]
        right = right[~right.duplicated(list(key), keep=False)]
        pairs = left.merge(right, on=list(key))[["record_id", "deal_id"]]
        found.append(pairs.assign(matched_on=label))
    return pd.concat(found, ignore_index=True)


def _taken(found: list[pd.DataFrame], column: str) -> set[int]:
    return set().union(*(set(f[column]) for f in found)) if found else set()


# -- the comparison -----------------------------------------------------------------------------
DISAGREEMENTS: dict[str, tuple[str, str]] = {
    # key: (pattern on SIPRI's comment, why the flag and the comment differ)
    "platform_built_locally": (
        r"(?:^|;)\s*[^;]*\bfor\b[^;]*\b(?:produced|built|assembled)\s+in\b",
        "the item is fitted to a platform built in the recipient; SIPRI flags the item's deal, "
        "the comment describes the platform (excluded by the reading, as the item itself was "
        "not made there)"),
    "beyond_the_deal": (
        r"\bmore\s+(?:\w+\s+){0,2}(?:produced|assembled|built)\b|\bcopied\b",
        "production after or beyond the deal ('more produced under licence after …', 'later "
        "copied'); SIPRI flags the deal, the delivered items were not made locally"),
    "rebuilt_or_modified": (
        r"\b(?:rebuilt|modifi|modernized|modernization|fitted|finished|conver|upgrad)",
        "rebuilt, modified or fitted out in the recipient: local work on the item that the "
        "comment does not call production or assembly"),
    "local_designation_only": (
        r"\bdesignat",
        "the comment gives only a local designation ('Romanian designation A-91'), which often "
        "but not always marks a licence-built item"),
    "consortium_or_third_country": (
        r"\bproduc|\bassembl|\blicen|\bcompon",
        "production in a consortium, in several countries or worded too loosely to place in "
        "the recipient ('part of European production line', 'incl Turkish components')"),
    "comment_silent": (
        r"",
        "the comment does not say where the item was made (empty, or only its version, value "
        "or user): SIPRI knows more than it wrote"),
}
"""Classes of deals SIPRI flags but the comment reading does not, tried in this order."""

OVERREACH: dict[str, tuple[str, str]] = {
    "hedged": (
        r"\b(?:possibly|probably|perhaps)\b",
        "the comment only says the item was possibly or probably made locally; SIPRI's flag "
        "says No"),
    "flag_contradicts_comment": (
        r"",
        "the comment states licensed or local production of the item, SIPRI's flag says No"),
}
"""Classes of deals the comment reading marks but SIPRI's flag does not."""


@dataclass(frozen=True)
class Agreement:
    """The comment reading against SIPRI's flag, over matched deals."""

    deals: int
    both: int
    flag_only: int
    comment_only: int
    neither: int
    flag_only_classes: dict[str, int]
    comment_only_classes: dict[str, int]

    @property
    def precision(self) -> float:
        return self.both / (self.both + self.comment_only)

    @property
    def recall(self) -> float:
        return self.both / (self.both + self.flag_only)


def classify(comment: str | None, classes: dict[str, tuple[str, str]]) -> str:
    """The first class whose pattern the comment matches; ``other`` when none does."""
    text = comment.strip() if isinstance(comment, str) else ""
    for key, (pattern, _) in classes.items():
        if re.search(pattern, text, re.I):
            return key
    return "other"


def agreement(classic: pd.DataFrame, per_year: pd.DataFrame) -> tuple[Agreement, pd.DataFrame]:
    """Compare each matched classic record's mode with SIPRI's flag on its deal.

    Returns the counts and the matched rows (with ``flag``, ``read`` and ``reason``).
    """
    pairs = match_deals(classic, per_year)
    deals = per_year_deals(per_year).set_index("deal_id")
    rows = pairs.join(classic.set_index("record_id")[
        ["supplier_code", "recipient_code", "designation", "comments", "mode",
         "mode_evidence"]], on="record_id")
    rows["flag"] = rows["deal_id"].map(deals["local_production"]).astype(bool)
    rows["read"] = rows["mode"].eq("licensed_production") & rows["mode_evidence"].str.startswith(
        "comment:")
    rows["reason"] = pd.Series(None, index=rows.index, dtype=object)
    flag_only = rows["flag"] & ~rows["read"]
    comment_only = ~rows["flag"] & rows["read"]
    rows.loc[flag_only, "reason"] = rows.loc[flag_only, "comments"].map(
        lambda c: classify(c, DISAGREEMENTS))
    rows.loc[comment_only, "reason"] = rows.loc[comment_only, "mode_evidence"].map(
        lambda c: classify(c, OVERREACH))
    result = Agreement(
        deals=len(rows), both=int((rows["flag"] & rows["read"]).sum()),
        flag_only=int(flag_only.sum()), comment_only=int(comment_only.sum()),
        neither=int((~rows["flag"] & ~rows["read"]).sum()),
        flag_only_classes=rows.loc[flag_only, "reason"].value_counts().to_dict(),
        comment_only_classes=rows.loc[comment_only, "reason"].value_counts().to_dict())
    return result, rows
