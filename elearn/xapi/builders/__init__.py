"""What elearn builds: the statements of its own learning events, their verbs and activity
types, and quiz questions as interactions.
"""
