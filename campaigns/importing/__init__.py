"""Reading and validating import files (records, responses, campaign specs). Writes nothing."""
