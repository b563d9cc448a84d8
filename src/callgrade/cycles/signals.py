"""What the cycles domain announces to the domains built on it.

``cycle_computed`` is sent inside the transaction that stored a computation's results (with
``cycle``): a domain that derives its own records from the results (training proposals) stores
them in the same transaction, and cycles never import it.
"""

from django.dispatch import Signal

cycle_computed = Signal()
