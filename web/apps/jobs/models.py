"""No models: the queue, schedules and results are Django-Q2's (``django_q``). The module exists
because Django sends ``post_migrate`` only to apps with a models module (:mod:`apps.jobs.apps`)."""
