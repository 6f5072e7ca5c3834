"""Images in lessons: a course's images/, kept from course files or uploaded in the lesson
editor, and served to the people who may see the course's lessons."""
