"""EventBridge schedules run locally: rules and Scheduler schedules invoking their Lambda targets."""
