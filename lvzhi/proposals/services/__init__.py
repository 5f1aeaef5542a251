"""The writes of the proposals app, one module per part of the cycle: filing (drafts, co-signers,
submission), review (accept, merge, convert, reject, flags), assignment (units sign for it or ask to
return it), handling (contacts, co-units' views, replies, evaluation, closing), reminders, settings.
The shared steps (lock, move, notify, rights) are in `common`."""
