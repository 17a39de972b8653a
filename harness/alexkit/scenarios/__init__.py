"""Scenario replay: the whole system under faults, from YAML files in ``scenarios/``.

``spec`` reads a scenario, ``environment`` builds the stack once, ``runner`` runs one
scenario with fresh state, ``checks`` turns expectations into checks, ``report`` prints
the table and writes JUnit XML and HTML, ``cli`` is ``alex-harness replay`` / ``record``.
"""
