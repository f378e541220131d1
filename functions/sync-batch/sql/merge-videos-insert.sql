-- Public and unlisted uploads seen for the first time.
INSERT INTO youtube_videos (
  video_id, channel_id, availability, title, description, published_at, duration, duration_seconds,
  definition, caption, category_id, tags, live_broadcast_content, default_audio_language, updated_at
)
SELECT
  s.video_id, s.channel_id, s.availability, s.title, s.description, s.published_at, s.duration, s.duration_seconds,
  s.definition, s.caption, s.category_id, s.tags, s.live_broadcast_content, s.default_audio_language, s.updated_at
FROM staging_youtube_videos AS s
WHERE s.availability IN ('public', 'unlisted')
  AND NOT EXISTS (SELECT 1 FROM youtube_videos AS v WHERE v.video_id = s.video_id)
