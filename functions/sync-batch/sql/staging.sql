-- Staging tables for one merge transaction: no indexes or constraints so COPY runs
-- at full speed, dropped at COMMIT/ROLLBACK.
CREATE TEMP TABLE staging_youtube_channels (LIKE youtube_channels INCLUDING DEFAULTS) ON COMMIT DROP;
CREATE TEMP TABLE staging_youtube_videos (LIKE youtube_videos INCLUDING DEFAULTS) ON COMMIT DROP;
CREATE TEMP TABLE staging_youtube_video_stats (LIKE youtube_video_stats INCLUDING DEFAULTS) ON COMMIT DROP;
