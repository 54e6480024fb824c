"""The portal's own sections (each a URL module with an "index" view, registered in apps.py)."""
