"""What the ledger tells the layers above it. The ledger imports none of them (DESIGN §4): scoring
connects to `records_changed` to recompute the members concerned."""

from django.dispatch import Signal

# Sent once a sync that changed the ledger is committed, with
#   committee_id: the committee of the records,
#   members_by_year: {year: {member id, …}} — every member with a record of the source in that year,
#   before or after the change (a joint item's split changes for all its authors).
records_changed = Signal()
