-- csv-processor schema (DESIGN.md §3). Idempotent: applied by the csv-migrate function
-- on every `terraform apply` whose schema hash changed, by the local runner and by tests.
CREATE TABLE IF NOT EXISTS users (
  user_id    VARCHAR(10)  PRIMARY KEY,
  username   VARCHAR(100) NOT NULL,
  email      VARCHAR(255) NOT NULL UNIQUE,
  created_at TIMESTAMP    NOT NULL DEFAULT now(),
  updated_at TIMESTAMP    NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_statistics (
  user_id      VARCHAR(10) PRIMARY KEY REFERENCES users (user_id),
  login_count  INTEGER     NOT NULL DEFAULT 0 CHECK (login_count >= 0),
  post_count   INTEGER     NOT NULL DEFAULT 0 CHECK (post_count >= 0),
  last_updated TIMESTAMP   NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS user_statistics_last_updated_idx ON user_statistics (last_updated);
CREATE INDEX IF NOT EXISTS users_created_at_idx ON users (created_at);
