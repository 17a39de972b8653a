"""Bedrock cassettes: model calls recorded once (vcrpy YAML), replayed in every Lambda
execution environment and in process alike, so a run is deterministic, free and offline.

* :mod:`.matching`: what makes two model calls the same (method, model and operation, and
  the JSON body with volatile values normalised), and the difference when they are not.
* :mod:`.scrub`: credentials and key-like values removed before anything is written.
* :mod:`.recorder`: the vcrpy configuration and the cassette context (provenance, misses).
* :mod:`.control`: the cloud component that selects the cassettes Lambda environments use.
* :mod:`.lambda_wrapper`: what runs around each invocation inside an environment.
"""
