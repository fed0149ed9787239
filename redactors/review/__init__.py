"""The review desk's library: what a reviewer decided about a document
(decisions.py, policy_lists.py), redacting it again with those decisions
and recording them (desk.py), pictures of its pages (render.py), case
details to flag (case_details.py) and the shareable report (report.py).
The web application over it lives in flows/desk/."""
