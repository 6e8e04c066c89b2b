"""What leaves the building: QA findings, the manifest, status, approvals, edits."""
