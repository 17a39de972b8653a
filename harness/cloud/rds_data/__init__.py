"""The RDS Data API on a real PostgreSQL, one small module per job.

``postgres`` runs (or borrows) the server; ``clusters`` checks the cluster and secret a
call names and materialises clusters as roles and databases; ``params`` turns ``:name``
parameters into bound ones; ``pool`` and ``transactions`` hold the connections;
``types`` maps PostgreSQL results to Data API fields; ``errors`` shapes the answers as
AWS does; ``service`` is the edge handler and the ``DataApiService`` component.
"""
