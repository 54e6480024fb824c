"""JSON front door of rating rounds and ratings: /api/v1/rating-rounds, /api/v1/ratings."""

from ninja import Router

router = Router(tags=["ratings"])
