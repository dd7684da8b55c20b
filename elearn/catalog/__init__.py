"""Courses, lessons and question banks as authored in ``courses/``, ``content/``, ``quizzes/``."""
