"""Duty assessment's pages, one module per part: rules (rule sets, preview, activation), scores (a
member's score and its explanation, rankings, exports), reports (.docx/.xlsx documents), units (the
assessment of town committees and sectors)."""
