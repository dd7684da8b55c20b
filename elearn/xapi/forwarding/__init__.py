"""Forwarding elearn's own statements to an external LRS: the HTTP client and the forwarder."""
