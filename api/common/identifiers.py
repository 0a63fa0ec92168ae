"""The shapes of the ids the services exchange: a user's id and a sender as a phone shows it.

User data stores messages under these ids and the inbox webhook checks them before it forwards a
message, so both read the one definition here.
"""

from typing import Annotated

from pydantic import StringConstraints

USER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

UserId = Annotated[str, StringConstraints(pattern=USER_ID_PATTERN)]
# A sender is a name or a number as the phone shows it: printable, on one line.
SenderId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
]
