-- A re-run on the same JST date replaces that date's snapshot (never adds a second one).
UPDATE youtube_video_stats AS v SET
  view_count     = s.view_count,
  like_count     = s.like_count,
  comment_count  = s.comment_count,
  favorite_count = s.favorite_count,
  captured_at    = s.captured_at
FROM staging_youtube_video_stats AS s
WHERE v.video_id = s.video_id
  AND v.snapshot_date = s.snapshot_date
  AND (v.view_count, v.like_count, v.comment_count, v.favorite_count)
      IS DISTINCT FROM (s.view_count, s.like_count, s.comment_count, s.favorite_count)
