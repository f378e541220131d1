-- Merges are UPDATE-then-INSERT, which is only correct with one merge at a time.
-- SHARE ROW EXCLUSIVE conflicts with itself and with writers but not with readers,
-- so dashboards keep reading while a second sync waits its turn.
LOCK TABLE youtube_channels, youtube_videos, youtube_video_stats IN SHARE ROW EXCLUSIVE MODE
