"""The demo committee (`manage.py seed_demo`), on top of every other app.

`builder.DemoBuilder` makes the fictional county committee, its accounts and member files, and calls the
`demo.py` of each feature app for that app's part; every part is written through the apps' services, so
the history, ledger and audit rows are the ones real use would leave. Nothing below imports this app.
"""
