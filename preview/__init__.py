"""Headless preview: an editor's preview, shown by the frontend that readers use.

The admin side lives here (the previewed state, kept as a snapshot, and the signed token that
names it); the API side, which hands the snapshot to the frontend, is ``api.preview``.
"""
