-- Events of one account, newest first
SELECT id, kind, occurred_at FROM events WHERE account_id = $1 ORDER BY occurred_at DESC;

-- Accounts by plan
SELECT id, email FROM accounts WHERE plan = :plan;

-- By primary key: already indexed
SELECT * FROM accounts WHERE id = ?;
