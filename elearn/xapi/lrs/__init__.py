"""The built-in Learning Record Store: its HTTP resources, storing what it is sent, and
reading statements back.
"""
