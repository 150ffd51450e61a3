"""The ground floor: what every other floor may use and which uses nothing of vizgrad.

``lazy_numpy`` (numpy imported when an array first needs it), ``files`` (writing files so
that a failure never leaves a damaged one), ``cli`` (one style for the commands), ``version``.
"""
