"""E-learning packages brought in as lessons: SCORM 1.2, SCORM 2004 and cmi5."""
