"""Alex's stack: its definition, its code package, and what a deployment of it offers."""
