"""Reports for the instructor: HTML with plots, HTML feedback, CSV exports, status.

Everything reads one joined view of a week (`gather_week`: roster ∪ collected ∪
graded) so the HTML tables, the CSV and the status table agree by construction.
"""

from autograder.reports.course_report import write_course_report
from autograder.reports.data import WeekData, gather_week
from autograder.reports.export import export_course_csv, export_week_csv
from autograder.reports.feedback_html import feedback_page, write_feedback_html
from autograder.reports.status import status_rows, status_table
from autograder.reports.week_report import ReportFiles, write_week_report

__all__ = [
    "ReportFiles",
    "WeekData",
    "export_course_csv",
    "export_week_csv",
    "feedback_page",
    "gather_week",
    "status_rows",
    "status_table",
    "write_course_report",
    "write_feedback_html",
    "write_week_report",
]
