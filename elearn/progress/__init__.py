"""Pupils' progress through their courses, for the staff who teach them."""
