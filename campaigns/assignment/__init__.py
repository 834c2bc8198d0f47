"""The assignment strategy: which kind of record an annotator gets next. Pure; see README.md."""
