"""Common issues (共性问题): one problem filed by many enterprises, found by text similarity (PRODUCT.md §11).

`similarity` turns a ticket's title and description into a weighted bag of character n-grams and scores
two tickets by cosine with a category factor; `grouping` finds candidate groups of similar tickets from
different enterprises through an inverted index. Both are pure Python over in-memory vectors, shaped for
the `ticket_terms(ticket_id, term, weight)` postings the database will hold (docs/SIMILARITY.md).
"""
