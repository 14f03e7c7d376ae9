"""The GitHub side: publish, provision/discover, collect by push time, post feedback.

Everything goes through PyGithub (its requester for the activity and Classroom
endpoints); see docs/github.md.
"""

from autograder.github.client import GitHub, connect, read_token
from autograder.github.collect import CollectReport, collect_week
from autograder.github.feedback import PostReport, post_feedback
from autograder.github.provision import ProvisionReport, provision_week
from autograder.github.publish import PublishReport, publish_week
from autograder.github.run import RunReport, run_week

__all__ = [
    "CollectReport",
    "GitHub",
    "PostReport",
    "ProvisionReport",
    "PublishReport",
    "RunReport",
    "collect_week",
    "connect",
    "post_feedback",
    "provision_week",
    "publish_week",
    "read_token",
    "run_week",
]
