"""The simulated crowds: one place for the crowds of known behaviour that the scoring
benchmarks measure and the tests score. Pure numpy; imports no project code (but
`judgements.load` and `judgements.evaluate`, which need Django set up).

Each crowd draws from the same model of people (`behaviour`): records compare responses of models
with known strengths, every response has a latent utility (model strength + noise), honest
annotators perceive it with their own noise and read at their own speed, and the bad ones answer
without looking (at random, always the same, always the first shown, or too fast). They differ
in size and shape, for what each one measures:

- `judgements`: a campaign as files (records, responses) imported through the commands, each
  judgement a dict, with per-annotator truth for `evaluate` (scoring_quality, the tests).
- `arrays`: the same kind of crowd as numpy arrays, fast enough for a million judgements, written
  with COPY (scoring_load, export_load, parquet_io).
- `labels`: label crowds shaped like real ones, with skewed truth and many classes, as
  (worker, item) -> label dicts (scoring_real).

Same seed, same crowd: the benchmarks' figures stay comparable from one version to the next.
"""
