-- The first snapshot of each video for this JST date.
INSERT INTO youtube_video_stats (video_id, snapshot_date, view_count, like_count, comment_count, favorite_count, captured_at)
SELECT s.video_id, s.snapshot_date, s.view_count, s.like_count, s.comment_count, s.favorite_count, s.captured_at
FROM staging_youtube_video_stats AS s
WHERE NOT EXISTS (
  SELECT 1 FROM youtube_video_stats AS v WHERE v.video_id = s.video_id AND v.snapshot_date = s.snapshot_date
)
