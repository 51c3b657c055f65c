"""The model's lists of claim categories and statuses are the schema's (one source each)."""

from __future__ import annotations

from evidence.model import CLAIM_CATEGORIES, CLAIM_STATUSES
from evidence.schema import schema_document


def test_categories_and_statuses_are_the_schemas() -> None:
    defs = schema_document("defs")["$defs"]
    assert tuple(defs["category"]["enum"]) == CLAIM_CATEGORIES
    assert tuple(defs["status"]["enum"]) == CLAIM_STATUSES


def test_the_review_page_offers_every_category_and_every_live_status() -> None:
    from evidence.serve.app import CATEGORIES, STATUSES

    assert CATEGORIES == CLAIM_CATEGORIES
    assert set(STATUSES) == set(CLAIM_STATUSES) - {"withdrawn"}
