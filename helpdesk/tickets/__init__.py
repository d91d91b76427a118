"""Feedback issues (诉求): filing, routing, the workflow, deadlines and warnings."""
