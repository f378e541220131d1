-- csv-processor schema (DESIGN.md §3), database of csv-processor's Aurora cluster.
-- IF NOT EXISTS throughout: databases created before schema_migrations existed already hold
-- these tables (from the old idempotent schema.sql), and this file must record them, not fail.
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
