"""Views of the campaigns app: public and annotator pages, the task page, the annotator API."""
