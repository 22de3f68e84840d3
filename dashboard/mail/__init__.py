"""E-mail: invitations, password resets, check-in reminders and weekly digests, each
written to the outbox in the transaction of the change that caused it and sent exactly
once by the scheduler in the app's process.

* ``addresses``: mailboxes and names made safe for headers;
* ``delivery``: where mail goes (SMTP from ``[catalyst.smtp]``, or a folder) and one
  connection;
* ``outbox``: the table, from queued to sent; ``preferences``: what a person wants, and
  the signed links that change it;
* ``messages``: the words (pure); ``compose``: the facts a message needs, read when it is
  sent; ``sender``: takes, sends, marks; ``planner``: reminders and digests by the rules;
  ``scheduler``: the loop in the app's process.

Import the submodule you need (accounts uses ``outbox``; ``compose`` uses accounts).
"""
