-- $1 run_id, $2 trigger, $3 snapshot_date, $4 started_at, $5 finished_at, $6 status,
-- $7 channels, $8 videos, $9 quota_units, $10-$12 rows, $13 missing_channels, $14 rejected_rows, $15 error
INSERT INTO youtube_sync_runs (
  run_id, trigger, snapshot_date, started_at, finished_at, status, channels, videos, quota_units,
  rows_channels, rows_videos, rows_stats, missing_channels, rejected_rows, error
) VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (run_id) DO UPDATE SET
  finished_at = EXCLUDED.finished_at,
  status      = EXCLUDED.status,
  quota_units = EXCLUDED.quota_units,
  error       = EXCLUDED.error
