"""The shape of the data set, per scale unit: `--scale 1.0` is MyBarackObama.com in 2008.

Every generator step takes its counts from here (multiplied by the scale), so the whole data
set is described in one place. Figures for features whose tables don't exist yet are already
here: the step that fills a table is added with that table's feature, and uses these numbers.

Sources: the 2008 Obama campaign's own figures as widely reported after the election
(2 million MyBO accounts, 13 million email addresses, 200,000 offline events, 35,000
groups, 400,000 blog posts, 70,000 personal fundraising pages, 6.5 million online donations
from about 3 million donors, 90% of them $100 or less, about 40% $25 or less).
"""

from __future__ import annotations

from datetime import UTC, datetime

# --- Written today ------------------------------------------------------------------------------
# Member accounts: accounts.User + accounts.Profile + a verified primary allauth EmailAddress,
# each with its people.Person.
MEMBERS = 2_000_000
# People without a login (email sign-ups, RSVPs, imports). The campaign had 13 million
# addresses (6.5 per member); we generate 1.0 per member so scale 1.0 stays within a
# 15-minute load on a 2-core machine. Raise it when a benchmark needs a bigger CRM.
NON_MEMBER_PEOPLE = 2_000_000
# Share of people with a phone number (one each; a few of those have a second one).
PHONE_SHARE = 0.40
PHONE_SECOND_SHARE = 0.05
# Share of people with at least one tag; a few of them get a second tag.
TAGGED_SHARE = 0.10
TAGGED_SECOND_SHARE = 0.15
# A handful of staff segments: a fixed list, not scaled.
TAG_NAMES = (
    "Volunteer leads",
    "Precinct captains",
    "House party hosts",
    "Phone bank regulars",
    "Campus organizers",
    "Veterans for change",
    "Spanish-language volunteers",
    "Early voting drivers",
)

# --- Groups and events (steps in groups.py and events.py) -----------------------------------------
EVENTS = 200_000
GROUPS = 35_000

# --- For later features (no table yet: no step writes them) -------------------------------------
BLOG_POSTS = 400_000
FUNDRAISING_PAGES = 70_000
DONATIONS = 6_500_000
DONORS = 3_000_000
# Gift sizes: the share of gifts at or under a given amount (in US dollars).
GIFT_SHARE_AT_MOST_100 = 0.90
GIFT_SHARE_AT_MOST_25 = 0.40

# --- Time -----------------------------------------------------------------------------------------
# A two-year election cycle; sign-ups grow towards election day (see people.py).
CYCLE_START = datetime(2025, 1, 1, tzinfo=UTC)
ELECTION_DAY = datetime(2026, 11, 3, tzinfo=UTC)

# Rows generated per chunk: one transaction and one COPY/executemany per table each. Part of
# the determinism contract (random streams are seeded per chunk): changing it changes the data.
CHUNK = 20_000


def scaled(per_unit: float, scale: float) -> int:
    """How many rows a step writes at `scale` (rounded; at least 1 if the figure is not 0)."""
    count = round(per_unit * scale)
    return max(count, 1) if per_unit > 0 else 0
