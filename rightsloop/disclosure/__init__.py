"""What the public report and the open data may disclose, and how: small counts hidden (suppression.py), the one
door every public table leaves through (tables.py), the disclosure frameworks each report section serves
(frameworks.py, data/frameworks.json), and the open data package an organisation may publish (O3: models.py,
actions.py, datapackage.py, public_views.py)."""
