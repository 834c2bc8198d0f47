"""The work: campaigns, questions, records, annotators, assignments, judgements; imports; the
assignment engine; the annotator pages. Reads accounts, never scoring."""
