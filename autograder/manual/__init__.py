"""Hand grading: written answers and hand-graded code, graded in nbgrader's formgrader.

- `autograded`: the executed notebooks, made inert, where formgrader opens them;
- `grades`: hand scores, extra credit and comments read from nbgrader's tables and laid
  over recorded results; a regrade keeps a hand score while the answer is unchanged;
- `entry`: entering hand grades without Jupyter (one cell, or a CSV);
- `formgrader`: the generated ``nbgrader_config.py`` and the loopback-only server.
"""
