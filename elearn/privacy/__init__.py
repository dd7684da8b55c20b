"""Data protection (UK GDPR and the ICO Children's code): subject access exports, erasure,
retention of leavers' records and the "My data" page.

Other domains plug in through ``elearn.privacy.registry`` (exporters and erasers) and
``elearn.privacy.holds`` (reasons a record must be kept).
"""
