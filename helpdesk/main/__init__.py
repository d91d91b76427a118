"""The landing page that sends each role to its own start page."""
