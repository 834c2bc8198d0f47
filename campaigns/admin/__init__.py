"""Django admin for organizers: campaigns with their questions, record uploads, counts.

Django autodiscovers `campaigns.admin`; importing the modules here registers their admins.
"""

from campaigns.admin import campaigns, data, records, series, tokens

__all__ = ["campaigns", "data", "records", "series", "tokens"]
