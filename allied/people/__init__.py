"""People and ties: officials, postings, languages, contacts, crisis counterparts."""
