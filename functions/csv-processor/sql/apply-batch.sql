-- Applies one batch of CSV rows in a single statement and reports every input row.
-- $1 user ids, $2 login counts, $3 post counts, $4 data-row indexes (parallel arrays).
--
-- * Existing statistics rows are updated. The LATERAL subquery locks each row
--   (FOR UPDATE) before the update, so "old" holds the latest committed values even
--   when another file touches the same user concurrently: the audit's old values are
--   exact. The update then reaches the locked row by its ctid (no second index probe).
-- * Users without a statistics row get one inserted; users missing from `users` are
--   neither, and come back as user_not_found.
-- * A row whose values are unchanged keeps its last_updated, so re-applying a file
--   changes nothing.
-- * Every table access is a parametrized lookup by key (LATERAL, ctid), never a join
--   the planner could turn into a sequential scan: statistics of a table that grows
--   during a large first load are stale, and a hashed full scan per batch would make
--   the load quadratic.
WITH input AS (
  SELECT *
  FROM unnest($1::varchar[], $2::integer[], $3::integer[], $4::integer[])
    AS t(user_id, login_count, post_count, row_index)
),
updated AS (
  UPDATE user_statistics AS s
  SET login_count  = i.login_count,
      post_count   = i.post_count,
      last_updated = CASE
        WHEN (old.login_count, old.post_count) IS DISTINCT FROM (i.login_count, i.post_count) THEN now()
        ELSE s.last_updated
      END
  FROM input AS i,
       LATERAL (
         SELECT c.ctid AS row_ctid, c.login_count, c.post_count
         FROM user_statistics AS c
         WHERE c.user_id = i.user_id
         FOR UPDATE
       ) AS old
  WHERE s.ctid = old.row_ctid
  RETURNING s.user_id, old.login_count AS old_login_count, old.post_count AS old_post_count
),
inserted AS (
  INSERT INTO user_statistics (user_id, login_count, post_count, last_updated)
  SELECT i.user_id, i.login_count, i.post_count, now()
  FROM input AS i
  CROSS JOIN LATERAL (SELECT 1 FROM users AS u WHERE u.user_id = i.user_id LIMIT 1) AS known
  WHERE i.user_id NOT IN (SELECT user_id FROM updated)
  ON CONFLICT (user_id) DO NOTHING
  RETURNING user_id
)
SELECT
  i.row_index,
  i.user_id,
  CASE
    WHEN up.user_id IS NOT NULL THEN 'updated'
    WHEN ins.user_id IS NOT NULL THEN 'inserted'
    WHEN EXISTS (SELECT 1 FROM users AS u WHERE u.user_id = i.user_id) THEN 'conflict'
    ELSE 'user_not_found'
  END AS outcome,
  up.old_login_count,
  up.old_post_count,
  i.login_count,
  i.post_count
FROM input AS i
LEFT JOIN updated AS up ON up.user_id = i.user_id
LEFT JOIN inserted AS ins ON ins.user_id = i.user_id
ORDER BY i.row_index;
