"""Alex's database: schema migrations applied through the RDS Data API."""
