"""Go handlers (net/http, chi, gin, echo) and their data access (database/sql, sqlx, GORM)."""
